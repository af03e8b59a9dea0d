import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { CanaryStep } from './canary-step';
import { AntiAffinity, EphemeralMetadata, renderEphemeralMetadata, validateEphemeralMetadata } from './pod-metadata';
import { RenderedStrategy, RolloutBase, RolloutBaseProps, validateServiceSelector } from './rollout-base';
import type { IAnalysisTemplate } from '../analysis/analysis-template';
import { AnalysisKind, BackgroundAnalysisOptions, defaultStartingStep, noteAnalysisRun, registerAnalysisUse, renderRolloutAnalysis } from '../analysis/rollout-analysis';
import { ITrafficSplit, RouterMetrics, TrafficSplitBinding } from '../traffic/traffic-split';
import { requireCdk8sPlus27 } from '../validation/cdk8s-plus';
import { checkNumber, COUNT_RANGE, wholeSeconds } from '../validation/numbers';
import { RuleViolation, throwViolation } from '../validation/rule-violation';

/** The canary strategy of a rollout: its plan, traffic split and analysis. */
export interface CanaryStrategyOptions {
  /**
   * The canary plan. `CanarySteps.progressive()` gives the seeds' usual one.
   * @default - no steps: an update goes to 100% once the new pods are ready
   */
  readonly steps?: CanaryStep[];
  /**
   * How traffic is shifted (ingress-nginx, Istio, Gateway API...).
   * @default - none: the weight is approximated by the ratio of canary to stable pods
   */
  readonly trafficSplit?: ITrafficSplit;
  /**
   * Analysis that runs for the whole update and aborts it on failure.
   * @default - none
   */
  readonly backgroundAnalysis?: BackgroundAnalysisOptions;
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
  /**
   * How long the old ReplicaSet keeps running after traffic left it (traffic routing only).
   * @default - the controller's 30 seconds
   */
  readonly scaleDownDelay?: Duration;
  /**
   * How long the canary keeps running after an abort (traffic routing only); zero keeps it.
   * @default - the controller's 30 seconds
   */
  readonly abortScaleDownDelay?: Duration;
  /**
   * Scale the stable ReplicaSet down as traffic leaves it (traffic routing only; not with scaleDownDelay).
   * @default false
   */
  readonly dynamicStableScale?: boolean;
  /**
   * Minimum pods per ReplicaSet with traffic routing.
   * @default - the controller's 1
   */
  readonly minPodsPerReplicaSet?: number;
  /**
   * Labels and annotations for canary pods only.
   * @default - none
   */
  readonly canaryMetadata?: EphemeralMetadata;
  /**
   * Labels and annotations for stable pods only.
   * @default - none
   */
  readonly stableMetadata?: EphemeralMetadata;
  /**
   * Keep canary pods off the nodes of stable pods.
   * @default - no anti-affinity
   */
  readonly antiAffinity?: AntiAffinity;
}

/** Properties of a `CanaryRollout`. */
export interface CanaryRolloutProps extends RolloutBaseProps, CanaryStrategyOptions {
  /**
   * The Service selecting the stable pods.
   * @default - a Service named `<name>-stable` on the container ports
   */
  readonly stableService?: kplus.Service;
  /**
   * The Service selecting the canary pods.
   * @default - a Service named `<name>-canary` on the container ports
   */
  readonly canaryService?: kplus.Service;
}

/**
 * An Argo Rollout with the canary strategy, its stable and canary Services, its traffic split and
 * an optional HPA; every rule the controller applies to the spec is checked at synth time.
 */
export class CanaryRollout extends RolloutBase {
  public readonly stableService: kplus.Service;
  /**
   * The canary Service. With an Istio ping-pong split none is synthesised or named (the ping and
   * pong Services take its place); this is then the Service the rollout would have created.
   */
  public readonly canaryService: kplus.Service;
  public readonly trafficSplit?: ITrafficSplit;
  public readonly routerMetrics?: RouterMetrics;
  /** The steps, in order. */
  public readonly steps: CanaryStep[];
  private readonly props: CanaryRolloutProps;
  private readonly binding?: TrafficSplitBinding;

  constructor(scope: Construct, id: string, props: CanaryRolloutProps) {
    super(scope, id, props);
    wholeSeconds(this, 'scaleDownDelay', 'spec.strategy.canary.scaleDownDelaySeconds', props.scaleDownDelay);
    checkNumber(this, 'backgroundAnalysis.startingStep', 'spec.strategy.canary.analysis.startingStep', props.backgroundAnalysis?.startingStep, COUNT_RANGE);
    wholeSeconds(this, 'abortScaleDownDelay', 'spec.strategy.canary.abortScaleDownDelaySeconds', props.abortScaleDownDelay);
    checkNumber(this, 'minPodsPerReplicaSet', 'spec.strategy.canary.minPodsPerReplicaSet', props.minPodsPerReplicaSet, { min: 1 });
    this.props = props;
    this.steps = [...(props.steps ?? [])];
    for (const step of this.steps) noteAnalysisRun({ templates: (step.experimentOptions?.analyses ?? []).map((a) => a.template) });
    requireCdk8sPlus27(this, 'stableService', [props.stableService]);
    requireCdk8sPlus27(this, 'canaryService', [props.canaryService]);
    if (props.stableService && props.stableService === props.canaryService) {
      throwViolation(this, { property: 'canaryService', field: 'spec.strategy.stableService', message: 'This rollout uses the same service for the stable and canary services, but two different services are required.', allowed: 'two different Services' });
    }
    this.stableService = props.stableService ?? this.createService('StableService', `${this.name}-stable`);
    this.canaryService = props.canaryService ?? this.createService('CanaryService', `${this.name}-canary`);
    this.trafficSplit = props.trafficSplit;
    this.binding = props.trafficSplit?.bind({ rollout: this, stableService: this.stableService, canaryService: this.canaryService });
    if (this.binding?.routesPingPong) {
      if (props.canaryService) {
        throwViolation(this, { property: 'canaryService', field: 'spec.strategy.canary.canaryService', message: 'the traffic split routes to its ping and pong Services, and the controller routes to a canary Service instead whenever one is named', allowed: 'no canaryService with a ping-pong IstioTrafficSplit' });
      }
      this.node.tryRemoveChild('CanaryService');
    }
    this.routerMetrics = this.binding?.metrics;
    registerAnalysisUse(this, [props.backgroundAnalysis, ...this.steps.map((s) => s.analysisOptions)]);
  }

