import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ServiceRouteTarget, TrafficSplitBinding, TrafficSplitTarget } from './traffic-split';
import { renderedCanary, routedPort, TrafficSplitBase } from './traffic-split-base';
import { API_KINDS } from '../synth/api-kinds';
import { PORT_RANGE, checkNumber } from '../validation/numbers';
import { RuleViolation, throwViolation } from '../validation/rule-violation';

/** The key of the Gateway API plugin under `trafficRouting.plugins` (and its registered name). */
export const GATEWAY_API_PLUGIN = 'argoproj-labs/gatewayAPI';

/** A Gateway (or one of its listeners) the HTTPRoute attaches to. */
export interface GatewayReference {
  /** Name of the Gateway. */
  readonly name: string;
  /**
   * Namespace of the Gateway.
   * @default - the rollout's namespace
   */
  readonly namespace?: string;
  /**
   * The listener of the Gateway (`sectionName`).
   * @default - every listener that accepts the route
   */
  readonly sectionName?: string;
}

/** Properties of a `GatewayApiTrafficSplit`. */
export interface GatewayApiTrafficSplitProps {
  /** The Gateways the HTTPRoute attaches to (`spec.parentRefs`). */
  readonly gateways: GatewayReference[];
  /**
   * `spec.hostnames` of the HTTPRoute.
   * @default - every hostname of the Gateway listeners
   */
  readonly hostnames?: string[];
  /**
   * A path prefix the route matches (written as `spec.rules[0].matches`, as the CRD would default it).
   * @default "/"
   */
  readonly pathPrefix?: string;
  /**
   * Name of the HTTPRoute.
   * @default - the rollout's name
   */
  readonly httpRouteName?: string;
  /**
   * The Service port the route sends to.
   * @default - the stable Service's only port
   */
  readonly port?: number;
}

/**
 * Splits traffic with the Gateway API (the `argoproj-labs/gatewayAPI` traffic router plugin, which
 * must be registered in the controller: see `GatewayApiPlugin`): creates an HTTPRoute
 * (`gateway.networking.k8s.io/v1`) with one rule holding both Services (stable weight 100, canary
 * 0) and returns `trafficRouting.plugins["argoproj-labs/gatewayAPI"]`. Header route steps work
 * with it (the route is listed with `useHeaderRoutes`). The CRD's defaults are written (parentRef and
 * backendRef `group` / `kind`, the path match), so a server-side apply shows no drift.
 */
export class GatewayApiTrafficSplit extends TrafficSplitBase {
  private readonly props: GatewayApiTrafficSplitProps;
  private route?: ApiObject;

  constructor(scope: Construct, id: string, props: GatewayApiTrafficSplitProps) {
    super(scope, id);
    checkNumber(this, 'port', 'spec.rules[].backendRefs[].port', props.port, PORT_RANGE);
    this.props = props;
    if (props.gateways.length === 0) {
      throwViolation(this, { property: 'gateways', field: 'spec.parentRefs', message: 'an HTTPRoute without parentRefs is attached to no Gateway and routes nothing', allowed: 'at least one Gateway' });
    }
    if (props.pathPrefix !== undefined && !props.pathPrefix.startsWith('/')) {
      throwViolation(this, { property: 'pathPrefix', field: 'spec.rules[0].matches[0].path.value', message: `Invalid value: "${props.pathPrefix}": must be an absolute path`, allowed: 'a path starting with /' });
    }
  }

  /** The HTTPRoute, once the split is bound to a rollout. */
  public get httpRoute(): ApiObject | undefined {
    return this.route;
  }

  protected bindRouter(target: TrafficSplitTarget): TrafficSplitBinding {
    const rollout = target.rollout;
    const namespace = rollout.metadata.namespace;
    if (!namespace) {
      // The plugin fails with "an empty namespace may not be set when a resource name is provided".
      throwViolation(this, { property: 'namespace', field: `spec.strategy.canary.trafficRouting.plugins["${GATEWAY_API_PLUGIN}"].namespace`, message: `rollout "${rollout.name}" has no namespace, and the plugin needs the HTTPRoute's`, allowed: 'a namespace on the chart or in the rollout\'s metadata' });
    }
    const name = this.createRoute(rollout.name, namespace, rollout.selectorLabels, target.stableService, target.canaryService);
    return {
      trafficRouting: {
        plugins: { [GATEWAY_API_PLUGIN]: { httpRoutes: [{ name, useHeaderRoutes: true }], namespace } },
      },
      metrics: { router: 'gatewayAPI', httpRouteName: name },
    };
  }

