import { Duration } from 'cdk8s';
import { BlueGreenStrategyOptions } from './blue-green-rollout';
import { CanaryStrategyOptions } from './canary-rollout';
import { CanaryStep, CanarySteps } from './canary-step';
import { DeliveryStrategy } from './progressive-service';

/**
 * Analysis thresholds of an environment, as plain values analysis checks take (fractions, not
 * percent: 0.99 is 99%). Unset means "no such check in this environment".
 */
export interface AnalysisThresholds {
  /**
   * Lowest acceptable share of non-5xx responses.
   * @default - no success-rate check
   */
  readonly minSuccessRate?: number;
  /**
   * Highest acceptable 95th-percentile latency.
   * @default - no latency check
   */
  readonly maxLatencyP95?: Duration;
  /**
   * Highest acceptable CPU usage, as a share of the containers' CPU limits.
   * @default - no CPU check
   */
  readonly maxCpuUtilization?: number;
  /**
   * Highest acceptable memory working set, as a share of the containers' memory limits.
   * @default - no memory check
   */
  readonly maxMemoryUtilization?: number;
  /**
   * Lowest acceptable share of ready pods.
   * @default - no readiness check
   */
  readonly minReadyRatio?: number;
  /**
   * Failed measurements of the traffic checks (success rate, latency) that abort the release; the
   * controller counts every failure of the run, consecutive or not.
   * @default - the analysis construct's default
   */
  readonly failuresToAbort?: number;
  /**
   * Failed measurements of the resource and readiness checks that abort the release (every failure
   * of the run counts, consecutive or not).
   * @default - the analysis construct's default
   */
  readonly resourceFailuresToAbort?: number;
}

/** What an environment profile sets; every field overrides the preset's. */
export interface EnvironmentProfileOptions {
  /**
   * Release through a Rollout (`false`: a plain Deployment, as seed 003 does in dev).
   * @default true
   */
  readonly progressive?: boolean;
  /**
   * Canary weights, in order; the rollout promotes to 100% after the last one.
   * @default - the preset's
   */
  readonly weights?: number[];
  /**
   * The pause after each weight: one per weight, one for all weights, or none (no pauses).
   * @default - the preset's
   */
  readonly pauses?: Duration[];
  /**
   * Analysis thresholds, merged field by field over the preset's.
   * @default - the preset's
   */
  readonly thresholds?: AnalysisThresholds;
  /**
   * Blue-green: wait for `kubectl argo rollouts promote` instead of promoting a ready preview.
   * @default - the preset's
   */
  readonly manualPromotion?: boolean;
  /**
   * Blue-green: how long the old version keeps running after the cutover (the rollback window).
   * @default - the preset's
   */
  readonly rollbackWindow?: Duration;
}

/**
 * A typed release plan for one environment (dev fast, staging moderate, production slow) that sets
 * canary steps, pauses, analysis thresholds and blue-green promotion together. Start from a preset
 * and override what differs:
 *
 * ```ts
 * EnvironmentProfile.production({ thresholds: { maxLatencyP95: Duration.millis(300) } })
 * ```
 */
export class EnvironmentProfile {
  /** Seed 004's dev plan: straight to 100%, no pauses, no analysis, automatic promotion. */
  public static dev(overrides: EnvironmentProfileOptions = {}): EnvironmentProfile {
    return new EnvironmentProfile('dev', { progressive: true, weights: [100], pauses: [], thresholds: {}, manualPromotion: false, rollbackWindow: Duration.seconds(30) }, overrides);
  }

  /** Seed 004's staging plan (50% for 5 minutes) with seed 003's staging thresholds. */
  public static staging(overrides: EnvironmentProfileOptions = {}): EnvironmentProfile {
    return new EnvironmentProfile('staging', {
      progressive: true,
      weights: [50],
      pauses: [Duration.minutes(5)],
      thresholds: {
        minSuccessRate: 0.97,
        maxLatencyP95: Duration.millis(300),
        maxCpuUtilization: 0.75,
        maxMemoryUtilization: 0.80,
        minReadyRatio: 0.99,
        failuresToAbort: 2,
        resourceFailuresToAbort: 1,
      },
      manualPromotion: false,
      rollbackWindow: Duration.minutes(5),
    }, overrides);
  }

  /** Seed 004's production plan (10/25/50/75% over 45 minutes) with seed 003's production thresholds. */
  public static production(overrides: EnvironmentProfileOptions = {}): EnvironmentProfile {
    return new EnvironmentProfile('production', {
      progressive: true,
      weights: [10, 25, 50, 75],
      pauses: [Duration.minutes(10), Duration.minutes(10), Duration.minutes(15), Duration.minutes(10)],
      thresholds: {
        minSuccessRate: 0.99,
        maxLatencyP95: Duration.millis(200),
        maxCpuUtilization: 0.70,
        maxMemoryUtilization: 0.75,
        minReadyRatio: 0.999,
        failuresToAbort: 2,
        resourceFailuresToAbort: 1,
      },
      manualPromotion: true,
      rollbackWindow: Duration.minutes(5),
    }, overrides);
  }

