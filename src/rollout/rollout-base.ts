import { ApiObject, ApiObjectMetadataDefinition, Duration, Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct, IConstruct } from 'constructs';
import { podTemplateMetadata, selectorLabelsPodSelectorConfig } from './pod-metadata';
import { WorkloadRef } from './workload-ref';
import type { IAnalysisTemplate } from '../analysis/analysis-template';
import { API_KINDS } from '../synth/api-kinds';
import type { ITrafficSplit, RouterMetrics } from '../traffic/traffic-split';
import { checkNumber, PORT_RANGE, wholeSeconds } from '../validation/numbers';
import { validateRolloutSpec } from '../validation/rollout-rules';
import { addRuleValidation, RuleViolation, throwViolation } from '../validation/rule-violation';

/** The label the controller adds to pods and to the Services it manages; never part of a user selector. */
export const POD_TEMPLATE_HASH_LABEL = 'rollouts-pod-template-hash';

/**
 * A Rollout, as analysis templates, traffic splits and observability constructs see it.
 */
export interface IRollout extends IConstruct {
  /** `metadata.name` of the Rollout. */
  readonly name: string;
  /** `metadata` of the Rollout (namespace, labels, annotations). */
  readonly metadata: ApiObjectMetadataDefinition;
  /** The labels its selector matches (also on every pod and in every Service selector). */
  readonly selectorLabels: { [key: string]: string };
  /** The Service with the production traffic: stable (canary) or active (blue-green). */
  readonly stableService: kplus.Service;
  /** The Service of the new version: canary (canary) or preview (blue-green). */
  readonly canaryService: kplus.Service;
  /** The traffic split, for a canary with traffic routing. */
  readonly trafficSplit?: ITrafficSplit;
  /** The traffic split's request metrics, for a canary whose router has them. */
  readonly routerMetrics?: RouterMetrics;
}

/** Horizontal pod autoscaling of a workload (an autoscaling/v2 HPA whose target is the Rollout or Deployment). */
export interface RolloutAutoscalingOptions {
  /**
   * Minimum replicas.
   * @default 1
   */
  readonly minReplicas?: number;
  /** Maximum replicas. */
  readonly maxReplicas: number;
  /**
   * Target average CPU utilisation, in percent of the containers' CPU requests.
   * @default 70 (when no memory target is given either)
   */
  readonly targetCpuUtilizationPercent?: number;
  /**
   * Target average memory utilisation, in percent of the containers' memory requests.
   * @default - no memory target
   */
  readonly targetMemoryUtilizationPercent?: number;
}

/** Properties shared by canary and blue-green rollouts. */
export interface RolloutBaseProps extends kplus.WorkloadProps {
  /**
   * Number of pods. Leave it unset with `autoscaling`: the HPA owns the count (a fixed value is an error).
   * @default 2 (none with `autoscaling`)
   */
  readonly replicas?: number;
  /**
   * Labels that select the rollout's pods; added to the pod template and to every Service selector.
   * @default { 'app.kubernetes.io/name': <rollout name> }
   */
  readonly selectorLabels?: { [key: string]: string };
  /**
   * Minimum time a new pod must be ready before it counts as available.
   * @default Duration.seconds(0)
   */
  readonly minReady?: Duration;
  /**
   * Time the rollout may make no progress before it is reported as failed.
   * @default Duration.seconds(600)
   */
  readonly progressDeadline?: Duration;
  /**
   * Abort the update when the progress deadline passes, so a crash-looping new version rolls back
   * on its own instead of staying half-deployed.
   * @default true
   */
  readonly progressDeadlineAbort?: boolean;
  /**
   * Old ReplicaSets kept for rollback.
   * @default 10 (the controller's default; not written)
   */
  readonly revisionHistoryLimit?: number;
  /**
   * Ports of the generated Services.
   * @default - one port per container port, same number as the container's
   */
  readonly servicePorts?: kplus.ServicePort[];
  /**
   * An HPA (autoscaling/v2) whose `scaleTargetRef` is this Rollout.
   * @default - no autoscaling
   */
  readonly autoscaling?: RolloutAutoscalingOptions;
  /**
   * Take the pod template from an existing Deployment instead of `containers` (migration without
   * downtime). The rollout then has no pod template of its own: give no containers, volumes or
   * pod metadata, and make `selectorLabels` select the Deployment's pods.
   * @default - the pod template is built from this rollout's own containers
   */
  readonly workloadRef?: WorkloadRef;
}

