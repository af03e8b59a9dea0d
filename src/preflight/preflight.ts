import { Duration } from 'cdk8s';
import { diagnoseNoData } from './no-data-diagnosis';
import { PreflightCheck, preflightChecks } from './preflight-checks';
import { InstantResult, PrometheusClient, QueryError, sampleNumber } from './prometheus-client';
import { measurementPhase, MeasurementPhase } from '../analysis/condition';

/** What a metric's query would give now. */
export enum PreflightOutcome {
  /** The success condition holds now (the measurement would be Successful). */
  PASS = 'pass',
  /** The measurement would be Failed. */
  FAIL = 'fail',
  /** Neither condition holds (Inconclusive: the rollout pauses). */
  INCONCLUSIVE = 'inconclusive',
  /** The query finds no series. */
  NO_DATA = 'no-data',
  /** The metric cannot be measured: an argument that does not resolve, a query Prometheus rejects, a missing template, an evaluation error. */
  ERROR = 'error',
  /** Not a Prometheus metric (web, job...): not run. */
  SKIPPED = 'skipped',
}

/** Where to run the queries. */
export interface PreflightOptions {
  /** Prometheus base URL (`http://prometheus:9090`), without credentials. */
  readonly prometheusUrl: string;
  /**
   * Bearer token sent as `Authorization: Bearer`.
   * @default - none
   */
  readonly bearerToken?: string;
  /**
   * Basic-auth user name (with `password`).
   * @default - no basic auth
   */
  readonly username?: string;
  /**
   * Basic-auth password.
   * @default - empty
   */
  readonly password?: string;
  /**
   * Timeout of each query.
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;
  /**
   * Queries in flight at once.
   * @default 4
   */
  readonly concurrency?: number;
}

/** One metric of one analysis of one rollout, measured now. */
export interface PreflightResult {
  /** `namespace/name` of the Rollout. */
  readonly rollout: string;
  /** `background`, `step N`, `pre-promotion` or `post-promotion`. */
  readonly analysis: string;
  /** The AnalysisTemplate or ClusterAnalysisTemplate. */
  readonly template: string;
  /** Whether the template is a ClusterAnalysisTemplate. */
  readonly clusterScope: boolean;
  /** The metric's name in the template (`-` when there is no template or no analysis). */
  readonly metric: string;
  /** The metric's provider (`prometheus`, `web`, `job`...). */
  readonly provider: string;
  /** The query run (arguments resolved, rewritten for the stable side); undefined when none could be. */
  readonly query?: string;
  /** How the query was rewritten to select the stable side. */
  readonly rewrites: string[];
  /** Whether the query found series. */
  readonly data: boolean;
  /** The measured value as the controller records it (`[0.998]`); undefined when not measured. */
  readonly value?: string;
  /** The phase the controller would give this measurement now; undefined when not measured. */
  readonly phase?: string;
  readonly outcome: PreflightOutcome;
  /** Why there is no data, or why the metric could not be measured. */
  readonly detail?: string;
}

/** The outcomes that fail a preflight unless allowed. */
const FAILING = [PreflightOutcome.NO_DATA, PreflightOutcome.FAIL, PreflightOutcome.ERROR];

/** The results of a preflight. */
export class PreflightReport {
  /** @internal */
  public static _of(prometheusUrl: string, rollouts: number, results: PreflightResult[]): PreflightReport {
    return new PreflightReport(prometheusUrl, rollouts, results);
  }

  private constructor(
    /** The Prometheus queried. */
    public readonly prometheusUrl: string,
    /** The number of Rollouts checked. */
    public readonly rollouts: number,
    /** The results, in input order. */
    public readonly results: PreflightResult[],
  ) {}

  /** The results whose outcome fails the preflight (no data, fail, error) unless it is in `allowed`. */
  public failures(allowed: PreflightOutcome[] = []): PreflightResult[] {
    return this.results.filter((r) => FAILING.includes(r.outcome) && !allowed.includes(r.outcome));
  }

  /** An aligned plain-text table, then the rewrites and diagnoses. */
  public toText(): string {
    const { header, rows, notes } = layout(this.results);
    const table = [header, ...rows];
    const widths = header.map((_, i) => Math.max(...table.map((row) => row[i].length)));
    const line = (row: string[]) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ').trimEnd();
    return [
      `Preflight against ${this.prometheusUrl}: ${summary(this.rollouts, this.results)}`,
      '',
      line(header),
      line(widths.map((w) => '-'.repeat(w))),
      ...rows.map(line),
      ...(notes.length > 0 ? ['', ...notes] : []),
      '',
    ].join('\n');
  }

  /** A Markdown table, then the rewrites and diagnoses as a list. */
  public toMarkdown(): string {
    const { header, rows, notes } = layout(this.results);
    const cell = (c: string) => c.replace(/\|/g, '\\|');
    return [
      `Preflight against ${this.prometheusUrl}: ${summary(this.rollouts, this.results)}`,
      '',
      `| ${header.join(' | ')} |`,
      `|${header.map(() => ' --- ').join('|')}|`,
      ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
      ...(notes.length > 0 ? ['', ...notes.map((n) => `- ${n}`)] : []),
      '',
    ].join('\n');
  }

  /** Plain JSON. */
  public toJson(): any {
    return { prometheus: this.prometheusUrl, rollouts: this.rollouts, results: this.results.map((r) => JSON.parse(JSON.stringify(r))) };
  }
}

const HEADER = ['Rollout', 'Analysis', 'Template', 'Metric', 'Data', 'Value', 'Now', 'Notes'];

