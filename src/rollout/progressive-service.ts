import { ApiObject, Chart, Duration, Names } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { BlueGreenRollout, BlueGreenStrategyOptions } from './blue-green-rollout';
import { CanaryRollout, CanaryStrategyOptions } from './canary-rollout';
import { podTemplateMetadata, selectorLabelsPodSelectorConfig } from './pod-metadata';
import { createAutoscaler, createSelectorService, RolloutAutoscalingOptions, RolloutBase, RolloutBaseProps, withPortProtocols } from './rollout-base';
import { DeploymentScaleDown, WorkloadRef } from './workload-ref';
import type { ITrafficSplit } from '../traffic/traffic-split';
import { checkNumber, COUNT_RANGE } from '../validation/numbers';
import { addObjectValidation, throwViolation } from '../validation/rule-violation';

/** Rolling-update options of a plain Deployment. */
export interface DeploymentDeliveryOptions {
  /**
   * Pods above `replicas` during the update.
   * @default PercentOrAbsolute.percent(25)
   */
  readonly maxSurge?: kplus.PercentOrAbsolute;
  /**
   * Pods that may be unavailable during the update.
   * @default PercentOrAbsolute.percent(25)
   */
  readonly maxUnavailable?: kplus.PercentOrAbsolute;
}

/** How a `ProgressiveService` releases: a plain Deployment, a canary or a blue-green Rollout. */
export class DeliveryStrategy {
  /** A cdk8s-plus Deployment with a rolling update (`rollout.enabled: false`). */
  public static deployment(options: DeploymentDeliveryOptions = {}): DeliveryStrategy {
    return new DeliveryStrategy('deployment', options);
  }

  /** A `CanaryRollout`; its stable Service is the service's own. */
  public static canary(options: CanaryStrategyOptions = {}): DeliveryStrategy {
    return new DeliveryStrategy('canary', options);
  }

  /** A `BlueGreenRollout`; its active Service is the service's own. */
  public static blueGreen(options: BlueGreenStrategyOptions = {}): DeliveryStrategy {
    return new DeliveryStrategy('blueGreen', options);
  }

  private constructor(
    /** `deployment`, `canary` or `blueGreen`. */
    public readonly kind: string,
    private readonly options: DeploymentDeliveryOptions | CanaryStrategyOptions | BlueGreenStrategyOptions,
  ) {}

  /** Whether this strategy gives an Argo Rollout. */
  public get progressive(): boolean {
    return this.kind !== 'deployment';
  }

  /** @internal */
  public _options(): any {
    return this.options;
  }
}

/** A PodDisruptionBudget (policy/v1) over the service's pods: set one of the two. */
export interface DisruptionBudgetOptions {
  /**
   * Pods that must stay available during voluntary disruptions (node drains).
   * @default - not set
   */
  readonly minAvailable?: kplus.PercentOrAbsolute;
  /**
   * Pods that may be down during voluntary disruptions.
   * @default PercentOrAbsolute.absolute(1) when minAvailable is not set
   */
  readonly maxUnavailable?: kplus.PercentOrAbsolute;
}

/** Properties of a `ProgressiveService`. */
export interface ProgressiveServiceProps extends kplus.WorkloadProps {
  /**
   * The switch: a plain Deployment or a Rollout. Nothing else in the output depends on it but the
   * workload kind, the HPA target and the Rollout's own objects (canary or preview Service...).
   * @default DeliveryStrategy.deployment()
   */
  readonly delivery?: DeliveryStrategy;
  /**
   * Number of pods. Leave unset with `autoscaling`.
   * @default 2
   */
  readonly replicas?: number;
  /**
   * Labels that select the pods, in the workload, the Service and the disruption budget alike.
   * @default { 'app.kubernetes.io/name': <name> }
   */
  readonly selectorLabels?: { [key: string]: string };
  /**
   * Ports of the Service.
   * @default - one port per container port, same number as the container's
   */
  readonly servicePorts?: kplus.ServicePort[];
  /**
   * An HPA (autoscaling/v2) whose `scaleTargetRef` is the Deployment or the Rollout.
   * @default - no autoscaling
   */
  readonly autoscaling?: RolloutAutoscalingOptions;
  /**
   * A PodDisruptionBudget selecting the service's pods.
   * @default - none
   */
  readonly disruptionBudget?: DisruptionBudgetOptions;
  /**
   * Minimum time a new pod must be ready before it counts as available.
   * @default Duration.seconds(0)
   */
  readonly minReady?: Duration;
  /**
   * Time the update may make no progress before it is reported as failed.
   * @default Duration.seconds(600)
   */
  readonly progressDeadline?: Duration;
  /**
   * Migrate a running Deployment without downtime: with a canary or blue-green `delivery`, keep the
   * Deployment exactly as it was and give the Rollout a `workloadRef` to it (no pod template of its
   * own) with this scale-down mode. Remove it (and the Deployment with it) once the Rollout is healthy.
   * @default - no migration: a Rollout replaces the Deployment
   */
  readonly migrateFromDeployment?: DeploymentScaleDown;
  /**
   * The routing objects of the service (Ingress, VirtualService, HTTPRoute...), whatever the
   * delivery: with a canary the Rollout shifts their traffic; with a plain Deployment they send all
   * of it to the Service. Flipping the switch never changes who owns the route (only the canary
   * Service is added to or removed from it). Not with blue-green, nor with a canary delivery that
   * has its own `trafficSplit`.
   * @default - no routing objects (or the canary delivery's `trafficSplit`)
   */
  readonly trafficSplit?: ITrafficSplit;
}