/** What a strategy renders to. @internal */
export interface RenderedStrategy {
  readonly strategy: any;
  readonly violations: RuleViolation[];
}

/**
 * The workload part shared by `CanaryRollout` and `BlueGreenRollout`: a cdk8s-plus Workload (so
 * containers, volumes, probes, security context and scheduling are cdk8s-plus's, with its secure
 * defaults) rendered as an Argo Rollout, plus its Services and optional HPA.
 */
export abstract class RolloutBase extends kplus.Workload implements IRollout, kplus.IScalable {
  public readonly resourceType = 'rollouts';
  public hasAutoscaler = false;
  public readonly selectorLabels: { [key: string]: string };
  public readonly replicas?: number;
  public readonly minReady: Duration;
  public readonly progressDeadline: Duration;
  /** The HPA, when `autoscaling` is set. */
  public readonly autoscaler?: kplus.HorizontalPodAutoscaler;
  /** The Deployment whose pod template this rollout uses, if any. */
  public readonly workloadRef?: WorkloadRef;
  public abstract readonly stableService: kplus.Service;
  public abstract readonly canaryService: kplus.Service;
  public abstract readonly trafficSplit?: ITrafficSplit;
  public abstract readonly routerMetrics?: RouterMetrics;
  /** The analysis templates the rollout runs (background or pre-promotion first, then in step order). */
  public abstract readonly analysisTemplates: IAnalysisTemplate[];

  protected readonly apiObject: ApiObject;
  /** What the last render of the spec broke (set by the lazy spec). */
  private renderViolations: RuleViolation[] = [];
  private readonly progressDeadlineAbort: boolean;
  private readonly revisionHistoryLimit?: number;
  private readonly servicePorts?: kplus.ServicePort[];

  constructor(scope: Construct, id: string, props: RolloutBaseProps) {
    super(scope, id, { ...props, select: false });
    this.apiObject = new ApiObject(this, 'Resource', {
      ...API_KINDS.rollout,
      metadata: props.metadata,
      spec: Lazy.any({
        produce: () => {
          const { spec, violations } = this.renderSpec();
          this.renderViolations = violations;
          return spec;
        },
      }),
    });
    this.selectorLabels = props.selectorLabels ?? { 'app.kubernetes.io/name': this.name };
    if (Object.keys(this.selectorLabels).length === 0) {
      throwViolation(this, { property: 'selectorLabels', field: 'spec.selector', message: 'Invalid value: {}: empty selector is invalid for deployment', allowed: 'at least one label' });
    }
    if (POD_TEMPLATE_HASH_LABEL in this.selectorLabels) {
      throwViolation(this, { property: 'selectorLabels', field: 'spec.selector', message: `the controller owns the label '${POD_TEMPLATE_HASH_LABEL}'`, allowed: 'labels other than rollouts-pod-template-hash' });
    }
    this.select(kplus.LabelSelector.of({ labels: this.selectorLabels }));
    for (const [key, value] of Object.entries(this.selectorLabels)) this.podMetadata.addLabel(key, value);
    this.workloadRef = props.workloadRef;
    if (props.workloadRef) this.checkWorkloadRef(props);

    this.replicas = props.replicas;
    (props.servicePorts ?? []).forEach((p, i) => {
      checkNumber(this, `servicePorts[${i}].port`, 'spec.ports[].port', p.port, PORT_RANGE);
      checkNumber(this, `servicePorts[${i}].targetPort`, 'spec.ports[].targetPort', p.targetPort, PORT_RANGE);
      checkNumber(this, `servicePorts[${i}].nodePort`, 'spec.ports[].nodePort', p.nodePort, PORT_RANGE);
    });
    (props.containers ?? []).forEach((c, i) => {
      checkNumber(this, `containers[${i}].portNumber`, 'spec.template.spec.containers[].ports[].containerPort', c.portNumber, PORT_RANGE);
      (c.ports ?? []).forEach((p, j) => checkNumber(this, `containers[${i}].ports[${j}].number`, 'spec.template.spec.containers[].ports[].containerPort', p.number, PORT_RANGE));
    });
    this.minReady = props.minReady ?? Duration.seconds(0);
    this.progressDeadline = props.progressDeadline ?? Duration.seconds(600);
    wholeSeconds(this, 'minReady', 'spec.minReadySeconds', this.minReady);
    wholeSeconds(this, 'terminationGracePeriod', 'spec.template.spec.terminationGracePeriodSeconds', props.terminationGracePeriod);
    wholeSeconds(this, 'progressDeadline', 'spec.progressDeadlineSeconds', this.progressDeadline);
    this.progressDeadlineAbort = props.progressDeadlineAbort ?? true;
    this.revisionHistoryLimit = props.revisionHistoryLimit;
    this.servicePorts = props.servicePorts;

    this.autoscaler = props.autoscaling && createAutoscaler(this, this, props.autoscaling);

    addRuleValidation(this, () => this.validate());
  }