  /** The same HTTPRoute, its one backendRef the Service with weight 100. */
  protected routeService(target: ServiceRouteTarget): void {
    this.createRoute(target.name, target.namespace, target.selectorLabels, target.service);
  }

  private createRoute(
    base: string, namespace: string | undefined, labels: { [key: string]: string }, stable: kplus.Service, canary?: kplus.Service,
  ): string {
    const p = this.props;
    const port = routedPort(this, stable, p.port);
    const name = p.httpRouteName ?? base;
    this.route = new ApiObject(this, 'HTTPRoute', {
      ...API_KINDS.httpRoute,
      metadata: { name, namespace, labels },
      spec: {
        parentRefs: p.gateways.map((g) => ({ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: g.name, namespace: g.namespace, sectionName: g.sectionName })),
        hostnames: p.hostnames,
        rules: [{
          matches: [{ path: { type: 'PathPrefix', value: p.pathPrefix ?? '/' } }],
          backendRefs: [
            { group: '', kind: 'Service', name: stable.name, port, weight: 100 },
            ...(canary ? [{ group: '', kind: 'Service', name: canary.name, port, weight: 0 }] : []),
          ],
        }],
      },
    });
    return name;
  }

  /** The plugin's own checks (routes configured, namespace set, both backendRefs in the route) on the final JSON. */
  protected validateTarget(target: TrafficSplitTarget): RuleViolation[] {
    const canary = renderedCanary(target);
    const field = `spec.strategy.canary.trafficRouting.plugins["${GATEWAY_API_PLUGIN}"]`;
    const config = canary.trafficRouting?.plugins?.[GATEWAY_API_PLUGIN] ?? {};
    const route = ApiObject.of(this.route!).toJson();
    const names: string[] = [...(config.httpRoute ? [config.httpRoute] : []), ...(config.httpRoutes ?? []).map((r: any) => r.name)];
    const violations: RuleViolation[] = [];
    const add = (property: string, at: string, message: string, allowed: string) => violations.push({ property, field: at, message, allowed });
    if (names.length === 0) {
      add('httpRouteName', `${field}.httpRoutes`, "No routes configured. At least one of 'httpRoutes', 'grpcRoutes', 'tcpRoutes', 'tlsRoutes', 'httpRoute', 'grpcRoute', 'tcpRoute' or 'tlsRoute' must be set", `the split's HTTPRoute ${route.metadata.name}`);
    }
    if (!config.namespace) {
      add('namespace', `${field}.namespace`, 'an empty namespace may not be set when a resource name is provided', `the HTTPRoute's namespace ${route.metadata.namespace}`);
    } else if (config.namespace !== route.metadata.namespace) {
      add('namespace', `${field}.namespace`, `Invalid value: "${config.namespace}": HTTPRoute "${route.metadata.name}" is in namespace "${route.metadata.namespace}"`, route.metadata.namespace);
    }
    for (const name of names.filter((n) => n !== route.metadata.name)) {
      add('httpRouteName', `${field}.httpRoutes`, `Invalid value: "${name}": httproutes.gateway.networking.k8s.io "${name}" not found`, `the split's HTTPRoute ${route.metadata.name}`);
    }
    for (const [i, rule] of (route.spec?.rules ?? []).entries()) {
      const backends = (rule.backendRefs ?? []).map((b: any) => b.name);
      for (const [role, service] of [['canary', canary.canaryService], ['stable', canary.stableService]]) {
        if (!backends.includes(service)) {
          add('httpRouteName', `HTTPRoute ${route.metadata.name} spec.rules[${i}].backendRefs`, `backendRef was not found in httpRoute: no backendRef for the ${role} Service ${service}`, 'a rule with both the stable and the canary Service');
        }
      }
    }
    return violations;
  }
}
