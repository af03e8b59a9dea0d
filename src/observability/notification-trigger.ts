/**
 * An Argo Rollouts notification trigger: the built-in ones (one per event the controller emits), or
 * any other event reason (`on-` + kebab-case reason, as the notifications engine derives it).
 */
export class NotificationTrigger {
  /** The rollout finished: every step done, the new version is stable. */
  public static readonly ROLLOUT_COMPLETED = new NotificationTrigger('on-rollout-completed', 'rollout-completed', 'completed', '#18be52');
  /** A canary step finished. */
  public static readonly ROLLOUT_STEP_COMPLETED = new NotificationTrigger('on-rollout-step-completed', 'rollout-step-completed', 'completed a step', '#18be52');
  /** The pod template changed: a release started. */
  public static readonly ROLLOUT_UPDATED = new NotificationTrigger('on-rollout-updated', 'rollout-updated', 'was updated', '#0dadea');
  /** A ReplicaSet was scaled. */
  public static readonly SCALING_REPLICA_SET = new NotificationTrigger('on-scaling-replica-set', 'scaling-replicaset', 'scaled a ReplicaSet', '#0dadea');
  /** The rollout was aborted and traffic went back to the stable version. */
  public static readonly ROLLOUT_ABORTED = new NotificationTrigger('on-rollout-aborted', 'rollout-aborted', 'was aborted', '#e01e5a');
  /** The rollout paused (a pause step, or an inconclusive analysis). */
  public static readonly ROLLOUT_PAUSED = new NotificationTrigger('on-rollout-paused', 'rollout-paused', 'is paused', '#0dadea');
  /** An analysis run started. */
  public static readonly ANALYSIS_RUN_RUNNING = new NotificationTrigger('on-analysis-run-running', 'analysis-run-running', 'started an analysis run', '#0dadea');
  /** An analysis run errored (the rollout aborts). */
  public static readonly ANALYSIS_RUN_ERROR = new NotificationTrigger('on-analysis-run-error', 'analysis-run-error', 'has an analysis run in error', '#ecb22e');
  /** An analysis run failed (the rollout aborts). */
  public static readonly ANALYSIS_RUN_FAILED = new NotificationTrigger('on-analysis-run-failed', 'analysis-run-failed', 'has a failed analysis run', '#e01e5a');

  /**
   * A trigger for another Kubernetes event reason of the rollout (e.g. `RolloutResumed`,
   * `AnalysisRunSuccessful`): `on-rollout-resumed`. It needs a `RolloutNotificationConfig` to define it.
   */
  public static onEvent(reason: string): NotificationTrigger {
    if (!/^[A-Z][a-zA-Z0-9]*$/.test(reason)) {
      throw new Error(`NotificationTrigger.onEvent: "${reason}" is not an event reason (allowed: UpperCamelCase, e.g. RolloutResumed)`);
    }
    const kebab = reason.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
    return new NotificationTrigger(`on-${kebab}`, kebab, `event ${reason}`, '#0dadea');
  }

  private constructor(
    /** The trigger name used in subscriptions (`on-rollout-completed`). */
    public readonly name: string,
    /** The template the trigger sends. */
    public readonly templateName: string,
    /** What happened, after the rollout name (`was aborted`). */
    public readonly summary: string,
    /** Slack attachment colour. */
    public readonly color: string) {}

  /** Whether the controller's default notification ConfigMap defines it. */
  public get builtIn(): boolean {
    return BUILT_IN.includes(this.name);
  }
}

const BUILT_IN = [
  NotificationTrigger.ROLLOUT_COMPLETED, NotificationTrigger.ROLLOUT_STEP_COMPLETED, NotificationTrigger.ROLLOUT_UPDATED,
  NotificationTrigger.SCALING_REPLICA_SET, NotificationTrigger.ROLLOUT_ABORTED, NotificationTrigger.ROLLOUT_PAUSED,
  NotificationTrigger.ANALYSIS_RUN_RUNNING, NotificationTrigger.ANALYSIS_RUN_ERROR, NotificationTrigger.ANALYSIS_RUN_FAILED,
].map((t) => t.name);