/**
 * One service that is released either by a plain Deployment or by an Argo Rollout, with a Service,
 * an optional HPA and an optional PodDisruptionBudget that stay the same either way (seed 004's
 * `rollout.enabled` switch): turning progressive delivery on or off shows in Argo CD as a change of
 * workload kind and HPA target only.
 */
export class ProgressiveService extends Construct {
  /** `metadata.name` of the workload, the Service, the HPA and the disruption budget. */
  public readonly name: string;
  /** The labels selecting the pods. */
  public readonly selectorLabels: { [key: string]: string };
  /** The Service selecting the pods (the Rollout's stable or active Service). */
  public readonly service: kplus.Service;
  /** The Deployment, without a rollout strategy or when migrating from it. */
  public readonly deployment?: kplus.Deployment;
  /** The Rollout, with a canary or blue-green strategy. */
  public readonly rollout?: RolloutBase;
  /** The HPA, when `autoscaling` is set. */
  public readonly autoscaler?: kplus.HorizontalPodAutoscaler;
  /** The PodDisruptionBudget, when `disruptionBudget` is set. */
  public readonly disruptionBudget?: ApiObject;

  constructor(scope: Construct, id: string, props: ProgressiveServiceProps) {
    super(scope, id);
    addObjectValidation(this);
    checkNumber(this, 'replicas', 'spec.replicas', props.replicas, COUNT_RANGE);
    const delivery = props.delivery ?? DeliveryStrategy.deployment();
    if (props.trafficSplit && delivery.kind === 'blueGreen') {
      throwViolation(this, { property: 'trafficSplit', field: 'spec.strategy.blueGreen', message: 'a blue-green Rollout switches Services, it does not shift a traffic split', allowed: 'a canary or Deployment delivery, or no trafficSplit' });
    }
    if (props.trafficSplit && delivery.kind === 'canary' && (delivery._options() as any).trafficSplit) {
      throwViolation(this, { property: 'trafficSplit', field: 'spec.strategy.canary.trafficRouting', message: 'both the service and its canary delivery have a trafficSplit', allowed: 'one of them (the service\'s, to keep the route when the switch flips)' });
    }
    if (props.migrateFromDeployment !== undefined && !delivery.progressive) {
      throwViolation(this, { property: 'migrateFromDeployment', field: 'spec.workloadRef', message: 'a migration from a Deployment needs a Rollout to migrate to', allowed: 'DeliveryStrategy.canary() or DeliveryStrategy.blueGreen() with migrateFromDeployment' });
    }
    this.name = props.metadata?.name ?? Names.toDnsLabel(this);
    const namespace = props.metadata?.namespace;
    this.selectorLabels = props.selectorLabels ?? { 'app.kubernetes.io/name': this.name };
    const metadata = { ...props.metadata, name: this.name };

    const ports = props.servicePorts ?? (props.containers ?? []).flatMap((c) => [
      ...(c.portNumber !== undefined ? [{ number: c.portNumber }] : []),
      ...(c.ports ?? []),
    ]).map((p) => ({ port: p.number, targetPort: p.number, protocol: p.protocol, name: p.name }));
    this.service = createSelectorService(this, 'Service', { name: this.name, namespace, selectorLabels: this.selectorLabels, ports });

    // Neither workload's pod template carries cdk8s-plus's construct-path label, so the template is
    // identical in the Deployment and the Rollout.
    const workloadProps: RolloutBaseProps = {
      ...props, metadata, selectorLabels: this.selectorLabels, servicePorts: ports, autoscaling: undefined,
    };
    const migrating = props.migrateFromDeployment !== undefined;
    if (!delivery.progressive || migrating) {
      const options: DeploymentDeliveryOptions = delivery.progressive ? {} : delivery._options();
      this.deployment = this.createDeployment(props, metadata, options);
    }
    if (delivery.progressive) {
      const rolloutProps: RolloutBaseProps = migrating
        ? {
          ...workloadProps,
          containers: undefined,
          initContainers: undefined,
          volumes: undefined,
          podMetadata: undefined,
          workloadRef: WorkloadRef.fromDeployment(this.deployment!, props.migrateFromDeployment),
        }
        : workloadProps;
      const rolloutId = migrating ? 'Rollout' : 'Workload';
      const split = props.trafficSplit ? { trafficSplit: props.trafficSplit } : {};
      this.rollout = delivery.kind === 'canary'
        ? new CanaryRollout(this, rolloutId, { ...rolloutProps, ...delivery._options(), ...split, stableService: this.service })
        : new BlueGreenRollout(this, rolloutId, { ...rolloutProps, ...delivery._options(), activeService: this.service });
    }

    if (props.trafficSplit && !delivery.progressive) {
      props.trafficSplit.routeToService({
        workload: this, name: this.name, namespace: namespace ?? Chart.of(this).namespace, selectorLabels: this.selectorLabels, service: this.service,
      });
    }

    if (props.autoscaling) {
      // While migrating, the Deployment keeps the shape it had under the HPA (no replicas).
      if (migrating) this.deployment!.markHasAutoscaler();
      this.autoscaler = createAutoscaler(this, (this.rollout ?? this.deployment)!, props.autoscaling);
    }
    if (props.disruptionBudget) this.disruptionBudget = this.createDisruptionBudget(props.disruptionBudget, namespace);
  }

