import { Duration } from 'cdk8s';
import { MetricOptions } from './metric-options';
import { PodMetrics } from './pod-metrics';
import { QueryTarget, TrafficRole } from './query-target';
import { RequestMetrics, SuccessStatuses } from './request-metrics';
import { RuleViolation } from '../validation/rule-violation';

/**
 * What a check concludes when its query has no data: no series (no traffic yet, wrong labels) or
 * NaN (series, but no requests in the window). Without a policy, Argo's `result[0]` would error
 * on an empty result and fail on NaN, by accident.
 */
export enum NoDataPolicy {
  /** The measurement fails (`len(result) > 0 && !isNaN(result[0]) && <good>` as the success condition). */
  FAIL = 'fail',
  /** The measurement succeeds (`len(result) == 0 || isNaN(result[0]) || <good>`). */
  PASS = 'pass',
  /**
   * The measurement is inconclusive (success and failure conditions both require data): past
   * `inconclusiveLimit`, the rollout pauses for a human instead of promoting blind or aborting.
   */
  INCONCLUSIVE = 'inconclusive',
}

/** Options every built-in check has. */
export interface CheckOptions extends MetricOptions {
  /**
   * Metric name (unique in the analysis).
   * @default - the check's kind, e.g. `success-rate`, `latency-p99`
   */
  readonly name?: string;
  /**
   * PromQL range of rates and increases; at least 4 scrape intervals.
   * @default - the analysis's window (2 minutes)
   */
  readonly window?: Duration;
  /**
   * Outcome when the query has no data.
   * @default NoDataPolicy.INCONCLUSIVE
   */
  readonly noData?: NoDataPolicy;
}

/** Options of `AnalysisCheck.successRate`. */
export interface SuccessRateCheckOptions extends CheckOptions {
  /** Minimum fraction (0-1) of canary requests answered with a success status, e.g. 0.99. */
  readonly atLeast: number;
  /**
   * The statuses counted as success.
   * @default SuccessStatuses.non5xx()
   */
  readonly successStatuses?: SuccessStatuses;
}

/** Options of `AnalysisCheck.errorRate`. */
export interface ErrorRateCheckOptions extends CheckOptions {
  /** The fraction (0-1) of canary requests answered with an error status must stay below this, e.g. 0.01. */
  readonly below: number;
  /**
   * The statuses counted as success; every other status is an error.
   * @default SuccessStatuses.non5xx() (errors are 5xx)
   */
  readonly successStatuses?: SuccessStatuses;
}

/** Options of `AnalysisCheck.latency`. */
export interface LatencyCheckOptions extends CheckOptions {
  /** The percentile, e.g. 95 or 99. */
  readonly percentile: number;
  /** The canary's percentile latency must stay below this. */
  readonly below: Duration;
}

/** Options of `AnalysisCheck.cpu` and `AnalysisCheck.memory`. */
export interface ResourceCheckOptions extends CheckOptions {
  /** Maximum usage as a fraction (0-1) of the containers' limits, e.g. 0.8. */
  readonly atMost: number;
}

/** Options of `AnalysisCheck.podRestarts`. */
export interface PodRestartsCheckOptions extends CheckOptions {
  /**
   * Maximum container restarts of the canary pods within the window.
   * @default 0
   */
  readonly atMost?: number;
}

/** Options of `AnalysisCheck.readiness`. */
export interface ReadinessCheckOptions extends CheckOptions {
  /**
   * Minimum fraction (0-1) of canary pods that are Ready.
   * @default 1
   */
  readonly atLeast?: number;
}

/** Options of `AnalysisCheck.canaryVsStable`. */
export interface CanaryVsStableCheckOptions extends CheckOptions {
  /**
   * The latency percentile compared.
   * @default 95
   */
  readonly percentile?: number;
  /**
   * How much slower (a fraction) the canary may be than the stable, e.g. 0.2 for 20 %.
   * @default 0.2
   */
  readonly maxSlowdown?: number;
}

/** Options of `AnalysisCheck.promql`. */
export interface PromqlCheckOptions extends MetricOptions {
  /** Metric name. */
  readonly name: string;
  /**
   * The query; `{{args.x}}` placeholders become template arguments (the library supplies
   * `namespace`, `rollout-name`, `canary-hash`, `stable-hash`, `canary-service`, `stable-service`,
   * `stable-ingress`; pass others in the rollout's analysis `args`).
   */
  readonly query: string;
  /**
   * Condition for success, in the supported subset (`result[0] < 10`, `len(result) == 0 || ...`).
   * @default - success unless the failure condition holds
   */
  readonly successCondition?: string;
  /**
   * Condition for failure, in the supported subset.
   * @default - failure unless the success condition holds
   */
  readonly failureCondition?: string;
}