  public get analysisTemplates(): IAnalysisTemplate[] {
    return [
      ...(this.props.backgroundAnalysis?.templates ?? []),
      ...this.steps.flatMap((step) => [
        ...(step.analysisOptions?.templates ?? []),
        ...(step.experimentOptions?.analyses ?? []).map((a) => a.template),
      ]),
    ];
  }

  /** @internal */
  public _renderStrategy(): RenderedStrategy {
    const p = this.props;
    const violations: RuleViolation[] = [];
    const steps = this.steps.map((step, i) => {
      const rendered = step._render(this, i);
      violations.push(...rendered.violations);
      return rendered.json;
    });
    let analysis: any;
    if (p.backgroundAnalysis) {
      const rendered = renderRolloutAnalysis(p.backgroundAnalysis, this, 'spec.strategy.canary.analysis', AnalysisKind.BACKGROUND);
      violations.push(...rendered.violations);
      analysis = { ...rendered.json, startingStep: p.backgroundAnalysis.startingStep ?? defaultStartingStep(this.steps.map((step) => step.kind)) };
    }
    const services = !this.binding?.routesPingPong;
    const canary = {
      canaryService: services ? this.canaryService.name : undefined,
      stableService: services ? this.stableService.name : undefined,
      steps: steps.length > 0 ? steps : undefined,
      trafficRouting: this.renderTrafficRouting(),
      maxSurge: p.maxSurge?.value,
      maxUnavailable: p.maxUnavailable?.value,
      analysis,
      scaleDownDelaySeconds: wholeSeconds(this, 'scaleDownDelay', 'spec.strategy.canary.scaleDownDelaySeconds', p.scaleDownDelay),
      abortScaleDownDelaySeconds: wholeSeconds(this, 'abortScaleDownDelay', 'spec.strategy.canary.abortScaleDownDelaySeconds', p.abortScaleDownDelay),
      dynamicStableScale: p.dynamicStableScale,
      minPodsPerReplicaSet: p.minPodsPerReplicaSet,
      canaryMetadata: renderEphemeralMetadata(p.canaryMetadata),
      stableMetadata: renderEphemeralMetadata(p.stableMetadata),
      antiAffinity: p.antiAffinity?.toJson(),
      pingPong: this.binding?.pingPong,
    };
    return { strategy: { canary }, violations };
  }

  /** @internal */
  public _validateReferences(spec: any, labels: { [key: string]: string }): RuleViolation[] {
    const pingPong = this.binding?.routesPingPong;
    return [
      ...validateServiceSelector(this, this.stableService, 'spec.strategy.canary.stableService', 'stableService', labels),
      ...(pingPong ? this.validatePingPongArgs(spec) : validateServiceSelector(this, this.canaryService, 'spec.strategy.canary.canaryService', 'canaryService', labels)),
      ...validateEphemeralMetadata('canaryMetadata', 'spec.strategy.canaryMetadata', this.props.canaryMetadata, this.selectorLabels),
      ...validateEphemeralMetadata('stableMetadata', 'spec.strategy.stableMetadata', this.props.stableMetadata, this.selectorLabels),
    ];
  }

  /**
   * With a ping-pong split the canary is the ping or the pong Service by release: an analysis
   * argument naming the stable or canary Service (final JSON) would measure a Service the controller
   * does not switch.
   */
  private validatePingPongArgs(spec: any): RuleViolation[] {
    const canary = spec.strategy?.canary ?? {};
    const names = [this.stableService.name, this.canaryService.name];
    const lists: Array<[string, any[]]> = [['spec.strategy.canary.analysis.args', canary.analysis?.args ?? []]];
    (canary.steps ?? []).forEach((step: any, i: number) => {
      lists.push([`spec.strategy.canary.steps[${i}].analysis.args`, step.analysis?.args ?? []]);
      (step.experiment?.analyses ?? []).forEach((a: any, j: number) => lists.push([`spec.strategy.canary.steps[${i}].experiment.analyses[${j}].args`, a.args ?? []]));
    });
    const pp = canary.pingPong ?? {};
    return lists.flatMap(([field, args]) => args.filter((arg: any) => names.includes(arg.value)).map((arg: any) => ({
      property: 'trafficSplit',
      field,
      message: `argument "${arg.name}" is "${arg.value}", but with ping-pong the controller switches only ${pp.pingService} and ${pp.pongService} (the canary is one or the other by release)`,
      allowed: 'metrics selected by pod-template hash (RequestMetrics.application, the canary-hash argument)',
    })));
  }

  /** The split's trafficRouting plus `managedRoutes` for every header and mirror route the steps use. */
  private renderTrafficRouting(): any {
    if (!this.binding) return undefined;
    const routing = { ...this.binding.trafficRouting };
    const names = [...(routing.managedRoutes ?? []).map((r: any) => r.name)];
    for (const step of this.steps) {
      if (step.routeName !== undefined && !names.includes(step.routeName)) names.push(step.routeName);
    }
    if (names.length > 0) routing.managedRoutes = names.map((name) => ({ name }));
    return routing;
  }
}