  /** A rollout with workloadRef has an empty pod template (section A, rule 4) in its namespace's Deployment. */
  private checkWorkloadRef(props: RolloutBaseProps): void {
    const podProperties = ['containers', 'initContainers', 'volumes', 'podMetadata'] as const;
    for (const property of podProperties) {
      const value: any = props[property];
      if (value !== undefined && (!Array.isArray(value) || value.length > 0)) {
        throwViolation(this, { property, field: 'spec.template', message: 'Internal error: template must be empty for workload reference rollout', allowed: `no ${property}: the pod template comes from Deployment "${props.workloadRef!.name}"` });
      }
    }
    const deployment = props.workloadRef!.deployment;
    if (deployment && deployment.metadata.namespace !== this.metadata.namespace) {
      throwViolation(this, { property: 'workloadRef', field: 'spec.workloadRef.name', message: `Deployment "${deployment.name}" is in namespace "${deployment.metadata.namespace}", the rollout in "${this.metadata.namespace}"`, allowed: 'a Deployment in the rollout\'s namespace' });
    }
  }

  /**
   * Creates a ClusterIP Service selecting this rollout's pods (the controller narrows it to one
   * ReplicaSet with the pod-template-hash label).
   */
  protected createService(id: string, name: string): kplus.Service {
    const containers = this.workloadRef?.deployment?.containers ?? this.containers;
    return createSelectorService(this, id, {
      name, namespace: this.metadata.namespace, selectorLabels: this.selectorLabels, ports: this.servicePorts ?? containerServicePorts(containers),
    });
  }

  /** Other pods select this rollout's pods by its selector labels (its pod template has no construct-path label). */
  public toPodSelectorConfig(): kplus.PodSelectorConfig {
    return selectorLabelsPodSelectorConfig(this, this.selectorLabels);
  }

  /** @see IScalable.markHasAutoscaler() */
  public markHasAutoscaler(): void {
    this.hasAutoscaler = true;
  }

  /** @see IScalable.toScalingTarget() */
  public toScalingTarget(): kplus.ScalingTarget {
    return {
      kind: this.apiObject.kind,
      apiVersion: this.apiObject.apiVersion,
      name: this.name,
      containers: this.workloadRef?.deployment?.containers ?? this.containers,
      replicas: this.replicas,
    };
  }

  /**
   * Renders `spec.strategy` and reports what the controller would reject in it beyond section A.
   * @internal
   */
  public abstract _renderStrategy(): RenderedStrategy;