  private createDeployment(props: ProgressiveServiceProps, metadata: any, options: DeploymentDeliveryOptions): kplus.Deployment {
    const deployment = new SelectorLabelsDeployment(this, 'Workload', {
      ...props,
      metadata,
      select: false,
      strategy: kplus.DeploymentStrategy.rollingUpdate({ maxSurge: options.maxSurge, maxUnavailable: options.maxUnavailable }),
    });
    deployment.selectorLabels = this.selectorLabels;
    deployment.select(kplus.LabelSelector.of({ labels: this.selectorLabels }));
    for (const [key, value] of Object.entries(this.selectorLabels)) deployment.podMetadata.addLabel(key, value);
    return deployment;
  }

  private createDisruptionBudget(options: DisruptionBudgetOptions, namespace: string | undefined): ApiObject {
    if (options.minAvailable && options.maxUnavailable) {
      throwViolation(this, { property: 'disruptionBudget', field: 'spec.minAvailable', message: 'minAvailable and maxUnavailable cannot be both set', allowed: 'one of minAvailable, maxUnavailable' });
    }
    const budget = options.minAvailable
      ? { minAvailable: options.minAvailable.value }
      : { maxUnavailable: (options.maxUnavailable ?? kplus.PercentOrAbsolute.absolute(1)).value };
    return new ApiObject(this, 'DisruptionBudget', {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: this.name, namespace, labels: this.selectorLabels },
      spec: { selector: { matchLabels: this.selectorLabels }, ...budget },
    });
  }
}

/** A Deployment whose pod template has no construct-path label and whose pods are selected by its selector labels. */
class SelectorLabelsDeployment extends kplus.Deployment {
  public selectorLabels: { [key: string]: string } = {};

  public toPodSelectorConfig(): kplus.PodSelectorConfig {
    return selectorLabelsPodSelectorConfig(this, this.selectorLabels);
  }

  /** @internal */
  public _toKube(): kplus.k8s.DeploymentSpec {
    const spec = super._toKube();
    // The same pod template as the Rollout it becomes (protocols written as the Rollout writes them).
    const podSpec = spec.template.spec && withPortProtocols(spec.template.spec);
    return { ...spec, template: { ...spec.template, metadata: podTemplateMetadata(this.podMetadata), spec: podSpec } };
  }
}