function layout(results: PreflightResult[]): { header: string[]; rows: string[][]; notes: string[] } {
  // Rows that share a rewrite or a diagnosis share its note.
  const notes: string[] = [];
  const rows = results.map((r) => {
    const refs = [
      ...(r.rewrites.length > 0 ? [`stable side: ${r.rewrites.join('; ')}`] : []),
      ...(r.detail ? [r.detail] : []),
    ].map((text) => {
      if (!notes.includes(text)) notes.push(text);
      return `[${notes.indexOf(text) + 1}]`;
    });
    const now = r.outcome === PreflightOutcome.PASS ? 'would pass' : r.outcome === PreflightOutcome.FAIL ? 'would fail'
      : r.outcome === PreflightOutcome.INCONCLUSIVE ? 'inconclusive' : r.outcome;
    const data = r.value === undefined ? '-' : r.data ? 'data' : 'no data';
    return [r.rollout, r.analysis, r.template, r.metric, data, r.value ?? '-', now, refs.join(' ')];
  });
  return { header: HEADER, rows, notes: notes.map((n, i) => `[${i + 1}] ${n}`) };
}

function summary(rollouts: number, results: PreflightResult[]): string {
  const counts = new Map<string, number>();
  for (const r of results) counts.set(r.outcome, (counts.get(r.outcome) ?? 0) + 1);
  const parts = Object.values(PreflightOutcome).filter((o) => counts.has(o)).map((o) => `${counts.get(o)} ${o}`);
  return `${results.length} metric${results.length === 1 ? '' : 's'} of ${rollouts} rollout${rollouts === 1 ? '' : 's'}${parts.length ? `: ${parts.join(', ')}` : ''}`;
}

/** Runs the analyses of a release against a real Prometheus before the release. */
export class Preflight {
  /**
   * For every Rollout among `objects` (what `cdk8s synth` wrote), every metric of every analysis it
   * runs (background, steps, pre/post promotion) is queried now, with the arguments the rollout
   * passes and with what selects the canary rewritten to select the stable side, and its conditions
   * evaluated as the controller would. A query without data is diagnosed. Throws when Prometheus
   * cannot be reached.
   */
  public static async run(objects: any[], options: PreflightOptions): Promise<PreflightReport> {
    return runPreflight(objects, options);
  }
}

/** `Preflight.run`, with progress reported after each rollout. */
export async function runPreflight(objects: any[], options: PreflightOptions,
  progress?: (done: number, total: number) => void): Promise<PreflightReport> {
  const client = new PrometheusClient({
    url: options.prometheusUrl,
    bearerToken: options.bearerToken,
    username: options.username,
    password: options.password,
    timeoutMs: (options.timeout ?? Duration.seconds(10)).toMilliseconds(),
    concurrency: Math.max(1, options.concurrency ?? 4),
  });
  await client.query('vector(1)');
  const checks = preflightChecks(objects);
  const cache = new Map<string, Promise<InstantResult>>();
  const run = (query: string) => {
    if (!cache.has(query)) cache.set(query, client.query(query));
    return cache.get(query)!;
  };
  const rollouts = [...new Set(checks.map((c) => c.rolloutIndex))];
  let done = 0;
  const byRollout = await Promise.all(rollouts.map(async (rollout) => {
    const results = await Promise.all(checks.filter((c) => c.rolloutIndex === rollout).map((c) => measure(c, run, client)));
    progress?.(++done, rollouts.length);
    return results;
  }));
  return PreflightReport._of(client.url, rollouts.length, byRollout.flat());
}

async function measure(check: PreflightCheck, run: (q: string) => Promise<InstantResult>, client: PrometheusClient): Promise<PreflightResult> {
  const base = {
    rollout: check.rollout,
    analysis: check.analysis,
    template: check.template,
    clusterScope: check.clusterScope,
    metric: check.metric,
    provider: check.provider,
    query: check.query,
    rewrites: check.rewrites,
    data: false,
  };
  if (check.error) return { ...base, outcome: check.provider === 'prometheus' || check.provider === '-' ? PreflightOutcome.ERROR : PreflightOutcome.SKIPPED, detail: check.error };
  let result: InstantResult;
  try {
    result = await run(check.query!);
  } catch (e) {
    if (e instanceof QueryError) return { ...base, outcome: PreflightOutcome.ERROR, detail: `Prometheus rejects the query: ${e.message}` };
    throw e;
  }
  // As the controller's provider: a vector is an array of its values, a scalar one number, anything else an error.
  if (result.resultType !== 'vector' && result.resultType !== 'scalar') {
    return { ...base, outcome: PreflightOutcome.ERROR, detail: `the query returns a ${result.resultType}: the controller measures Error (Prometheus metric type not supported)` };
  }
  const numbers = result.samples.map((s) => sampleNumber(s.value));
  const value = `[${result.samples.map((s) => s.value).join(',')}]`;
  const phase = measurementPhase(result.resultType === 'scalar' ? numbers[0] : numbers, check.successCondition, check.failureCondition);
  const measured = { ...base, data: result.samples.length > 0, value: result.resultType === 'scalar' ? result.samples[0].value : value, phase };
  if (result.samples.length === 0) {
    return { ...measured, outcome: PreflightOutcome.NO_DATA, detail: `${await diagnoseNoData(check.query!, client)} (the controller would measure ${phase})` };
  }
  const outcome = phase === MeasurementPhase.SUCCESSFUL ? PreflightOutcome.PASS : phase === MeasurementPhase.FAILED ? PreflightOutcome.FAIL
    : phase === MeasurementPhase.INCONCLUSIVE ? PreflightOutcome.INCONCLUSIVE : PreflightOutcome.ERROR;
  return { ...measured, outcome, detail: outcome === PreflightOutcome.ERROR ? 'the controller cannot evaluate the conditions on this value (Error)' : undefined };
}
