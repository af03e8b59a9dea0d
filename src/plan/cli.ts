#!/usr/bin/env node
import * as fs from 'fs';
import { TemplateIndex } from './analysis-checks';
import { readArguments, UsageError } from './cli-arguments';
import { ManifestError, ManifestObject, readManifests } from './manifest-files';
import { PlanError } from './plan-error';
import { RolloutPlan } from './rollout-plan';
import { RolloutPlans } from './rollout-plans';
import { preflightMain } from '../preflight/preflight-cli';

const USAGE = `usage: cdk8s-argo-rollouts plan <dir-or-file...> [--format text|markdown|json] [--svg FILE]
       cdk8s-argo-rollouts preflight <dir-or-file...> --prometheus URL (see preflight --help)

Prints the plan of every Rollout in the given YAML/JSON files (directories are searched for
.yaml, .yml and .json files): each step with its traffic weight, pause, analyses and routes,
the minimum time to reach it, the fastest time to full promotion and the manual promotions.
  --format   text (default), markdown or json
  --svg      also write the plans as an SVG timeline to FILE
`;

const FORMATS = ['text', 'markdown', 'json'];

/** Where the command writes. */
export interface CliOutput {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

interface PlanCommand {
  readonly paths: string[];
  readonly format: string;
  readonly svg?: string;
}

/**
 * Runs the command; returns the exit code: 0 done, 1 bad input (nothing written), 2 bad usage.
 */
export function main(argv: string[], io: CliOutput = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) }): number {
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
    (argv.length === 0 ? io.err : io.out)(USAGE);
    return argv.length === 0 ? 2 : 0;
  }
  try {
    const command = parseArgs(argv);
    const plans = planAll(command.paths);
    const output = command.format === 'json' ? `${JSON.stringify(plans.toJson(), null, 2)}\n`
      : command.format === 'markdown' ? plans.toMarkdown() : plans.toText();
    if (command.svg) writeSvg(command.svg, plans.toSvg());
    io.out(output);
    return 0;
  } catch (e: any) {
    if (e instanceof UsageError) {
      io.err(`cdk8s-argo-rollouts: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    if (e instanceof ManifestError) {
      io.err(`cdk8s-argo-rollouts: error: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

function parseArgs(argv: string[]): PlanCommand {
  const [command, ...rest] = argv;
  if (command !== 'plan') throw new UsageError(`unknown command "${command}" (allowed: plan, preflight)`);
  let format = 'text';
  let svg: string | undefined;
  const paths = readArguments(rest, (flag, value) => {
    if (flag === '--format') format = value();
    else if (flag === '--svg') svg = value();
    else return false;
    return true;
  });
  if (!FORMATS.includes(format)) throw new UsageError(`--format ${format}: unknown format (allowed: ${FORMATS.join(', ')})`);
  if (paths.length === 0) throw new UsageError('no input: give one or more files or directories');
  return { paths, format, svg };
}

/** Plans every Rollout of the input; any file without one that was named explicitly is an error. */
function planAll(paths: string[]): RolloutPlans {
  const { files, objects } = readManifests(paths);
  const isRollout = (m: ManifestObject) => m.object?.kind === 'Rollout';
  for (const file of paths.filter((p) => !fs.statSync(p).isDirectory())) {
    const inFile = objects.filter((m) => m.file === file);
    if (!inFile.some(isRollout)) {
      const found = inFile.map((m) => `${m.object?.kind ?? '(no kind)'}/${m.object?.metadata?.name ?? '(no name)'}`);
      throw new ManifestError(`${file}:1: not a Rollout: no object with kind Rollout in this file${found.length ? ` (found ${found.join(', ')})` : ' (it is empty)'}`);
    }
  }
  const rollouts = objects.filter(isRollout);
  if (rollouts.length === 0) throw new ManifestError(`${paths.join(', ')}: no Rollout in ${files.length} file${files.length === 1 ? '' : 's'}`);
  const index = new TemplateIndex(objects.map((m) => m.object));
  return RolloutPlans.of(rollouts.map((m) => {
    try {
      return RolloutPlan._fromManifest(m.object, index);
    } catch (e: any) {
      if (e instanceof PlanError) throw new ManifestError(`${m.file}:${m.lineOf(e.path)}: ${e.message}`);
      throw e;
    }
  }));
}

function writeSvg(file: string, svg: string): void {
  // written next to the file, then renamed: a failed write leaves the old file as it was
  const staging = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(staging, svg);
    fs.renameSync(staging, file);
  } catch (e: any) {
    fs.rmSync(staging, { force: true });
    throw new ManifestError(`${file}: cannot write the SVG: ${e.message.replace(staging, file)}`);
  }
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  if (argv[0] === 'preflight') {
    const io = { out: (t: string) => process.stdout.write(t), err: (t: string) => process.stderr.write(t) };
    void preflightMain(argv.slice(1), io).then((code) => { process.exitCode = code; });
  } else {
    process.exitCode = main(argv);
  }
}
