import { eq, re } from './promql';
import { escapeRegex } from '../analysis/promql';
import type { IRollout } from '../rollout/rollout-base';

/**
 * Which rollouts an alert set watches: one rollout, every rollout of a namespace, or every rollout
 * the controller manages.
 */
export class RolloutSelection {
  /** One rollout (its name and namespace). */
  public static one(rollout: IRollout): RolloutSelection {
    return new RolloutSelection(rollout.metadata.namespace, rollout);
  }

  /** Every rollout in a namespace. */
  public static inNamespace(namespace: string): RolloutSelection {
    return new RolloutSelection(namespace, undefined);
  }

  /** Every rollout the controller reports. */
  public static all(): RolloutSelection {
    return new RolloutSelection(undefined, undefined);
  }

  private constructor(
    /** The namespace, unless the scope is every rollout. */
    public readonly namespace: string | undefined,
    /** The rollout, when the scope is one rollout. */
    public readonly rollout: IRollout | undefined) {}

  /** `rollout portal in data-platform`, `rollouts in data-platform` or `all rollouts`. */
  public get description(): string {
    if (this.rollout) return `rollout ${this.rollout.name}${this.namespace ? ` in ${this.namespace}` : ''}`;
    return this.namespace ? `rollouts in ${this.namespace}` : 'all rollouts';
  }

  /**
   * Matchers selecting the scope in the controller's rollout metrics (`rollout_info...`, labels
   * `namespace` and `name`).
   * @internal
   */
  public _rolloutMatchers(): string[] {
    return [
      ...(this.namespace ? [eq('namespace', this.namespace)] : []),
      ...(this.rollout ? [eq('name', this.rollout.name)] : []),
    ];
  }

  /**
   * Matchers selecting the scope's AnalysisRuns in `analysis_run_*` metrics, whose `name` is the
   * run's: `<rollout>-<pod hash>-<revision>[-<step>|-pre|-post][.<n>]`.
   * @internal
   */
  public _analysisRunMatchers(): string[] {
    return [
      ...(this.namespace ? [eq('namespace', this.namespace)] : []),
      re('name', this._analysisRunName()),
    ];
  }

  /**
   * A regex over AnalysisRun names whose group 1 is the rollout name.
   * @internal
   */
  public _analysisRunName(): string {
    const rollout = this.rollout ? escapeRegex(this.rollout.name) : '.+?';
    return `(${rollout})-[a-z0-9]+-[0-9]+(?:-(?:[0-9]+|pre|post))?(?:\\.[0-9]+)?`;
  }
}
