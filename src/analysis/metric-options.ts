import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { goDuration } from './promql';
import { describeRange, inRange } from '../validation/numbers';
import { RuleViolation, throwViolation } from '../validation/rule-violation';

/** How often and how long a metric measures, and when it fails (AnalysisTemplate `metrics[]` fields). */
export interface MetricOptions {
  /**
   * Time between measurements.
   * @default - `PrometheusAnalysis`: Duration.minutes(1) (measuring until the rollout ends unless
   * `count` is set); other templates: one measurement, unless `count` > 1 (then required)
   */
  readonly interval?: Duration;
  /**
   * Number of measurements. With an interval and no count the metric measures until the rollout
   * ends, which only background analysis allows.
   * @default - indefinitely with an interval, else 1
   */
  readonly count?: number;
  /**
   * Delay before the first measurement, so the canary has traffic and scraped data.
   * @default - `PrometheusAnalysis`: the check's window plus one scrape interval (2m30s by
   * default); other templates: none
   */
  readonly initialDelay?: Duration;
  /**
   * Abort after this many failed measurements (`failureLimit` = N - 1). The controller counts every
   * failed measurement of the run, consecutive or not, so this is at least as strict as "N
   * consecutive failures". Not with `failureLimit`.
   * @default - the first failure aborts (failureLimit 0)
   */
  readonly failuresToAbort?: number;
  /**
   * Failed measurements tolerated before the metric fails; -1 disables (then `consecutiveSuccessLimit` is required).
   * @default 0
   */
  readonly failureLimit?: number;
  /**
   * Consecutive measurement errors (no connection, bad response) tolerated before the metric errors.
   * @default 4
   */
  readonly consecutiveErrorLimit?: number;
  /**
   * Inconclusive measurements tolerated before the run is inconclusive (the rollout pauses).
   * @default - `PrometheusAnalysis`: 2 for a check that measures until the rollout ends (no
   * `count`), else 0 (the controller's default)
   */
  readonly inconclusiveLimit?: number;
  /**
   * Consecutive successful measurements after which the metric succeeds early; 0 disables.
   * @default 0
   */
  readonly consecutiveSuccessLimit?: number;
  /**
   * Run the metric in dry-run mode: measured and reported, never failing the rollout.
   * @default false
   */
  readonly dryRun?: boolean;
}

/**
 * The measurement fields of one metric: `options` over `defaults` (a check's failuresToAbort or
 * failureLimit replaces both defaults). Throws when both are given, or `failuresToAbort` < 1.
 */
export function renderMeasurement(scope: IConstruct, property: string, options: MetricOptions, defaults: MetricOptions): any {
  const overridesFailure = options.failuresToAbort !== undefined || options.failureLimit !== undefined;
  const o = { ...defaults, ...(overridesFailure ? { failuresToAbort: undefined, failureLimit: undefined } : {}), ...definedOnly(options) };
  if (o.failuresToAbort !== undefined && o.failureLimit !== undefined) {
    throwViolation(scope, { property: `${property}.failuresToAbort`, field: 'spec.metrics[].failureLimit', message: 'failuresToAbort and failureLimit both set', allowed: 'one of failuresToAbort (N failures abort) or failureLimit (N failures tolerated)' });
  }
  if (o.failuresToAbort !== undefined && !(Number.isInteger(o.failuresToAbort) && o.failuresToAbort >= 1)) {
    throwViolation(scope, { property: `${property}.failuresToAbort`, field: 'spec.metrics[].failureLimit', message: `failuresToAbort ${o.failuresToAbort} is not a positive integer`, allowed: 'an integer >= 1' });
  }
  const failureLimit = o.failuresToAbort !== undefined ? o.failuresToAbort - 1 : o.failureLimit;
  return {
    interval: o.interval && goDuration(o.interval),
    initialDelay: o.initialDelay && goDuration(o.initialDelay),
    count: o.count,
    failureLimit,
    consecutiveErrorLimit: o.consecutiveErrorLimit,
    inconclusiveLimit: o.inconclusiveLimit,
    consecutiveSuccessLimit: o.consecutiveSuccessLimit,
  };
}

function definedOnly(options: MetricOptions): MetricOptions {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
}

/** Names of metrics that measure forever (an interval and no count): background analysis only. */
export function indefiniteMetrics(metrics: any[]): string[] {
  return metrics.filter((m) => m.interval !== undefined && !m.count).map((m) => m.name);
}

/**
 * Section C of the validation reference (rules 50-62): the checks the controller applies to an
 * AnalysisTemplate's metrics when it starts a run, with its texts (`metrics[i]: ...`).
 */
