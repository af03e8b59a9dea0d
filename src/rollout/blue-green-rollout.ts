import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { AntiAffinity, EphemeralMetadata, renderEphemeralMetadata, validateEphemeralMetadata } from './pod-metadata';
import { RenderedStrategy, RolloutBase, RolloutBaseProps, validateServiceSelector } from './rollout-base';
import type { IAnalysisTemplate } from '../analysis/analysis-template';
import { AnalysisKind, registerAnalysisUse, renderRolloutAnalysis, RolloutAnalysisOptions } from '../analysis/rollout-analysis';
import { ITrafficSplit, RouterMetrics } from '../traffic/traffic-split';
import { requireCdk8sPlus27 } from '../validation/cdk8s-plus';
import { COUNT_RANGE, checkNumber, wholeSeconds } from '../validation/numbers';
import { RuleViolation, throwViolation } from '../validation/rule-violation';

/** An Ingress that exposes the preview Service, so the new version can be tested before cutover. */
export interface PreviewIngressOptions {
  /** Host name of the preview, e.g. `preview.myapp.example.com`. */
  readonly host: string;
  /**
   * Path prefix routed to the preview Service.
   * @default '/'
   */
  readonly path?: string;
  /**
   * The IngressClass.
   * @default - the cluster's default class
   */
  readonly className?: string;
  /**
   * Port of the preview Service to route to.
   * @default - its first port
   */
  readonly servicePort?: number;
  /**
   * A TLS Secret (by name) for the host.
   * @default - no TLS
   */
  readonly tlsSecretName?: string;
  /**
   * Annotations of the Ingress (auth, IP allow-lists... a preview is usually not public).
   * @default - none
   */
  readonly annotations?: { [key: string]: string };
}

/** The blue-green strategy of a rollout: promotion, scale-down and analysis. */
export interface BlueGreenStrategyOptions {
  /**
   * Promote the preview to active as soon as it is ready (after `autoPromotionDelay`). `false`
   * waits for `kubectl argo rollouts promote`.
   * @default true
   */
  readonly autoPromotionEnabled?: boolean;
  /**
   * With automatic promotion, how long the ready preview waits before it is promoted.
   * @default - promoted as soon as it is ready
   */
  readonly autoPromotionDelay?: Duration;
  /**
   * Pods of the preview ReplicaSet before promotion (it scales to `replicas` on promotion).
   * @default - `replicas`
   */
  readonly previewReplicaCount?: number;
  /**
   * Pods that may be unavailable while the active ReplicaSet is updated.
   * @default - the controller's 0
   */
  readonly maxUnavailable?: kplus.PercentOrAbsolute;
  /**
   * How long the old ReplicaSet keeps running after the cutover: the rollback window.
   * @default - the controller's 30 seconds
   */
  readonly scaleDownDelay?: Duration;
  /**
   * Old ReplicaSets kept running during their scale-down delay (at most `revisionHistoryLimit`).
   * @default - no limit
   */
  readonly scaleDownDelayRevisionLimit?: number;
  /**
   * How long the preview keeps running after an abort; zero keeps it.
   * @default - the controller's 30 seconds
   */
  readonly abortScaleDownDelay?: Duration;
  /**
   * Analysis of the preview before it becomes active; the cutover waits for it, a failure aborts.
   * @default - none
   */
  readonly prePromotionAnalysis?: RolloutAnalysisOptions;
  /**
   * Analysis after the cutover, while the old version still runs; a failure switches back.
   * @default - none
   */
  readonly postPromotionAnalysis?: RolloutAnalysisOptions;
  /**
   * Labels and annotations for active pods only.
   * @default - none
   */
  readonly activeMetadata?: EphemeralMetadata;
  /**
   * Labels and annotations for preview pods only.
   * @default - none
   */
  readonly previewMetadata?: EphemeralMetadata;
  /**
   * Keep preview pods off the nodes of active pods.
   * @default - no anti-affinity
   */
  readonly antiAffinity?: AntiAffinity;
  /**
   * An Ingress to the preview Service.
   * @default - the preview is reachable inside the cluster only
   */
  readonly previewIngress?: PreviewIngressOptions;
}

