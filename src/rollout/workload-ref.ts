import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';

/**
 * What the controller does with the referenced Deployment once the Rollout runs its pods
 * (`workloadRef.scaleDown`).
 *
 * `ON_SUCCESS` and `PROGRESSIVELY` make the controller write `spec.replicas` of the Deployment:
 * its ClusterRole needs `update` and `patch` on `deployments` (argo-rollouts #3672), and a GitOps
 * tool that syncs the Deployment's `replicas` back will fight it (ignore that field in Argo CD).
 */
export enum DeploymentScaleDown {
  /** The Deployment keeps running; scale it down yourself once the Rollout is healthy. */
  NEVER = 'never',
  /** The controller scales the Deployment to zero once the Rollout is healthy. */
  ON_SUCCESS = 'onsuccess',
  /** The controller scales the Deployment down as the Rollout scales up. */
  PROGRESSIVELY = 'progressively',
}

/**
 * A Deployment whose pod template a Rollout uses (`spec.workloadRef`), so a running Deployment can
 * be migrated to a Rollout without downtime: the Rollout starts its own pods from the Deployment's
 * template, then (with `scaleDown`) the controller scales the Deployment down.
 */
export class WorkloadRef {
  /**
   * A Deployment of this app. Its pod labels are checked against the rollout's selector at synth time.
   */
  public static fromDeployment(deployment: kplus.Deployment, scaleDown?: DeploymentScaleDown): WorkloadRef {
    return new WorkloadRef(deployment.name, scaleDown, deployment);
  }

  /** A Deployment that exists in the rollout's namespace already, by name. */
  public static fromDeploymentName(name: string, scaleDown?: DeploymentScaleDown): WorkloadRef {
    return new WorkloadRef(name, scaleDown);
  }

  private constructor(
    /** `metadata.name` of the Deployment. */
    public readonly name: string,
    /** The scale-down mode; undefined means the controller's `never`. */
    public readonly scaleDown?: DeploymentScaleDown,
    /** The Deployment construct, when it is part of this app. */
    public readonly deployment?: kplus.Deployment,
  ) {}

  /**
   * The labels of the Deployment's pods, when the Deployment is part of this app.
   * @internal
   */
  public _podLabels(): { [key: string]: string } | undefined {
    if (!this.deployment) return undefined;
    return ApiObject.of(this.deployment).toJson().spec?.template?.metadata?.labels ?? {};
  }

  /** The `spec.workloadRef` object of the Rollout. */
  public toJson(): any {
    return { apiVersion: 'apps/v1', kind: 'Deployment', name: this.name, scaleDown: this.scaleDown };
  }
}