  /**
   * Cross-object checks of the strategy (Services, templates...), run at synth time.
   * @internal
   */
  public abstract _validateReferences(spec: any, podLabels: { [key: string]: string }): RuleViolation[];

  private renderSpec(): { spec: any; violations: RuleViolation[] } {
    const { strategy, violations } = this._renderStrategy();
    const spec: any = {
      replicas: this.hasAutoscaler ? undefined : (this.replicas ?? 2),
      selector: this._toLabelSelector(),
      workloadRef: this.workloadRef?.toJson(),
      template: this.workloadRef ? undefined
        : kplus.k8s.toJson_PodTemplateSpec({ metadata: podTemplateMetadata(this.podMetadata), spec: withPortProtocols(this._toPodSpec()) }),
      minReadySeconds: wholeSeconds(this, 'minReady', 'spec.minReadySeconds', this.minReady) || undefined,
      progressDeadlineSeconds: wholeSeconds(this, 'progressDeadline', 'spec.progressDeadlineSeconds', this.progressDeadline),
      progressDeadlineAbort: this.progressDeadlineAbort || undefined,
      revisionHistoryLimit: this.revisionHistoryLimit,
      strategy,
    };
    return { spec, violations };
  }

  private validate(): RuleViolation[] {
    // The final object, JSON patches included, is what the controller will see; rendering it also
    // reports what the strategy's analyses and steps break.
    const spec = this.apiObject.toJson().spec;
    return [
      ...validateRolloutSpec(spec), ...this.renderViolations, ...this.validateWorkloadRef(spec),
      ...this._validateReferences(spec, this.podLabels(spec)),
    ];
  }

  /** The labels of the pods the rollout runs: its template's, or the referenced Deployment's. */
  private podLabels(spec: any): { [key: string]: string } {
    if (!spec.workloadRef) return spec.template?.metadata?.labels ?? {};
    return this.workloadRef?._podLabels() ?? this.selectorLabels;
  }

  /** The selector must match the referenced Deployment's pods, as the controller checks once it resolves the template. */
  private validateWorkloadRef(spec: any): RuleViolation[] {
    const podLabels = this.workloadRef?._podLabels();
    if (!spec.workloadRef || !podLabels) return [];
    const missing = Object.entries(this.selectorLabels).filter(([key, value]) => podLabels[key] !== value);
    if (missing.length === 0) return [];
    return [{ property: 'selectorLabels', field: 'spec.selector', message: `Invalid value: ${JSON.stringify(spec.selector)}: \`selector\` does not match template \`labels\` of Deployment "${this.workloadRef!.name}"`, allowed: `labels of its pods: ${JSON.stringify(podLabels)}` }];
  }
}

/**
 * The pod spec with every container port's `protocol` written (`TCP` when unset): the Rollout CRD
 * (and the API server, for a Deployment) defaults it, so the stored object, and so its pod-template
 * hash, is the same and a server-side apply shows no drift.
 */
export function withPortProtocols(spec: kplus.k8s.PodSpec): kplus.k8s.PodSpec {
  const ports = (containers?: kplus.k8s.Container[]) => containers?.map((c) => (c.ports
    ? { ...c, ports: c.ports.map((p) => ({ ...p, protocol: p.protocol ?? 'TCP' })) } : c));
  return { ...spec, containers: ports(spec.containers)!, initContainers: ports(spec.initContainers) };
}

/** Service ports matching the containers' ports one to one. */
export function containerServicePorts(containers: kplus.Container[]): kplus.ServicePort[] {
  return containers.flatMap((c) => c.ports).map((p) => ({ port: p.number, targetPort: p.number, protocol: p.protocol, name: p.name }));
}

/** What `createSelectorService` creates. */
export interface SelectorServiceOptions {
  /** `metadata.name`. */
  readonly name: string;
  /** @default - the chart's */
  readonly namespace?: string;
  /** Labels of the Service and its selector. */
  readonly selectorLabels: { [key: string]: string };
  /** Its ports; at least one. */
  readonly ports: kplus.ServicePort[];
}