/** What a check renders its query for. @internal */
export interface CheckContext {
  readonly requestMetrics: RequestMetrics;
  readonly target: QueryTarget;
  readonly window: Duration;
}

/** A rendered check: the metric's name, query and conditions. @internal */
export interface RenderedCheck {
  readonly name: string;
  readonly query: string;
  readonly successCondition?: string;
  readonly failureCondition?: string;
}

type Comparison = '>=' | '<' | '<=';
const NEGATION: Record<Comparison, string> = { '>=': '<', '<': '>=', '<=': '>' };

interface CheckSpec {
  readonly name: string;
  readonly query: (ctx: CheckContext, window: Duration) => string;
  readonly comparison?: Comparison;
  readonly threshold?: number;
  readonly successCondition?: string;
  readonly failureCondition?: string;
  readonly problems: string[];
  readonly latencyPercentile?: number;
}

/**
 * One metric of a `PrometheusAnalysis`: a ready-made check whose query follows the rollout's
 * traffic source, or raw PromQL. Every built-in check measures the canary only and has an explicit
 * no-data policy.
 */
export class AnalysisCheck {
  /** Fraction of canary requests answered without a 5xx, at least `atLeast`. */
  public static successRate(options: SuccessRateCheckOptions): AnalysisCheck {
    return new AnalysisCheck(options, {
      name: 'success-rate',
      query: (c, w) => c.requestMetrics.successRatio(TrafficRole.CANARY, c.target, w, options.successStatuses),
      comparison: '>=',
      threshold: options.atLeast,
      problems: fraction('atLeast', options.atLeast),
    });
  }

  /** Fraction of canary requests answered with an error status (5xx by default), below `below`. */
  public static errorRate(options: ErrorRateCheckOptions): AnalysisCheck {
    return new AnalysisCheck(options, {
      name: 'error-rate',
      query: (c, w) => c.requestMetrics.errorRatio(TrafficRole.CANARY, c.target, w, options.successStatuses),
      comparison: '<',
      threshold: options.below,
      problems: fraction('below', options.below),
    });
  }

  /** The canary's latency percentile, below `below` (in seconds in the query, whatever the router's unit). */
  public static latency(options: LatencyCheckOptions): AnalysisCheck {
    return new AnalysisCheck(options, {
      name: `latency-p${options.percentile}`,
      query: (c, w) => c.requestMetrics.latency(options.percentile, TrafficRole.CANARY, c.target, w),
      comparison: '<',
      threshold: options.below.toMilliseconds() / 1000,
      problems: [...percentile(options.percentile), ...(options.below.toMilliseconds() > 0 ? [] : ['below must be more than 0'])],
      latencyPercentile: options.percentile,
    });
  }

  /** CPU used by the canary pods, at most `atMost` of their CPU limits (pods without limits: no data). */
  public static cpu(options: ResourceCheckOptions): AnalysisCheck {
    return new AnalysisCheck(options, {
      name: 'cpu',
      query: (c, w) => PodMetrics.cpuLimitRatio(TrafficRole.CANARY, c.target, w),
      comparison: '<=',
      threshold: options.atMost,
      problems: fraction('atMost', options.atMost),
    });
  }

  /** Working-set memory of the canary's fullest container, at most `atMost` of its limit. */
  public static memory(options: ResourceCheckOptions): AnalysisCheck {
    return new AnalysisCheck(options, {
      name: 'memory',
      query: (c) => PodMetrics.memoryLimitRatio(TrafficRole.CANARY, c.target),
      comparison: '<=',
      threshold: options.atMost,
      problems: fraction('atMost', options.atMost),
    });
  }

  /** Container restarts of the canary pods within the window, at most `atMost` (default 0). */
  public static podRestarts(options: PodRestartsCheckOptions = {}): AnalysisCheck {
    const atMost = options.atMost ?? 0;
    return new AnalysisCheck(options, {
      name: 'pod-restarts',
      query: (c, w) => PodMetrics.restarts(TrafficRole.CANARY, c.target, w),
      comparison: '<=',
      threshold: atMost,
      problems: Number.isInteger(atMost) && atMost >= 0 ? [] : [`atMost ${atMost} is not an integer >= 0`],
    });
  }

