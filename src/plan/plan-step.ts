/** One metric of an analysis template: what is measured, how often, and when it passes. */
export interface PlanCheck {
  /** The template that declares the metric. */
  readonly template: string;
  /** The metric's name. */
  readonly metric: string;
  /** The metric provider: `prometheus`, `web`, `job`, `datadog`... */
  readonly provider: string;
  /**
   * The condition a measurement must meet to pass.
   * @default - none
   */
  readonly successCondition?: string;
  /**
   * The condition that makes a measurement fail.
   * @default - none
   */
  readonly failureCondition?: string;
  /**
   * Seconds before the first measurement.
   * @default 0
   */
  readonly initialDelaySeconds?: number;
  /**
   * Seconds between measurements.
   * @default - a single measurement
   */
  readonly intervalSeconds?: number;
  /**
   * Measurements taken (after argument substitution).
   * @default - 1 without an interval; unbounded (runs until stopped) with one
   */
  readonly count?: number;
  /**
   * Failed measurements tolerated before the analysis fails.
   * @default 0
   */
  readonly failureLimit?: number;
  /**
   * Seconds from the start of the analysis until the metric can have passed.
   * @default - unknown: the metric runs until stopped, or its count is not a number
   */
  readonly minimumSeconds?: number;
}

/** An analysis the rollout runs, with the checks of the templates found in the input. */
export interface PlanAnalysis {
  /** Names of the templates run together in one AnalysisRun. */
  readonly templates: string[];
  /** The metrics of the templates that are in the input. */
  readonly checks: PlanCheck[];
  /** Templates that are not in the input: their checks and duration are unknown. */
  readonly missingTemplates: string[];
  /**
   * Seconds until every metric can have passed (the longest metric).
   * @default - unknown (a template is missing or a metric has no bounded duration)
   */
  readonly minimumSeconds?: number;
}

/**
 * One row of a plan: the steps that change traffic or routes, then at most one step that holds
 * the rollout (a pause, an analysis, an experiment or a plugin). The last row is full promotion.
 */
export interface PlanStep {
  /** Row number, from 1. */
  readonly position: number;
  /** Indexes of the Rollout's `spec.strategy.canary.steps` this row covers (none for blue-green and the final row). */
  readonly specSteps: number[];
  /** What happens, in words, e.g. `set weight 20%`, `pause 5m`. */
  readonly actions: string[];
  /** Percentage of traffic the new version gets during the row. */
  readonly weight: number;
  /**
   * Seconds the row waits before going on by itself.
   * @default - no timed wait
   */
  readonly pauseSeconds?: number;
  /** A person must promote the rollout to leave this row (`kubectl argo rollouts promote`). */
  readonly manualPromotion: boolean;
  /**
   * The analysis that must pass to leave this row.
   * @default - none
   */
  readonly analysis?: PlanAnalysis;
  /** Background analysis runs during this row. */
  readonly backgroundAnalysis: boolean;
  /** Header routes active during the row, e.g. `canary-header: X-Canary exact "true"`. */
  readonly headerRoutes: string[];
  /** Mirror routes active during the row. */
  readonly mirrorRoutes: string[];
  /** Caveats: canary scale, unknown durations, step plugins. */
  readonly notes: string[];
  /** Minimum seconds from the start of the update to this row (manual promotions counted as instant). */
  readonly startSeconds: number;
  /**
   * Minimum seconds the row takes (manual promotions counted as instant).
   * @default - unknown (an analysis, experiment or plugin of unknown duration)
   */
  readonly minimumSeconds?: number;
}

/** Background analysis of a canary: runs from `startingStep` until full promotion; a failure aborts. */
export interface PlanBackgroundAnalysis extends PlanAnalysis {
  /** Index of the spec step at which it starts. */
  readonly startingStep: number;
}