  /** A profile of your own, e.g. `custom('qa', { weights: [20, 100], pauses: [Duration.minutes(2)] })`. */
  public static custom(name: string, options: EnvironmentProfileOptions): EnvironmentProfile {
    return new EnvironmentProfile(name, { progressive: true, weights: [], pauses: [], thresholds: {}, manualPromotion: false }, options);
  }

  /** Whether the environment releases through a Rollout. */
  public readonly progressive: boolean;
  /** Canary weights, in order. */
  public readonly weights: number[];
  /** Pauses after the weights (one per weight, one for all, or none). */
  public readonly pauses: Duration[];
  /** Analysis thresholds. */
  public readonly thresholds: AnalysisThresholds;
  /** Whether a blue-green preview waits for a person to promote it. */
  public readonly manualPromotion: boolean;
  /** How long the old blue-green version keeps running after the cutover. */
  public readonly rollbackWindow?: Duration;

  private constructor(
    /** The environment's name, e.g. `production`. */
    public readonly name: string,
    preset: EnvironmentProfileOptions,
    overrides: EnvironmentProfileOptions,
  ) {
    this.progressive = overrides.progressive ?? preset.progressive ?? true;
    this.weights = [...(overrides.weights ?? preset.weights ?? [])];
    this.pauses = [...(overrides.pauses ?? preset.pauses ?? [])];
    this.thresholds = { ...preset.thresholds, ...definedFields(overrides.thresholds ?? {}) };
    this.manualPromotion = overrides.manualPromotion ?? preset.manualPromotion ?? false;
    this.rollbackWindow = overrides.rollbackWindow ?? preset.rollbackWindow;
    this.check();
  }

  /** The canary steps: each weight followed by its pause. */
  public get steps(): CanaryStep[] {
    return this.weights.flatMap((weight, i) => {
      const pause = this.pauses.length === 1 ? this.pauses[0] : this.pauses[i];
      return pause ? CanarySteps.progressive({ weights: [weight], pause }) : [CanaryStep.weight(weight)];
    });
  }

  /** Canary options with this profile's steps (unless `options` has its own). */
  public canary(options: CanaryStrategyOptions = {}): CanaryStrategyOptions {
    return { ...options, steps: options.steps ?? this.steps };
  }

  /** Blue-green options with this profile's promotion and rollback window (unless `options` has its own). */
  public blueGreen(options: BlueGreenStrategyOptions = {}): BlueGreenStrategyOptions {
    return {
      ...options,
      autoPromotionEnabled: options.autoPromotionEnabled ?? (this.manualPromotion ? false : undefined),
      scaleDownDelay: options.scaleDownDelay ?? this.rollbackWindow,
    };
  }

  /** The `ProgressiveService` switch for this environment: a canary, or a Deployment when not progressive. */
  public canaryDelivery(options: CanaryStrategyOptions = {}): DeliveryStrategy {
    return this.progressive ? DeliveryStrategy.canary(this.canary(options)) : DeliveryStrategy.deployment();
  }

  /** The `ProgressiveService` switch for this environment: blue-green, or a Deployment when not progressive. */
  public blueGreenDelivery(options: BlueGreenStrategyOptions = {}): DeliveryStrategy {
    return this.progressive ? DeliveryStrategy.blueGreen(this.blueGreen(options)) : DeliveryStrategy.deployment();
  }

  private check(): void {
    const fail = (property: string, message: string, allowed: string): never => {
      throw new Error(`EnvironmentProfile "${this.name}": ${property}: ${message} (allowed: ${allowed})`);
    };
    if (this.pauses.length > 1 && this.pauses.length !== this.weights.length) {
      fail('pauses', `${this.pauses.length} pauses for ${this.weights.length} weights`, 'one pause per weight, one for all weights, or none');
    }
    this.weights.forEach((w, i) => {
      if (!Number.isInteger(w) || w < 0 || w > 100) fail(`weights[${i}]`, `SetWeight needs to be between 0 and 100, got ${w}`, 'integers from 0 to 100');
    });
    const t = this.thresholds;
    const fractions: Array<[string, number | undefined]> = [
      ['minSuccessRate', t.minSuccessRate], ['maxCpuUtilization', t.maxCpuUtilization],
      ['maxMemoryUtilization', t.maxMemoryUtilization], ['minReadyRatio', t.minReadyRatio],
    ];
    for (const [property, value] of fractions) {
      if (value !== undefined && !(value >= 0 && value <= 1)) {
        fail(`thresholds.${property}`, `${value} is not a fraction`, `0 to 1 (${value > 1 && value <= 100 ? `${value / 100} for ${value}%` : '0.99 for 99%'})`);
      }
    }
    for (const [property, value] of [['failuresToAbort', t.failuresToAbort], ['resourceFailuresToAbort', t.resourceFailuresToAbort]] as Array<[string, number | undefined]>) {
      if (value !== undefined && !(Number.isInteger(value) && value >= 1)) fail(`thresholds.${property}`, `${value}`, 'an integer >= 1');
    }
  }
}

/** The fields of an object that are set (so `{ x: undefined }` does not erase a preset). */
function definedFields<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}
