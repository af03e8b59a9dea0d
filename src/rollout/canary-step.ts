import { Duration } from 'cdk8s';
import { BaselineVsCanaryOptions, ExperimentSpecRef, ExperimentStepOptions, renderExperimentStep } from './experiment';
import type { IRollout } from './rollout-base';
import { AnalysisArgument } from '../analysis/analysis-argument';
import { TARGET_ARGS } from '../analysis/query-target';
import { AnalysisKind, renderRolloutAnalysis, RolloutAnalysisOptions } from '../analysis/rollout-analysis';
import { RuleViolation } from '../validation/rule-violation';

/** A string match of a header, path or method route: exactly one of exact, prefix or regex. */
export class StringMatch {
  /** Matches the whole value. */
  public static exact(value: string): StringMatch {
    return new StringMatch({ exact: value });
  }
  /** Matches values that start with `value`. */
  public static prefix(value: string): StringMatch {
    return new StringMatch({ prefix: value });
  }
  /** Matches an RE2 regular expression. */
  public static regex(value: string): StringMatch {
    return new StringMatch({ regex: value });
  }
  private constructor(private readonly json: { [kind: string]: string }) {}
  /** The `StringMatch` object of the Rollout spec. */
  public toJson(): any {
    return { ...this.json };
  }
}

/** One header condition of a header route. */
export interface HeaderMatch {
  /** Header name, e.g. `X-Canary`. */
  readonly name: string;
  /** How its value must match. */
  readonly value: StringMatch;
}

/** A header route: requests matching every header go to the canary. */
export interface HeaderRouteOptions {
  /** Route name; listed in `managedRoutes` automatically. */
  readonly name: string;
  /** The header conditions (all must match). */
  readonly match: HeaderMatch[];
}

/** One request condition of a mirror route (fields set in one match must all hold). */
export interface MirrorMatch {
  /** @default - any method */
  readonly method?: StringMatch;
  /** @default - any path */
  readonly path?: StringMatch;
  /** @default - any headers */
  readonly headers?: { [name: string]: StringMatch };
}

/** A mirror route: copies matching requests to the canary, whose answers are discarded. */
export interface MirrorRouteOptions {
  /** Route name; listed in `managedRoutes` automatically. */
  readonly name: string;
  /**
   * Percentage of matching requests to mirror.
   * @default 100
   */
  readonly percentage?: number;
  /**
   * Request conditions (any may match). A mirror step without `match` removes the route in the
   * controller, so "all requests" is written as a path prefix `/`.
   * @default - all requests
   */
  readonly match?: MirrorMatch[];
}

/** What a step renders to. @internal */
export interface RenderedStep {
  readonly json: any;
  readonly violations: RuleViolation[];
}

