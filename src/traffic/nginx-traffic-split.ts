import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ServiceRouteTarget, TrafficSplitBinding, TrafficSplitTarget } from './traffic-split';
import { renderedCanary, routedIngresses, routedPort, TrafficSplitBase } from './traffic-split-base';
import { requireCdk8sPlus27 } from '../validation/cdk8s-plus';
import { PORT_RANGE, checkNumber } from '../validation/numbers';
import { RuleViolation, throwViolation } from '../validation/rule-violation';

/** Annotations the controller writes on the canary Ingress itself. */
const CONTROLLER_ANNOTATIONS = ['canary', 'canary-weight', 'canary-weight-total'];

/**
 * Header-based canary routing on ingress-nginx (its `canary-by-header` annotations): requests
 * carrying the header go to the canary whatever the weight. `setHeaderRoute` steps do not work with
 * nginx; this is what they would do.
 */
export interface NginxCanaryHeader {
  /** The header, e.g. `X-Canary`. */
  readonly name: string;
  /**
   * The value that selects the canary (`canary-by-header-value`).
   * @default - nginx's own values: `always` selects the canary, `never` the stable version
   */
  readonly value?: string;
  /**
   * A regular expression the value must match (`canary-by-header-pattern`); not with `value`.
   * @default - no pattern
   */
  readonly pattern?: string;
}

/** Properties of a `NginxTrafficSplit`. */
export interface NginxTrafficSplitProps {
  /**
   * The host of the stable Ingress rule.
   * @default - every host
   */
  readonly host?: string;
  /**
   * The path of the stable Ingress rule.
   * @default '/'
   */
  readonly path?: string;
  /**
   * How the path matches.
   * @default kplus.HttpIngressPathType.PREFIX
   */
  readonly pathType?: kplus.HttpIngressPathType;
  /**
   * Name of the Secret (type kubernetes.io/tls) holding the certificate for `host`.
   * @default - no TLS
   */
  readonly tlsSecretName?: string;
  /**
   * `spec.ingressClassName` of the stable Ingress (the controller copies it to the canary Ingress).
   * @default 'nginx'
   */
  readonly ingressClassName?: string;
  /**
   * Name of the stable Ingress. The controller names the canary Ingress `<rollout>-<this>-canary`.
   * @default '<rollout name>-stable'
   */
  readonly ingressName?: string;
  /**
   * Annotations of the stable Ingress (full keys, e.g. `nginx.ingress.kubernetes.io/ssl-redirect`).
   * @default - none
   */
  readonly ingressAnnotations?: { [key: string]: string };
  /**
   * The stable Service port the Ingress sends to.
   * @default - the stable Service's only port
   */
  readonly port?: number;
  /**
   * Stable Ingresses you define yourself (several hosts, classes or TLS set-ups). Each must have a
   * rule whose backend is the rollout's stable Service. Not with host, path, pathType,
   * tlsSecretName, ingressClassName, ingressName, ingressAnnotations or port.
   * @default - one Ingress created from the properties above
   */
  readonly ingresses?: kplus.Ingress[];
  /**
   * Requests with this header go to the canary.
   * @default - no header routing
   */
  readonly canaryHeader?: NginxCanaryHeader;
  /**
   * Extra annotations of the canary Ingress, without prefix (the controller adds `annotationPrefix`).
   * @default - none
   */
  readonly additionalIngressAnnotations?: { [key: string]: string };
  /**
   * Annotations of the canary Ingress with full keys; they win over the others.
   * @default - none
   */
  readonly canaryIngressAnnotations?: { [key: string]: string };
  /**
   * Annotation prefix of the nginx controller.
   * @default - the controller's `nginx.ingress.kubernetes.io`
   */
  readonly annotationPrefix?: string;
  /**
   * The weight that means "all traffic" (`setWeight` steps go from 0 to it).
   * @default - the controller's 100
   */
  readonly maxTrafficWeight?: number;
}

/**
 * Splits traffic with ingress-nginx: creates the stable Ingress routed to the rollout's stable
 * Service (the controller clones it into a canary Ingress with `canary-weight` annotations) and
 * returns `trafficRouting.nginx`.
 */
export class NginxTrafficSplit extends TrafficSplitBase {
  private readonly props: NginxTrafficSplitProps;
  private readonly stableIngresses: kplus.Ingress[] = [];