/** Properties of a `BlueGreenRollout`. */
export interface BlueGreenRolloutProps extends RolloutBaseProps, BlueGreenStrategyOptions {
  /**
   * The Service with the production traffic (selects the active pods).
   * @default - a Service named `<name>-active` on the container ports
   */
  readonly activeService?: kplus.Service;
  /**
   * The Service of the new version before promotion (selects the preview pods).
   * @default - a Service named `<name>-preview` on the container ports
   */
  readonly previewService?: kplus.Service;
}

/**
 * An Argo Rollout with the blue-green strategy: the new version runs next to the old one behind a
 * preview Service (and, optionally, a preview Ingress), is analysed, then takes over the active
 * Service at once. Every rule the controller applies to the spec is checked at synth time.
 */
export class BlueGreenRollout extends RolloutBase {
  /** The Service with the production traffic. */
  public readonly activeService: kplus.Service;
  /** The Service of the new version before promotion. */
  public readonly previewService: kplus.Service;
  /** The active Service (for analysis and observability constructs). */
  public readonly stableService: kplus.Service;
  /** The preview Service (for analysis and observability constructs). */
  public readonly canaryService: kplus.Service;
  /** Blue-green rollouts have no traffic split. */
  public readonly trafficSplit?: ITrafficSplit;
  /** Blue-green rollouts have no router metrics. */
  public readonly routerMetrics?: RouterMetrics;
  /** The preview Ingress, when `previewIngress` is set. */
  public readonly previewIngress?: kplus.Ingress;
  private readonly props: BlueGreenRolloutProps;

  public get analysisTemplates(): IAnalysisTemplate[] {
    return [...(this.props.prePromotionAnalysis?.templates ?? []), ...(this.props.postPromotionAnalysis?.templates ?? [])];
  }

  constructor(scope: Construct, id: string, props: BlueGreenRolloutProps) {
    super(scope, id, props);
    wholeSeconds(this, 'autoPromotionDelay', 'spec.strategy.blueGreen.autoPromotionSeconds', props.autoPromotionDelay);
    wholeSeconds(this, 'scaleDownDelay', 'spec.strategy.blueGreen.scaleDownDelaySeconds', props.scaleDownDelay);
    wholeSeconds(this, 'abortScaleDownDelay', 'spec.strategy.blueGreen.abortScaleDownDelaySeconds', props.abortScaleDownDelay);
    checkNumber(this, 'scaleDownDelayRevisionLimit', 'spec.strategy.blueGreen.scaleDownDelayRevisionLimit', props.scaleDownDelayRevisionLimit, COUNT_RANGE);
    this.props = props;
    requireCdk8sPlus27(this, 'activeService', [props.activeService]);
    requireCdk8sPlus27(this, 'previewService', [props.previewService]);
    if (props.activeService && props.activeService === props.previewService) {
      throwViolation(this, { property: 'previewService', field: 'spec.strategy.activeService', message: `Invalid value: "${props.activeService.name}": This rollout uses the same service for the active and preview services, but two different services are required.`, allowed: 'two different Services' });
    }
    if (props.autoPromotionEnabled === false && props.autoPromotionDelay !== undefined) {
      throwViolation(this, { property: 'autoPromotionDelay', field: 'spec.strategy.blueGreen.autoPromotionSeconds', message: 'autoPromotionSeconds is ignored when autoPromotionEnabled is false', allowed: 'autoPromotionDelay with automatic promotion only' });
    }
    if (props.previewReplicaCount !== undefined && !(Number.isInteger(props.previewReplicaCount) && props.previewReplicaCount >= 1)) {
      throwViolation(this, { property: 'previewReplicaCount', field: 'spec.strategy.blueGreen.previewReplicaCount', message: `Invalid value: ${props.previewReplicaCount}: the preview needs at least one pod to be tested and analysed`, allowed: 'an integer >= 1' });
    }
    this.activeService = props.activeService ?? this.createService('ActiveService', `${this.name}-active`);
    this.previewService = props.previewService ?? this.createService('PreviewService', `${this.name}-preview`);
    this.stableService = this.activeService;
    this.canaryService = this.previewService;
    if (props.previewIngress) this.previewIngress = this.createPreviewIngress(props.previewIngress);
    registerAnalysisUse(this, [props.prePromotionAnalysis, props.postPromotionAnalysis]);
  }