/** Formats a duration the way the seeds write pauses: `30s`, `2m`, `1h`. */
export function formatDuration(duration: Duration): string {
  const seconds = duration.toSeconds();
  if (seconds > 0 && seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds > 0 && seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

/**
 * One step of a canary plan (`spec.strategy.canary.steps[]`).
 */
export class CanaryStep {
  /** Sends `weight` percent of traffic to the canary (0 to 100, or to the split's maxTrafficWeight). */
  public static weight(weight: number): CanaryStep {
    return new CanaryStep('setWeight', () => ({ setWeight: weight }));
  }

  /** Waits for `duration`, then goes on. */
  public static pause(duration: Duration): CanaryStep {
    return new CanaryStep('pause', () => ({ pause: { duration: formatDuration(duration) } }));
  }

  /** Waits until a person promotes the rollout (`kubectl argo rollouts promote`). */
  public static pauseUntilPromoted(): CanaryStep {
    return new CanaryStep('pause', () => ({ pause: {} }));
  }

  /** Runs an analysis and waits for its result; its metrics must end (have a count). */
  public static analysis(options: RolloutAnalysisOptions): CanaryStep {
    return new CanaryStep('analysis', (rollout, index) =>
      renderRolloutAnalysis(options, rollout, `spec.strategy.canary.steps[${index}].analysis`, AnalysisKind.STEP), options);
  }

  /**
   * Runs an experiment: ReplicaSets of the rollout's stable and/or canary pod template, optionally
   * with traffic weights and analyses, for `duration`; the rollout goes on once it succeeds.
   */
  public static experiment(options: ExperimentStepOptions): CanaryStep {
    return new CanaryStep('experiment', (rollout, index) =>
      renderExperimentStep(options, rollout, `spec.strategy.canary.steps[${index}].experiment`), undefined, undefined, options);
  }

  /**
   * Baseline vs canary, in one step: an experiment running a `baseline` (stable pod template) and
   * a `canary` (new pod template) side by side, with `analysis` comparing them: its `stable-hash`
   * and `canary-hash` args are the two experiment ReplicaSets' pod-template hashes, so it compares
   * pods that started at the same time rather than a long-running stable.
   */
  public static baselineVsCanary(options: BaselineVsCanaryOptions): CanaryStep {
    const template = (name: string, specRef: ExperimentSpecRef) => ({ name, specRef, replicas: options.replicas, weight: options.weight });
    return CanaryStep.experiment({
      templates: [template('baseline', ExperimentSpecRef.STABLE), template('canary', ExperimentSpecRef.CANARY)],
      duration: options.duration,
      analyses: [{
        name: 'baseline-vs-canary',
        template: options.analysis,
        args: [
          AnalysisArgument.value(TARGET_ARGS.stableHash, '{{templates.baseline.podTemplateHash}}'),
          AnalysisArgument.value(TARGET_ARGS.canaryHash, '{{templates.canary.podTemplateHash}}'),
          ...(options.args ?? []),
        ],
      }],
    });
  }

  /** Scales the canary to a fixed number of pods, independent of the traffic weight (traffic routing only). */
  public static canaryScaleReplicas(replicas: number): CanaryStep {
    return new CanaryStep('setCanaryScale', () => ({ setCanaryScale: { replicas } }));
  }

  /** Scales the canary to a percentage of `spec.replicas`, independent of the traffic weight (traffic routing only). */
  public static canaryScaleWeight(weight: number): CanaryStep {
    return new CanaryStep('setCanaryScale', () => ({ setCanaryScale: { weight } }));
  }

  /** Scales the canary to match its traffic weight again (traffic routing only). */
  public static matchTrafficWeight(): CanaryStep {
    return new CanaryStep('setCanaryScale', () => ({ setCanaryScale: { matchTrafficWeight: true } }));
  }

  /** Routes requests whose headers match to the canary (Istio, Gateway API plugin; not nginx). */
  public static headerRoute(options: HeaderRouteOptions): CanaryStep {
    return new CanaryStep('setHeaderRoute', () => ({
      setHeaderRoute: {
        name: options.name,
        match: options.match.map((m) => ({ headerName: m.name, headerValue: m.value.toJson() })),
      },
    }), undefined, options.name);
  }

  /** Removes a header route set by an earlier step. */
  public static removeHeaderRoute(name: string): CanaryStep {
    return new CanaryStep('setHeaderRoute', () => ({ setHeaderRoute: { name } }), undefined, name);
  }

  /** Mirrors matching requests to the canary (Istio only: the controller refuses it with any other traffic split). */
  public static mirrorRoute(options: MirrorRouteOptions): CanaryStep {
    return new CanaryStep('setMirrorRoute', () => ({
      setMirrorRoute: {
        name: options.name,
        ...(options.percentage !== undefined ? { percentage: options.percentage } : {}),
        match: (options.match ?? [{ path: StringMatch.prefix('/') }]).map((m) => ({
          ...(m.method ? { method: m.method.toJson() } : {}),
          ...(m.path ? { path: m.path.toJson() } : {}),
          ...(m.headers ? { headers: Object.fromEntries(Object.entries(m.headers).map(([k, v]) => [k, v.toJson()])) } : {}),
        })),
      },
    }), undefined, options.name);
  }

  /** Removes a mirror route set by an earlier step. */
  public static removeMirrorRoute(name: string): CanaryStep {
    return new CanaryStep('setMirrorRoute', () => ({ setMirrorRoute: { name } }), undefined, name);
  }

  /** A step plugin (alpha in Argo Rollouts), registered in the controller's `stepPlugins`. */
  public static plugin(name: string, config: { [key: string]: any }): CanaryStep {
    return new CanaryStep('plugin', () => ({ plugin: { name, config } }));
  }

  private constructor(
    /** The step's kind: `setWeight`, `pause`, `analysis`, `experiment`, `setCanaryScale`, `setHeaderRoute`, `setMirrorRoute` or `plugin`. */
    public readonly kind: string,
    private readonly renderer: (rollout: IRollout, index: number) => any,
    /** The analysis this step runs, if it is an analysis step. */
    public readonly analysisOptions?: RolloutAnalysisOptions,
    /** The header or mirror route this step sets or removes. */
    public readonly routeName?: string,
    /** The experiment this step runs, if it is an experiment step. */
    public readonly experimentOptions?: ExperimentStepOptions,
  ) {}

  /** @internal */
  public _render(rollout: IRollout, index: number): RenderedStep {
    const out = this.renderer(rollout, index);
    if (this.kind === 'analysis') return { json: { analysis: out.json }, violations: out.violations };
    if (this.kind === 'experiment') return { json: { experiment: out.json }, violations: out.violations };
    return { json: out, violations: [] };
  }
}

/** Options of `CanarySteps.progressive`. */
export interface ProgressiveStepsOptions {
  /**
   * Canary weights, in order. The rollout promotes to 100% after the last one.
   * @default [10, 25, 50]
   */
  readonly weights?: number[];
  /**
   * Pause after each weight (ignored when `pauses` is set).
   * @default Duration.minutes(5)
   */
  readonly pause?: Duration;
  /**
   * One pause per weight, in order (seed 000: 2, 5, 5 and 5 minutes after 5/20/50/80).
   * @default - `pause` after every weight
   */
  readonly pauses?: Duration[];
  /**
   * An analysis step after each pause.
   * @default - none (use the rollout's background analysis)
   */
  readonly analysis?: RolloutAnalysisOptions;
}

/** Ready-made canary plans. */
export class CanarySteps {
  /**
   * The seeds' usual plan: for each weight, `weight`, a pause, and (optionally) an analysis step.
   * `progressive({ weights: [20, 40, 60, 80], pause: Duration.minutes(2) })` is seed 001's plan.
   */
  public static progressive(options: ProgressiveStepsOptions = {}): CanaryStep[] {
    const weights = options.weights ?? [10, 25, 50];
    const pause = options.pause ?? Duration.minutes(5);
    if (options.pauses && options.pauses.length !== weights.length) {
      throw new Error(`CanarySteps.progressive: pauses: ${options.pauses.length} pause(s) for ${weights.length} weight(s) (allowed: one pause per weight)`);
    }
    return weights.flatMap((weight, i) => [
      CanaryStep.weight(weight),
      CanaryStep.pause(options.pauses?.[i] ?? pause),
      ...(options.analysis ? [CanaryStep.analysis(options.analysis)] : []),
    ]);
  }

  private constructor() {}
}