  constructor(scope: Construct, id: string, props: NginxTrafficSplitProps = {}) {
    super(scope, id);
    checkNumber(this, 'port', 'spec.rules[].http.paths[].backend.service.port.number', props.port, PORT_RANGE);
    this.props = props;
    requireCdk8sPlus27(this, 'ingresses', props.ingresses ?? []);
    if (props.ingresses) {
      const conflicting = (['host', 'path', 'pathType', 'tlsSecretName', 'ingressClassName', 'ingressName', 'ingressAnnotations', 'port'] as const)
        .filter((key) => props[key] !== undefined);
      if (conflicting.length > 0) {
        throwViolation(this, { property: 'ingresses', field: 'spec.strategy.canary.trafficRouting.nginx.stableIngresses', message: `${conflicting.join(', ')} describe an Ingress to create, but ingresses are given`, allowed: 'either ingresses, or the properties of the Ingress to create' });
      }
      if (props.ingresses.length === 0) {
        throwViolation(this, { property: 'ingresses', field: 'spec.strategy.canary.trafficRouting.nginx.stableIngresses', message: 'Internal error: Either StableIngress or StableIngresses must be configured. Neither are configured.', allowed: 'at least one Ingress' });
      }
    }
    const header = props.canaryHeader;
    if (header && header.value !== undefined && header.pattern !== undefined) {
      throwViolation(this, { property: 'canaryHeader', field: 'additionalIngressAnnotations', message: 'canary-by-header-value and canary-by-header-pattern both set; nginx ignores the pattern', allowed: 'value or pattern' });
    }
    for (const key of Object.keys(props.additionalIngressAnnotations ?? {})) {
      if (key.includes('/')) {
        throwViolation(this, { property: 'additionalIngressAnnotations', field: 'spec.strategy.canary.trafficRouting.nginx.additionalIngressAnnotations', message: `"${key}" has a prefix, but the controller adds annotationPrefix itself`, allowed: `the key without prefix ("${key.split('/').pop()}"), or canaryIngressAnnotations for full keys` });
      }
      if (CONTROLLER_ANNOTATIONS.includes(key)) {
        throwViolation(this, { property: 'additionalIngressAnnotations', field: 'spec.strategy.canary.trafficRouting.nginx.additionalIngressAnnotations', message: `"${key}" is written by the controller on every step`, allowed: `annotations other than ${CONTROLLER_ANNOTATIONS.join(', ')}` });
      }
      if (header && key.startsWith('canary-by-header')) {
        throwViolation(this, { property: 'additionalIngressAnnotations', field: 'spec.strategy.canary.trafficRouting.nginx.additionalIngressAnnotations', message: `"${key}" is also set by canaryHeader`, allowed: 'canaryHeader or canary-by-header annotations, not both' });
      }
    }
    const max = props.maxTrafficWeight;
    if (max !== undefined && !(Number.isInteger(max) && max > 0)) {
      throwViolation(this, { property: 'maxTrafficWeight', field: 'spec.strategy.canary.trafficRouting.maxTrafficWeight', message: `Invalid value: ${max}: must be a positive integer`, allowed: 'an integer above 0' });
    }
  }

  /** The stable Ingresses, once the split is bound to a rollout. */
  public get ingresses(): kplus.Ingress[] {
    return [...this.stableIngresses];
  }

  protected bindRouter(target: TrafficSplitTarget): TrafficSplitBinding {
    const p = this.props;
    const rollout = target.rollout;
    const base = {
      workload: rollout,
      name: rollout.name,
      namespace: rollout.metadata.namespace,
      selectorLabels: rollout.selectorLabels,
      service: target.stableService,
    };
    this.stableIngresses.push(...(p.ingresses ?? [this.createIngress(base)]));
    const names = this.stableIngresses.map((ingress) => ingress.name);
    const nginx = {
      ...(names.length === 1 ? { stableIngress: names[0] } : { stableIngresses: names }),
      annotationPrefix: p.annotationPrefix,
      additionalIngressAnnotations: nonEmpty({ ...headerAnnotations(p.canaryHeader), ...p.additionalIngressAnnotations }),
      canaryIngressAnnotations: p.canaryIngressAnnotations,
    };
    return {
      trafficRouting: { nginx, maxTrafficWeight: p.maxTrafficWeight },
      metrics: { router: 'nginx', ingressName: names[0] },
    };
  }

