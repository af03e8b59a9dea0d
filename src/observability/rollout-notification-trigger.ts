/**
 * An Argo Rollouts notification trigger: the built-in ones (one per event the controller emits), or
 * any other event reason (`on-` + kebab-case reason, as the notifications engine derives it).
 */
export class RolloutNotificationTrigger {
  /** The rollout finished: every step done, the new version is stable. */
  public static readonly ROLLOUT_COMPLETED = new RolloutNotificationTrigger('on-rollout-completed', 'rollout-completed');
  /** A canary step finished. */
  public static readonly ROLLOUT_STEP_COMPLETED = new RolloutNotificationTrigger('on-rollout-step-completed', 'rollout-step-completed');
  /** The pod template changed: a release started. */
  public static readonly ROLLOUT_UPDATED = new RolloutNotificationTrigger('on-rollout-updated', 'rollout-updated');
  /** A ReplicaSet was scaled. */
  public static readonly SCALING_REPLICA_SET = new RolloutNotificationTrigger('on-scaling-replica-set', 'scaling-replicaset');
  /** The rollout was aborted and traffic went back to the stable version. */
  public static readonly ROLLOUT_ABORTED = new RolloutNotificationTrigger('on-rollout-aborted', 'rollout-aborted');
  /** The rollout paused (a pause step, or an inconclusive analysis). */
  public static readonly ROLLOUT_PAUSED = new RolloutNotificationTrigger('on-rollout-paused', 'rollout-paused');
  /** An analysis run started. */
  public static readonly ANALYSIS_RUN_RUNNING = new RolloutNotificationTrigger('on-analysis-run-running', 'analysis-run-running');
  /** An analysis run errored (the rollout aborts). */
  public static readonly ANALYSIS_RUN_ERROR = new RolloutNotificationTrigger('on-analysis-run-error', 'analysis-run-error');
  /** An analysis run failed (the rollout aborts). */
  public static readonly ANALYSIS_RUN_FAILED = new RolloutNotificationTrigger('on-analysis-run-failed', 'analysis-run-failed');

  /**
   * A trigger for another Kubernetes event reason of the rollout (e.g. `RolloutResumed`,
   * `AnalysisRunSuccessful`): `on-rollout-resumed`. The controller's notification settings must define it.
   */
  public static onEvent(reason: string): RolloutNotificationTrigger {
    if (!/^[A-Z][a-zA-Z0-9]*$/.test(reason)) {
      throw new Error(`RolloutNotificationTrigger.onEvent: "${reason}" is not an event reason (allowed: UpperCamelCase, e.g. RolloutResumed)`);
    }
    const kebab = reason.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
    return new RolloutNotificationTrigger(`on-${kebab}`, kebab);
  }

  private constructor(
    /** The trigger name used in subscriptions (`on-rollout-completed`). */
    public readonly name: string,
    /** The template the trigger sends (in the controller's default ConfigMap, for built-in triggers). */
    public readonly templateName: string) {}

  /** Whether the controller's default notification ConfigMap defines it. */
  public get builtIn(): boolean {
    return BUILT_IN.includes(this.name);
  }
}

const BUILT_IN = [
  RolloutNotificationTrigger.ROLLOUT_COMPLETED, RolloutNotificationTrigger.ROLLOUT_STEP_COMPLETED, RolloutNotificationTrigger.ROLLOUT_UPDATED,
  RolloutNotificationTrigger.SCALING_REPLICA_SET, RolloutNotificationTrigger.ROLLOUT_ABORTED, RolloutNotificationTrigger.ROLLOUT_PAUSED,
  RolloutNotificationTrigger.ANALYSIS_RUN_RUNNING, RolloutNotificationTrigger.ANALYSIS_RUN_ERROR, RolloutNotificationTrigger.ANALYSIS_RUN_FAILED,
].map((t) => t.name);