  /** Fraction of canary pods that are Ready, at least `atLeast` (default 1: all). */
  public static readiness(options: ReadinessCheckOptions = {}): AnalysisCheck {
    const atLeast = options.atLeast ?? 1;
    return new AnalysisCheck(options, {
      name: 'readiness',
      query: (c) => PodMetrics.readyRatio(TrafficRole.CANARY, c.target),
      comparison: '>=',
      threshold: atLeast,
      problems: fraction('atLeast', atLeast),
    });
  }

  /** The canary's latency percentile divided by the stable's, at most 1 + `maxSlowdown`. */
  public static canaryVsStable(options: CanaryVsStableCheckOptions = {}): AnalysisCheck {
    const p = options.percentile ?? 95;
    const maxSlowdown = options.maxSlowdown ?? 0.2;
    return new AnalysisCheck(options, {
      name: `canary-vs-stable-p${p}`,
      query: (c, w) => `(${c.requestMetrics.latency(p, TrafficRole.CANARY, c.target, w)}) / (${c.requestMetrics.latency(p, TrafficRole.STABLE, c.target, w)})`,
      comparison: '<=',
      threshold: Math.round((1 + maxSlowdown) * 1e9) / 1e9,
      problems: [...percentile(p), ...(maxSlowdown >= 0 ? [] : [`maxSlowdown ${maxSlowdown} is negative`])],
    });
  }

  /** Any PromQL query with conditions of its own (in the supported subset, checked at synth time). */
  public static promql(options: PromqlCheckOptions): AnalysisCheck {
    return new AnalysisCheck(options, {
      name: options.name,
      query: () => options.query,
      successCondition: options.successCondition,
      failureCondition: options.failureCondition,
      problems: [],
    });
  }

  /** The metric name. */
  public readonly name: string;
  /** The outcome without data (built-in checks). */
  public readonly noData?: NoDataPolicy;
  /** The latency percentile a latency check gates (e.g. 99), so a dashboard can show the same. */
  public readonly latencyPercentile?: number;
  private readonly options: CheckOptions;
  private readonly spec: CheckSpec;

  private constructor(options: CheckOptions, spec: CheckSpec) {
    this.options = options;
    this.spec = spec;
    this.name = options.name ?? spec.name;
    this.latencyPercentile = spec.latencyPercentile;
    this.noData = spec.comparison ? (options.noData ?? NoDataPolicy.INCONCLUSIVE) : undefined;
  }

  /** The check's own measurement options. @internal */
  public get _measurement(): MetricOptions {
    return this.options;
  }

  /** The check's own window, if it has one. @internal */
  public get _window(): Duration | undefined {
    return this.options.window;
  }

  /** Problems with the check's options, for the construct that uses it to report. @internal */
  public _problems(property: string): RuleViolation[] {
    return this.spec.problems.map((message) => ({ property, field: 'spec.metrics[].provider.prometheus.query', message: `check "${this.name}": ${message}`, allowed: message.includes('fraction') ? 'a fraction between 0 and 1 (0.99, not 99)' : 'see the option\'s documentation' }));
  }

  /** The query and conditions for a traffic source. @internal */
  public _render(context: CheckContext): RenderedCheck {
    const query = this.spec.query(context, this.options.window ?? context.window);
    const { comparison, threshold } = this.spec;
    if (!comparison || threshold === undefined) {
      return { name: this.name, query, successCondition: this.spec.successCondition, failureCondition: this.spec.failureCondition };
    }
    const good = `result[0] ${comparison} ${threshold}`;
    const bad = `result[0] ${NEGATION[comparison]} ${threshold}`;
    const data = 'len(result) > 0 && !isNaN(result[0])';
    switch (this.noData) {
      case NoDataPolicy.PASS:
        return { name: this.name, query, successCondition: `len(result) == 0 || isNaN(result[0]) || ${good}` };
      case NoDataPolicy.FAIL:
        return { name: this.name, query, successCondition: `${data} && ${good}` };
      default:
        return { name: this.name, query, successCondition: `${data} && ${good}`, failureCondition: `${data} && ${bad}` };
    }
  }
}

function fraction(name: string, value: number): string[] {
  return value >= 0 && value <= 1 ? [] : [`${name} ${value} is not a fraction between 0 and 1`];
}

function percentile(value: number): string[] {
  return value > 0 && value < 100 ? [] : [`percentile ${value} is not between 0 and 100 (exclusive)`];
}