  /** The same stable Ingress, to the Service (the controller creates no canary Ingress without a rollout). */
  protected routeService(target: ServiceRouteTarget): void {
    this.stableIngresses.push(...(this.props.ingresses ?? [this.createIngress(target)]));
  }

  private createIngress(target: ServiceRouteTarget): kplus.Ingress {
    const p = this.props;
    const port = routedPort(this, target.service, p.port);
    const ingress = new kplus.Ingress(this, 'StableIngress', {
      metadata: {
        name: p.ingressName ?? `${target.name}-stable`,
        namespace: target.namespace,
        labels: target.selectorLabels,
        annotations: p.ingressAnnotations,
      },
      className: p.ingressClassName ?? 'nginx',
      rules: [{
        host: p.host,
        path: p.path ?? '/',
        pathType: p.pathType ?? kplus.HttpIngressPathType.PREFIX,
        backend: kplus.IngressBackend.fromService(target.service, { port }),
      }],
    });
    if (p.tlsSecretName) {
      ingress.addTls([{
        hosts: p.host ? [p.host] : undefined,
        secret: kplus.Secret.fromSecretName(this, 'TlsSecret', p.tlsSecretName),
      }]);
    }
    return ingress;
  }

  /**
   * Section B, rules 43 and 45, on the final Rollout and Ingress JSON, and the API server's rule
   * that an Ingress has a class field or a class annotation, not both.
   */
  protected validateTarget(target: TrafficSplitTarget): RuleViolation[] {
    const canary = renderedCanary(target);
    const nginx = canary.trafficRouting?.nginx ?? {};
    const field = 'spec.strategy.canary.trafficRouting.nginx';
    const hasOne = nginx.stableIngress !== undefined;
    const hasMany = nginx.stableIngresses !== undefined;
    if (hasOne === hasMany) {
      return [{ property: 'ingresses', field, message: `Internal error: Either StableIngress or StableIngresses must be configured. ${hasOne ? 'Both are' : 'Neither are'} configured.`, allowed: 'exactly one of stableIngress, stableIngresses' }];
    }
    const namesField = `${field}.${hasOne ? 'stableIngress' : 'stableIngresses'}`;
    const ingresses = new Map(this.stableIngresses.map((i) => [i.name, ApiObject.of(i).toJson()]));
    const names: string[] = hasOne ? [nginx.stableIngress] : nginx.stableIngresses;
    const { found, violations } = routedIngresses(names, ingresses, target.rollout.metadata.namespace, namesField, canary.stableService, `a rule whose backend is the stable Service ${canary.stableService}`);
    for (const { name, ingress, backends } of found) {
      const ingressClass = ingress.metadata?.annotations?.[INGRESS_CLASS_ANNOTATION];
      if (ingressClass !== undefined && ingress.spec?.ingressClassName !== undefined) {
        violations.push({
          property: this.props.ingresses ? 'ingresses' : 'ingressAnnotations',
          field: `metadata.annotations.${INGRESS_CLASS_ANNOTATION}`,
          message: `Ingress "${name}": annotations.${INGRESS_CLASS_ANNOTATION}: Invalid value: "${ingressClass}": can not be set when the class field is also set`,
          allowed: `spec.ingressClassName (ingressClassName, "${ingress.spec.ingressClassName}" here) without the ${INGRESS_CLASS_ANNOTATION} annotation`,
        });
      }
      const ports = target.stableService.ports.map((servicePort) => servicePort.port);
      for (const backend of backends.filter((b: any) => b.port?.number !== undefined && !ports.includes(b.port.number))) {
        violations.push({ property: 'ingresses', field: namesField, message: `Invalid value: "${name}": ingress \`${name}\` sends to port ${backend.port.number} of service ${canary.stableService}, which has no such port`, allowed: `one of ${ports.join(', ')}` });
      }
    }
    return violations;
  }
}

/** The deprecated annotation the API server refuses beside `spec.ingressClassName`. */
const INGRESS_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

function headerAnnotations(header?: NginxCanaryHeader): { [key: string]: string } {
  if (!header) return {};
  return {
    'canary-by-header': header.name,
    ...(header.value !== undefined ? { 'canary-by-header-value': header.value } : {}),
    ...(header.pattern !== undefined ? { 'canary-by-header-pattern': header.pattern } : {}),
  };
}

function nonEmpty(map: { [key: string]: string }): { [key: string]: string } | undefined {
  return Object.keys(map).length > 0 ? map : undefined;
}
