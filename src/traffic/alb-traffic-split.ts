import { ApiObject, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { TrafficSplitBinding, TrafficSplitTarget } from './traffic-split';
import { createPingPongServices, renderedCanary, routedIngresses, routedPort, TrafficSplitBase } from './traffic-split-base';
import { createSelectorService } from '../rollout/rollout-base';
import { RuleViolation, throwViolation } from '../validation/rule-violation';

/** The AWS Load Balancer Controller's annotation prefix (the rollouts controller's default). */
const ALB_PREFIX = 'alb.ingress.kubernetes.io';
/** The backend port name that tells the AWS Load Balancer Controller to read the action annotation. */
const USE_ANNOTATION = 'use-annotation';

/** How the load balancer reaches pods (`alb.ingress.kubernetes.io/target-type`). */
export enum AlbTargetType {
  /** Pod IPs directly: works with ClusterIP Services (needs the VPC CNI). */
  IP = 'ip',
  /** Node ports: every Service the ALB forwards to must be of type NodePort. */
  INSTANCE = 'instance',
}

/** Properties of an `AlbTrafficSplit`. */
export interface AlbTrafficSplitProps {
  /**
   * The host of the Ingress rule.
   * @default - every host
   */
  readonly host?: string;
  /**
   * The path of the Ingress rule.
   * @default '/'
   */
  readonly path?: string;
  /**
   * How the path matches.
   * @default kplus.HttpIngressPathType.PREFIX
   */
  readonly pathType?: kplus.HttpIngressPathType;
  /**
   * `spec.ingressClassName` of the Ingress.
   * @default 'alb'
   */
  readonly ingressClassName?: string;
  /**
   * Name of the Ingress.
   * @default '<rollout name>'
   */
  readonly ingressName?: string;
  /**
   * Annotations of the Ingress (scheme, certificate, listen ports...), full keys. Not the action
   * annotation of the routed Service: the rollouts controller writes it on every step.
   * @default - none
   */
  readonly ingressAnnotations?: { [key: string]: string };
  /**
   * How the load balancer reaches the pods; `INSTANCE` needs NodePort Services.
   * @default AlbTargetType.IP
   */
  readonly targetType?: AlbTargetType;
  /**
   * A Service selecting the pods of both versions, which the Ingress rule names instead of the
   * stable Service (the controller's `rootService`; the stable and canary Services are then only
   * target groups of its action).
   * @default - the Ingress routes to the stable Service
   */
  readonly rootService?: kplus.Service;
  /**
   * The Service port the target groups use (`servicePort`).
   * @default - the stable Service's only port
   */
  readonly servicePort?: number;
  /**
   * Ingresses you define yourself (several hosts or load balancers). Each needs a rule whose
   * backend is the routed Service (rootService, else the stable Service) with port name
   * `use-annotation`. Not with host, path, pathType, ingressClassName, ingressName,
   * ingressAnnotations or targetType.
   * @default - one Ingress created from the properties above
   */
  readonly ingresses?: ApiObject[];
  /**
   * Target group stickiness: a client keeps going to the same version for this long (1 s to 7 days).
   * @default - no stickiness
   */
  readonly stickiness?: Duration;
  /**
   * Annotation prefix of the AWS Load Balancer Controller.
   * @default - the controller's `alb.ingress.kubernetes.io`
   */
  readonly annotationPrefix?: string;
  /**
   * Ping-pong: two Services, `<rollout>-ping` and `<rollout>-pong`, take turns as stable and canary
   * (the rollout's `pingPong`), so the target groups never change Service between releases. The
   * Ingress then routes to the root Service (`rootService`, else one created as `<rollout>-root`).
   * @default false
   */
  readonly pingPong?: boolean;
}

/**
 * Splits traffic with the AWS Load Balancer Controller: an Ingress whose rule names the routed
 * Service with port `use-annotation`; the rollouts controller writes that Service's action
 * annotation (`<prefix>/actions.<service>`, a weighted forward to the canary and stable target
 * groups) on every step. Returns `trafficRouting.alb`.
 */
export class AlbTrafficSplit extends TrafficSplitBase {
  private readonly props: AlbTrafficSplitProps;
  private readonly routedIngresses: ApiObject[] = [];
  private readonly pingPongServices: kplus.Service[] = [];
  private rootService?: kplus.Service;

  constructor(scope: Construct, id: string, props: AlbTrafficSplitProps = {}) {
    super(scope, id);
    this.props = props;
    this.rootService = props.rootService;
    const field = 'spec.strategy.canary.trafficRouting.alb';
    if (props.ingresses) {
      const conflicting = (['host', 'path', 'pathType', 'ingressClassName', 'ingressName', 'ingressAnnotations', 'targetType'] as const)
        .filter((key) => props[key] !== undefined);
      if (conflicting.length > 0) {
        throwViolation(this, { property: 'ingresses', field, message: `${conflicting.join(', ')} describe an Ingress to create, but ingresses are given`, allowed: 'either ingresses, or the properties of the Ingress to create' });
      }
      if (props.ingresses.length === 0) {
        throwViolation(this, { property: 'ingresses', field, message: 'Either Ingress or Ingresses must be configured. Neither are configured.', allowed: 'at least one Ingress' });
      }
    }
    const seconds = props.stickiness?.toSeconds();
    if (seconds !== undefined && !(Number.isInteger(seconds) && seconds >= 1 && seconds <= 604800)) {
      throwViolation(this, { property: 'stickiness', field: `${field}.stickinessConfig.durationSeconds`, message: "TargetGroupStickinessConfig's duration must be between 1 and 604800 seconds (7 days)!", allowed: 'whole seconds from 1 to 604800' });
    }
  }

  /** The Ingresses, once the split is bound to a rollout. */
  public get ingresses(): ApiObject[] {
    return [...this.routedIngresses];
  }

  protected bindRouter(target: TrafficSplitTarget): TrafficSplitBinding {
    const p = this.props;
    const servicePort = routedPort(this, target.stableService, p.servicePort);
    let pingPong: any;
    if (p.pingPong) {
      this.rootService = p.rootService ?? createSelectorService(this, 'RootService', {
        name: `${target.rollout.name}-root`,
        namespace: target.rollout.metadata.namespace,
        selectorLabels: target.rollout.selectorLabels,
        ports: target.stableService.ports,
      });
      const services = createPingPongServices(this, target);
      this.pingPongServices.push(services.ping, services.pong);
      pingPong = services.pingPong;
    }
    this.routedIngresses.push(...(p.ingresses ?? [this.createIngress(target)]));
    const names = this.routedIngresses.map((ingress) => ingress.name);
    const alb = {
      ...(names.length === 1 ? { ingress: names[0] } : { ingresses: names }),
      servicePort,
      rootService: this.rootService?.name,
      annotationPrefix: p.annotationPrefix,
      stickinessConfig: p.stickiness ? { enabled: true, durationSeconds: p.stickiness.toSeconds() } : undefined,
    };
    return { trafficRouting: { alb }, pingPong };
  }

  private createIngress(target: TrafficSplitTarget): ApiObject {
    const p = this.props;
    const routed = this.rootService ?? target.stableService;
    const prefix = p.annotationPrefix ?? ALB_PREFIX;
    return new kplus.k8s.KubeIngress(this, 'Ingress', {
      metadata: {
        name: p.ingressName ?? target.rollout.name,
        namespace: target.rollout.metadata.namespace,
        labels: target.rollout.selectorLabels,
        annotations: { [`${prefix}/target-type`]: p.targetType ?? AlbTargetType.IP, ...p.ingressAnnotations },
      },
      spec: {
        ingressClassName: p.ingressClassName ?? 'alb',
        rules: [{
          host: p.host,
          http: {
            paths: [{
              path: p.path ?? '/',
              pathType: p.pathType ?? kplus.HttpIngressPathType.PREFIX,
              backend: { service: { name: routed.name, port: { name: USE_ANNOTATION } } },
            }],
          },
        }],
      },
    });
  }

  /** Section B, rules 44 and 45, plus the Ingress and Service shapes the ALB needs, on the final JSON. */
  protected validateTarget(target: TrafficSplitTarget): RuleViolation[] {
    const canary = renderedCanary(target);
    const alb = canary.trafficRouting?.alb ?? {};
    const field = 'spec.strategy.canary.trafficRouting.alb';
    const hasOne = alb.ingress !== undefined;
    const hasMany = alb.ingresses !== undefined;
    if (hasOne === hasMany) {
      return [{ property: 'ingresses', field, message: `Either Ingress or Ingresses must be configured. ${hasOne ? 'Both are' : 'Neither are'} configured.`, allowed: 'exactly one of ingress, ingresses' }];
    }
    const namesField = `${field}.${hasOne ? 'ingress' : 'ingresses'}`;
    const routed: string = alb.rootService || canary.stableService;
    const prefix: string = alb.annotationPrefix ?? ALB_PREFIX;
    const actionKey = `${prefix}/actions.${routed}`;
    const ingresses = new Map(this.routedIngresses.map((i) => [i.name, i.toJson()]));
    const names: string[] = hasOne ? [alb.ingress] : alb.ingresses;
    const { found, violations } = routedIngresses(names, ingresses, target.rollout.metadata.namespace, namesField, routed,
      `a rule whose backend is ${alb.rootService ? 'the root' : 'the stable'} Service ${routed}, port name ${USE_ANNOTATION}`);
    for (const { name, ingress, backends } of found) {
      for (const backend of backends.filter((b: any) => b.port?.name !== USE_ANNOTATION)) {
        violations.push({ property: 'ingresses', field: namesField, message: `Invalid value: "${name}": ingress \`${name}\` sends to service ${routed} port ${backend.port?.number ?? backend.port?.name}, so the load balancer ignores the weights in ${actionKey}`, allowed: `backend port name ${USE_ANNOTATION}` });
      }
      if (ingress.metadata?.annotations?.[actionKey] !== undefined) {
        violations.push({ property: 'ingressAnnotations', field: `Ingress ${name}: metadata.annotations`, message: `"${actionKey}" is written by the rollouts controller on every step; a value in the manifest is reverted at every sync`, allowed: 'annotations other than the routed Service\'s action' });
      }
      const targetType = ingress.metadata?.annotations?.[`${prefix}/target-type`] ?? AlbTargetType.INSTANCE;
      if (targetType === AlbTargetType.INSTANCE) {
        const services = [
          ...(this.pingPongServices.length > 0 ? this.pingPongServices : [target.stableService, target.canaryService]),
          ...(this.rootService ? [this.rootService] : []),
        ];
        for (const service of services) {
          const type = ApiObject.of(service).toJson().spec?.type ?? 'ClusterIP';
          if (type !== 'NodePort') {
            violations.push({ property: 'targetType', field: `Ingress ${name}: ${prefix}/target-type`, message: `target type instance reaches pods through node ports, and Service "${service.name}" is ${type}`, allowed: 'AlbTargetType.IP, or NodePort Services (kplus.ServiceType.NODE_PORT)' });
          }
        }
      }
    }
    return violations;
  }
}
