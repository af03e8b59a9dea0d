import * as fs from 'fs';
import { Duration } from 'cdk8s';
import { PreflightOutcome, runPreflight } from './preflight';
import { UnreachableError } from './prometheus-client';
import { readArguments, UsageError } from '../plan/cli-arguments';
import { ManifestError, readManifests } from '../plan/manifest-files';

export const PREFLIGHT_USAGE = `usage: cdk8s-argo-rollouts preflight <dir-or-file...> --prometheus URL [--json | --markdown]
         [--allow OUTCOME,...] [--timeout SECONDS] [--concurrency N]

Runs every Prometheus metric of every analysis of every Rollout in the given YAML/JSON files
against Prometheus now (instant query, arguments as the rollout passes them, the canary's selectors
rewritten to the stable side) and prints data, value and whether each would pass, fail or be
inconclusive; a query without data is diagnosed. Exit status 1 when a metric has no data, would
fail or cannot be measured, 3 when Prometheus cannot be reached.
  --prometheus   Prometheus base URL, without credentials
  --json, --markdown   output format (default: a plain-text table)
  --allow        outcomes that do not fail the run: ${[PreflightOutcome.NO_DATA, PreflightOutcome.FAIL, PreflightOutcome.ERROR].join(', ')}
  --timeout      seconds per query (default 10)
  --concurrency  queries at once (default 4)
Credentials, never on the command line: PROMETHEUS_BEARER_TOKEN or PROMETHEUS_BEARER_TOKEN_FILE;
PROMETHEUS_USERNAME with PROMETHEUS_PASSWORD or PROMETHEUS_PASSWORD_FILE.
`;

/** Where the command writes, and its environment. */
export interface PreflightIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly env?: Record<string, string | undefined>;
}

interface Command {
  readonly paths: string[];
  readonly prometheus: string;
  readonly format: 'text' | 'json' | 'markdown';
  readonly allow: PreflightOutcome[];
  readonly timeoutSeconds: number;
  readonly concurrency: number;
}

/** Runs `preflight`; resolves to the exit code: 0 all pass, 1 failures or bad input, 2 bad usage, 3 Prometheus unreachable. */
export async function preflightMain(argv: string[], io: PreflightIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(PREFLIGHT_USAGE);
    return 0;
  }
  const env = io.env ?? process.env;
  try {
    const command = parseArgs(argv);
    const credentials = credentialsFrom(env);
    const { objects } = readManifests(command.paths);
    const manifests = objects.map((m) => m.object);
    const rollouts = manifests.filter((o) => o?.kind === 'Rollout').length;
    if (rollouts === 0) throw new ManifestError(`${command.paths.join(', ')}: no Rollout`);
    const report = await runPreflight(manifests, {
      prometheusUrl: command.prometheus,
      ...credentials,
      timeout: Duration.millis(Math.round(command.timeoutSeconds * 1000)),
      concurrency: command.concurrency,
    }, rollouts > 5 ? (done, total) => io.err(`preflight: ${done}/${total} rollouts\n`) : undefined);
    io.out(command.format === 'json' ? `${JSON.stringify(report.toJson(), null, 2)}\n`
      : command.format === 'markdown' ? report.toMarkdown() : report.toText());
    return report.failures(command.allow).length > 0 ? 1 : 0;
  } catch (e: any) {
    if (e instanceof UsageError) {
      io.err(`cdk8s-argo-rollouts preflight: ${e.message}\n\n${PREFLIGHT_USAGE}`);
      return 2;
    }
    if (e instanceof ManifestError) {
      io.err(`cdk8s-argo-rollouts preflight: error: ${e.message}\n`);
      return 1;
    }
    if (e instanceof UnreachableError) {
      io.err(`cdk8s-argo-rollouts preflight: ${e.message}\n`);
      return 3;
    }
    throw e;
  }
}

function parseArgs(argv: string[]): Command {
  let prometheus: string | undefined;
  let format: Command['format'] = 'text';
  let allow: PreflightOutcome[] = [];
  let timeoutSeconds = 10;
  let concurrency = 4;
  const paths = readArguments(argv, (flag, value) => {
    const positive = (v: string) => {
      const n = Number(v);
      if (!(n > 0)) throw new UsageError(`${flag} ${v}: not a positive number`);
      return n;
    };
    if (flag === '--prometheus') prometheus = value();
    else if (flag === '--json') format = 'json';
    else if (flag === '--markdown') format = 'markdown';
    else if (flag === '--allow') allow = value().split(',').map((o) => outcome(o.trim()));
    else if (flag === '--timeout') timeoutSeconds = positive(value());
    else if (flag === '--concurrency') concurrency = Math.floor(positive(value()));
    else return false;
    return true;
  });
  if (!prometheus) throw new UsageError('--prometheus URL is required');
  if (paths.length === 0) throw new UsageError('no input: give one or more files or directories');
  return { paths, prometheus, format, allow, timeoutSeconds, concurrency };
}

function outcome(text: string): PreflightOutcome {
  const allowed = [PreflightOutcome.NO_DATA, PreflightOutcome.FAIL, PreflightOutcome.ERROR];
  const found = allowed.find((o) => o === text);
  if (!found) throw new UsageError(`--allow ${text}: unknown outcome (allowed: ${allowed.join(', ')})`);
  return found;
}

/** Credentials from the environment, or files it names; a file that cannot be read is a usage error naming the variable. */
function credentialsFrom(env: Record<string, string | undefined>): { bearerToken?: string; username?: string; password?: string } {
  const secret = (name: string): string | undefined => {
    const file = env[`${name}_FILE`];
    if (file) {
      try {
        return fs.readFileSync(file, 'utf8').trim();
      } catch (e: any) {
        throw new UsageError(`${name}_FILE: cannot read ${file} (${e.code ?? 'error'})`);
      }
    }
    return env[name] || undefined;
  };
  const bearerToken = secret('PROMETHEUS_BEARER_TOKEN');
  const username = env.PROMETHEUS_USERNAME || undefined;
  const password = secret('PROMETHEUS_PASSWORD');
  if (bearerToken && username) throw new UsageError('set PROMETHEUS_BEARER_TOKEN or PROMETHEUS_USERNAME, not both');
  if (password && !username) throw new UsageError('PROMETHEUS_PASSWORD is set without PROMETHEUS_USERNAME');
  return { bearerToken, username, password };
}