  private createPreviewIngress(options: PreviewIngressOptions): kplus.Ingress {
    const ports = this.previewService.ports.map((p) => p.port);
    const port = options.servicePort ?? ports[0];
    if (!ports.includes(port)) {
      throwViolation(this, { property: 'previewIngress.servicePort', field: 'spec.rules[0].http.paths[0].backend.service.port.number', message: `Service "${this.previewService.name}" has no port ${port}`, allowed: `one of ${ports.join(', ')}` });
    }
    const ingress = new kplus.Ingress(this, 'PreviewIngress', {
      metadata: { name: `${this.name}-preview`, namespace: this.metadata.namespace, annotations: options.annotations },
      className: options.className,
      tls: options.tlsSecretName ? [{ hosts: [options.host], secret: kplus.Secret.fromSecretName(this, 'PreviewTlsSecret', options.tlsSecretName) }] : undefined,
    });
    ingress.addHostRule(options.host, options.path ?? '/', kplus.IngressBackend.fromService(this.previewService, { port }), kplus.HttpIngressPathType.PREFIX);
    return ingress;
  }

  /** @internal */
  public _renderStrategy(): RenderedStrategy {
    const p = this.props;
    const violations: RuleViolation[] = [];
    const analysis = (options: RolloutAnalysisOptions | undefined, field: string, kind: AnalysisKind) => {
      if (!options) return undefined;
      const rendered = renderRolloutAnalysis(options, this, `spec.strategy.blueGreen.${field}`, kind);
      violations.push(...rendered.violations);
      return rendered.json;
    };
    const blueGreen = {
      activeService: this.activeService.name,
      previewService: this.previewService.name,
      autoPromotionEnabled: p.autoPromotionEnabled,
      autoPromotionSeconds: wholeSeconds(this, 'autoPromotionDelay', 'spec.strategy.blueGreen.autoPromotionSeconds', p.autoPromotionDelay),
      previewReplicaCount: p.previewReplicaCount,
      maxUnavailable: p.maxUnavailable?.value,
      scaleDownDelaySeconds: wholeSeconds(this, 'scaleDownDelay', 'spec.strategy.blueGreen.scaleDownDelaySeconds', p.scaleDownDelay),
      scaleDownDelayRevisionLimit: p.scaleDownDelayRevisionLimit,
      abortScaleDownDelaySeconds: wholeSeconds(this, 'abortScaleDownDelay', 'spec.strategy.blueGreen.abortScaleDownDelaySeconds', p.abortScaleDownDelay),
      prePromotionAnalysis: analysis(p.prePromotionAnalysis, 'prePromotionAnalysis', AnalysisKind.PRE_PROMOTION),
      postPromotionAnalysis: analysis(p.postPromotionAnalysis, 'postPromotionAnalysis', AnalysisKind.POST_PROMOTION),
      activeMetadata: renderEphemeralMetadata(p.activeMetadata),
      previewMetadata: renderEphemeralMetadata(p.previewMetadata),
      antiAffinity: p.antiAffinity?.toJson(),
    };
    return { strategy: { blueGreen }, violations };
  }

  /** @internal */
  public _validateReferences(_spec: any, podLabels: { [key: string]: string }): RuleViolation[] {
    return [
      ...validateServiceSelector(this, this.activeService, 'spec.strategy.blueGreen.activeService', 'activeService', podLabels),
      ...validateServiceSelector(this, this.previewService, 'spec.strategy.blueGreen.previewService', 'previewService', podLabels),
      ...validateEphemeralMetadata('activeMetadata', 'spec.strategy.activeMetadata', this.props.activeMetadata, this.selectorLabels),
      ...validateEphemeralMetadata('previewMetadata', 'spec.strategy.previewMetadata', this.props.previewMetadata, this.selectorLabels),
    ];
  }
}