export function validateMetrics(spec: any): RuleViolation[] {
  const violations: RuleViolation[] = [];
  const metrics: any[] = spec.metrics ?? [];
  const add = (i: number, property: string, message: string, allowed: string) =>
    violations.push({ property, field: i < 0 ? 'spec.metrics' : `spec.metrics[${i}]`, message: i < 0 ? message : `metrics[${i}]: ${message}`, allowed });
  if (metrics.length === 0) add(-1, 'checks', 'no metrics specified', 'at least one check');
  const seen = new Set<string>();
  metrics.forEach((m, i) => {
    const p = `checks[${i}]`;
    if (seen.has(m.name)) add(i, `${p}.name`, `duplicate name '${m.name}'`, 'unique check names (set name on one of them)');
    seen.add(m.name);
    const failureLimit = m.failureLimit ?? 0;
    const successLimit = m.consecutiveSuccessLimit ?? 0;
    const inconclusiveLimit = m.inconclusiveLimit ?? 0;
    const count = m.count ?? 0;
    // integers (NaN, infinities and fractions are no counts; `x < 0` lets them through)
    for (const [field, min] of [['count', 0], ['failureLimit', -1], ['consecutiveSuccessLimit', 0], ['inconclusiveLimit', 0], ['consecutiveErrorLimit', 0]] as const) {
      if (typeof m[field] === 'number' && !inRange(m[field], { min })) add(i, `${p}.${field}`, `${field} ${m[field]} is not an integer >= ${min}`, describeRange({ min }));
    }
    if (successLimit < 0) add(i, `${p}.consecutiveSuccessLimit`, 'consecutiveSuccessLimit must be >= 0', 'an integer >= 0');
    if (failureLimit < -1) add(i, `${p}.failureLimit`, 'failureLimit must be >= 0, or -1 to be disabled', 'an integer >= -1');
    if (successLimit === 0 && failureLimit === -1) add(i, `${p}.failureLimit`, 'failureLimit and consecutiveSuccessLimit cannot both be disabled', 'failureLimit >= 0, or consecutiveSuccessLimit > 0');
    if (inconclusiveLimit < 0) add(i, `${p}.inconclusiveLimit`, 'inconclusiveLimit must be >= 0', 'an integer >= 0');
    if ((m.consecutiveErrorLimit ?? 0) < 0) add(i, `${p}.consecutiveErrorLimit`, 'consecutiveErrorLimit must be >= 0', 'an integer >= 0');
    if (count > 0 && failureLimit >= 0 && successLimit >= 0 && count < failureLimit + successLimit) {
      add(i, `${p}.count`, `count (${count}) must be >= failureLimit + consecutiveSuccessLimit (${failureLimit} + ${successLimit}) if both >= 0`, `a count of at least ${failureLimit + successLimit}`);
    }
    if (count > 0 && failureLimit === -1 && count < successLimit) add(i, `${p}.count`, 'count must be >= consecutiveSuccessLimit', `a count of at least ${successLimit}`);
    if (count > 0 && count < inconclusiveLimit) add(i, `${p}.count`, 'count must be >= inconclusiveLimit', `a count of at least ${inconclusiveLimit}`);
    if (count > 1 && m.interval === undefined) add(i, `${p}.interval`, 'interval must be specified when count > 1', 'an interval');
    for (const [field, name] of [['interval', 'interval'], ['initialDelay', 'startDelay']]) {
      if (m[field] !== undefined && !/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(m[field])) add(i, `${p}.${field}`, `invalid ${name} string: time: invalid duration "${m[field]}"`, 'a Go duration such as 30s, 5m');
    }
    const providers = Object.keys(m.provider ?? {}).flatMap((k) => (k === 'plugin' ? Object.keys(m.provider.plugin) : [k]));
    if (providers.length === 0) add(i, `${p}.provider`, 'no provider specified', 'exactly one provider');
    if (providers.length > 1) add(i, `${p}.provider`, 'multiple providers specified', 'exactly one provider');
  });
  (spec.dryRun ?? []).forEach((rule: any, i: number) => {
    const matches = metrics.some((m) => metricRuleMatches(rule.metricName, m.name));
    if (!matches) violations.push({ property: 'dryRun', field: `spec.dryRun[${i}]`, message: `dryRun[${i}]: Rule didn't match any metric name(s)`, allowed: `one of ${metrics.map((m) => m.name).join(', ')}` });
  });
  return violations;
}

/**
 * Whether a dry-run or measurement-retention rule matches a metric name as the controller reads it
 * (`regexp.MatchString`: anywhere in the name; an invalid expression such as `*` matches nothing).
 */
export function metricRuleMatches(rule: string, name: string): boolean {
  try {
    return new RegExp(rule).test(name);
  } catch {
    return false;
  }
}

/**
 * How many measurements an AnalysisRun keeps of the metrics a rule matches (`measurementRetention`
 * of a rollout analysis or an Experiment).
 */
export interface MeasurementRetention {
  /**
   * A metric name or regular expression, matched anywhere in the name as the controller does
   * (`error` matches `error-rate`); it must match a metric of the analysis.
   */
  readonly metricName: string;
  /** Measurements kept per matching metric (at least 1). */
  readonly limit: number;
}