/**
 * A ClusterIP Service whose selector is exactly `selectorLabels` (no construct-path label), so the
 * same Service selects a Deployment's or a Rollout's pods alike.
 */
export function createSelectorService(scope: Construct, id: string, options: SelectorServiceOptions): kplus.Service {
  if (options.ports.length === 0) {
    throwViolation(scope, { property: 'containers', field: 'spec.template.spec.containers[].ports', message: `cannot create Service "${options.name}": no container declares a port`, allowed: 'a container with portNumber or ports, or servicePorts' });
  }
  const service = new kplus.Service(scope, id, {
    metadata: { name: options.name, namespace: options.namespace, labels: options.selectorLabels },
    ports: options.ports,
  });
  for (const [key, value] of Object.entries(options.selectorLabels)) service.selectLabel(key, value);
  return service;
}

/** An autoscaling/v2 HPA named after its target, scaling on CPU (default 70%) and/or memory utilisation. */
export function createAutoscaler(scope: Construct, target: kplus.IScalable & kplus.Workload, options: RolloutAutoscalingOptions):
kplus.HorizontalPodAutoscaler {
  const min = options.minReplicas ?? 1;
  checkNumber(scope, 'autoscaling.minReplicas', 'spec.minReplicas', min, { min: 1 });
  checkNumber(scope, 'autoscaling.maxReplicas', 'spec.maxReplicas', options.maxReplicas, { min });
  checkNumber(scope, 'autoscaling.targetCpuUtilizationPercent', 'spec.metrics[].resource.target.averageUtilization', options.targetCpuUtilizationPercent, { min: 1 });
  checkNumber(scope, 'autoscaling.targetMemoryUtilizationPercent', 'spec.metrics[].resource.target.averageUtilization', options.targetMemoryUtilizationPercent, { min: 1 });
  const metrics: kplus.Metric[] = [];
  const cpu = options.targetCpuUtilizationPercent ?? (options.targetMemoryUtilizationPercent === undefined ? 70 : undefined);
  if (cpu !== undefined) metrics.push(kplus.Metric.resourceCpu(kplus.MetricTarget.averageUtilization(cpu)));
  if (options.targetMemoryUtilizationPercent !== undefined) {
    metrics.push(kplus.Metric.resourceMemory(kplus.MetricTarget.averageUtilization(options.targetMemoryUtilizationPercent)));
  }
  return new kplus.HorizontalPodAutoscaler(scope, 'Autoscaler', {
    metadata: { name: target.name, namespace: target.metadata.namespace },
    target,
    minReplicas: min,
    maxReplicas: options.maxReplicas,
    metrics,
  });
}

/**
 * Section B, rules 37 and 38: a Service the rollout references must select only labels its pods
 * carry, and must not be managed by another Rollout.
 */
export function validateServiceSelector(rollout: IRollout, service: kplus.Service, field: string, property: string,
  podLabels: { [key: string]: string }): RuleViolation[] {
  const json = ApiObject.of(service).toJson();
  const selector: Record<string, string> = json.spec?.selector ?? {};
  const violations: RuleViolation[] = [];
  for (const [key, value] of Object.entries(selector)) {
    if (key === POD_TEMPLATE_HASH_LABEL) continue;
    if (podLabels[key] !== value) {
      violations.push({ property, field, message: `Invalid value: "${json.metadata.name}": Service "${json.metadata.name}" has unmatch label "${key}" in rollout`, allowed: `a Service whose selector uses only the pod labels ${JSON.stringify(podLabels)}` });
    }
  }
  const owner = json.metadata?.annotations?.['argo-rollouts.argoproj.io/managed-by-rollouts'];
  if (owner !== undefined && owner !== rollout.name) {
    violations.push({ property, field, message: `Invalid value: "${json.metadata.name}": Service "${json.metadata.name}" is managed by another Rollout`, allowed: `a Service not managed by another Rollout (it names "${owner}")` });
  }
  return violations;
}
