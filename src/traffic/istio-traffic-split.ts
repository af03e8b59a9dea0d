import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ServiceRouteTarget, TrafficSplitBinding, TrafficSplitTarget } from './traffic-split';
import { createPingPongServices, renderedCanary, routedPort, TrafficSplitBase } from './traffic-split-base';
import { API_KINDS } from '../synth/api-kinds';
import { PORT_RANGE, checkNumber } from '../validation/numbers';
import { RuleViolation, throwViolation } from '../validation/rule-violation';

/** How an Istio split tells the two versions apart. */
export enum IstioSplitLevel {
  /** By Service: the routes send to the stable and the canary Service (the controller's host-level split). */
  HOST = 'host',
  /**
   * By subset: the routes send to one Service, split by the `stable` and `canary` subsets of a
   * DestinationRule whose labels the controller narrows to each ReplicaSet's pod-template hash.
   */
  SUBSET = 'subset',
}

/** A TLS route of the VirtualService (TLS passthrough, matched by port and SNI). */
export interface IstioTlsRoute {
  /** The port the route matches. */
  readonly port: number;
  /** The SNI hosts the route matches. */
  readonly sniHosts: string[];
}

/** A TCP route of the VirtualService. */
export interface IstioTcpRoute {
  /** The port the route matches. */
  readonly port: number;
}

/** Properties of an `IstioTrafficSplit`. */
export interface IstioTrafficSplitProps {
  /**
   * Split by Service or by DestinationRule subset.
   * @default IstioSplitLevel.HOST
   */
  readonly level?: IstioSplitLevel;
  /**
   * `spec.hosts` of the VirtualService: the names clients call.
   * @default - the Service that receives the traffic (the stable Service, or the subset-level Service)
   */
  readonly hosts?: string[];
  /**
   * `spec.gateways` of the VirtualService (`<namespace>/<name>`; add `mesh` to keep sidecar traffic).
   * @default - sidecars only (`mesh`)
   */
  readonly gateways?: string[];
  /**
   * Name of the VirtualService.
   * @default - the rollout's name
   */
  readonly virtualServiceName?: string;
  /**
   * Name of the HTTP route the controller shifts (header and mirror routes go before it).
   * @default 'primary'
   */
  readonly httpRouteName?: string;
  /**
   * Whether the VirtualService has the HTTP route (turn off for TLS or TCP only services).
   * @default true
   */
  readonly httpRoute?: boolean;
  /**
   * TLS routes the controller shifts too.
   * @default - none
   */
  readonly tlsRoutes?: IstioTlsRoute[];
  /**
   * TCP routes the controller shifts too.
   * @default - none
   */
  readonly tcpRoutes?: IstioTcpRoute[];
  /**
   * The Service port the routes send to.
   * @default - the stable Service's only port
   */
  readonly port?: number;
  /**
   * Subset level: name of the Service and DestinationRule the split creates.
   * @default - the rollout's name, or `<name>-subsets` when the workload's own Service already has
   * that name (a `ProgressiveService`)
   */
  readonly subsetServiceName?: string;
  /**
   * Ping-pong (host level): two Services, `<rollout>-ping` and `<rollout>-pong`, take turns as stable
   * and canary (the rollout's `pingPong`), and the routes send to them. The rollout then names no
   * stable and canary Service; the VirtualService's host stays the stable Service, which the
   * controller no longer narrows to one version. Request metrics come from the application (the
   * canary's Service changes every release).
   * @default false
   */
  readonly pingPong?: boolean;
}

/**
 * Splits traffic with Istio: creates a VirtualService whose routes hold both destinations (stable
 * weight 100, canary 0) and, for a subset-level split, the Service and DestinationRule with the
 * `stable` and `canary` subsets; returns `trafficRouting.istio`. Header and mirror route steps work
 * with it (the rollout lists them in `managedRoutes`).
 *
 * The objects are `networking.istio.io/v1`, the storage version of the pinned CRD; the controller
 * reads and patches the same objects through `v1alpha3`.
 */
export class IstioTrafficSplit extends TrafficSplitBase {
  private readonly props: IstioTrafficSplitProps;
  private readonly level: IstioSplitLevel;
  private readonly httpRouteName?: string;
  private vs?: ApiObject;
  private dr?: ApiObject;
  private service?: kplus.Service;
  private pingPongPair?: { ping: kplus.Service; pong: kplus.Service };

  constructor(scope: Construct, id: string, props: IstioTrafficSplitProps = {}) {
    super(scope, id);
    checkNumber(this, 'port', 'spec.http[].route[].destination.port.number', props.port, PORT_RANGE);
    this.props = props;
    this.level = props.level ?? IstioSplitLevel.HOST;
    this.httpRouteName = props.httpRoute === false ? undefined : (props.httpRouteName ?? 'primary');
    if (props.httpRoute === false && props.httpRouteName !== undefined) {
      throwViolation(this, { property: 'httpRouteName', field: 'spec.strategy.canary.trafficRouting.istio.virtualService.routes', message: 'httpRouteName is set but httpRoute is false', allowed: 'httpRouteName with the HTTP route only' });
    }
    if (!this.httpRouteName && !props.tlsRoutes?.length && !props.tcpRoutes?.length) {
      throwViolation(this, { property: 'httpRoute', field: 'spec.strategy.canary.trafficRouting.istio.virtualService', message: 'Unable to get any of the HTTP, TCP or TLS routes for the Istio VirtualService', allowed: 'the HTTP route, or tlsRoutes or tcpRoutes' });
    }
    for (const [i, route] of (props.tlsRoutes ?? []).entries()) {
      if (route.sniHosts.length === 0) {
        throwViolation(this, { property: `tlsRoutes[${i}].sniHosts`, field: 'spec.tls[].match[].sniHosts', message: 'a TLS route must match at least one SNI host', allowed: 'one or more host names' });
      }
    }
    if (this.level === IstioSplitLevel.SUBSET && props.pingPong) {
      throwViolation(this, { property: 'pingPong', field: 'spec.strategy.canary.pingPong', message: 'a subset-level split routes to one Service by DestinationRule subsets, so ping and pong Services would carry no traffic', allowed: 'pingPong with level IstioSplitLevel.HOST' });
    }
    if (this.level !== IstioSplitLevel.SUBSET && props.subsetServiceName !== undefined) {
      throwViolation(this, { property: 'subsetServiceName', field: 'spec.strategy.canary.trafficRouting.istio.destinationRule', message: 'subsetServiceName is only used by a subset-level split', allowed: 'level: IstioSplitLevel.SUBSET, or no subsetServiceName' });
    }
  }

  /** The VirtualService, once the split is bound to a rollout. */
  public get virtualService(): ApiObject | undefined {
    return this.vs;
  }

  /** The DestinationRule of a subset-level split, once bound. */
  public get destinationRule(): ApiObject | undefined {
    return this.dr;
  }

  /** The ping and pong Services of a ping-pong split, once bound. */
  public get pingPongServices(): kplus.Service[] {
    return this.pingPongPair ? [this.pingPongPair.ping, this.pingPongPair.pong] : [];
  }

  /** The Service a subset-level split routes to, once bound. */
  public get subsetService(): kplus.Service | undefined {
    return this.service;
  }

  protected bindRouter(target: TrafficSplitTarget): TrafficSplitBinding {
    const p = this.props;
    const rollout = target.rollout;
    const pingPong = p.pingPong ? createPingPongServices(this, target) : undefined;
    this.pingPongPair = pingPong;
    // The controller's first stable is the pong Service (status.canary.stablePingPong empty).
    const { stable, canary, vsName } = this.createObjects(
      rollout.name, rollout.metadata.namespace, rollout.selectorLabels, target.stableService,
      pingPong ? [pingPong.pong, pingPong.ping] : [target.stableService, target.canaryService],
    );
    const subsets = this.level === IstioSplitLevel.SUBSET;
    const istio: any = {
      virtualService: {
        name: vsName,
        routes: this.httpRouteName ? [this.httpRouteName] : undefined,
        tlsRoutes: p.tlsRoutes?.map((r) => ({ port: r.port, sniHosts: r.sniHosts })),
        tcpRoutes: p.tcpRoutes?.map((r) => ({ port: r.port })),
      },
    };
    if (subsets) istio.destinationRule = { name: this.dr!.name, canarySubsetName: 'canary', stableSubsetName: 'stable' };
    if (pingPong) return { trafficRouting: { istio }, pingPong: pingPong.pingPong, routesPingPong: true };
    return {
      trafficRouting: { istio },
      metrics: {
        router: 'istio',
        canaryServiceName: canary.host,
        stableServiceName: stable.host,
        canarySubset: canary.subset,
        stableSubset: stable.subset,
      },
    };
  }

  /**
   * The same VirtualService (and, subset level, Service and DestinationRule); host level, its
   * routes' one destination is the Service with weight 100.
   */
  protected routeService(target: ServiceRouteTarget): void {
    this.createObjects(target.name, target.namespace, target.selectorLabels, target.service, [target.service]);
  }

  /**
   * `hostService`: the Service clients call (the routes' host by default); `destinations`: the
   * stable and (with a rollout) the canary Service of a host-level split.
   */
  private createObjects(
    base: string, namespace: string | undefined, labels: { [key: string]: string }, hostService: kplus.Service, destinations: kplus.Service[],
  ) {
    const p = this.props;
    const port = routedPort(this, hostService, p.port);
    const [stableService, canaryService] = destinations;
    let stable: any;
    let canary: any;
    if (this.level === IstioSplitLevel.SUBSET) {
      const name = p.subsetServiceName ?? (hostService.name === base ? `${base}-subsets` : base);
      // Not the rollout's stable Service: the controller narrows that one to the stable pods.
      this.service = new kplus.Service(this, 'Service', {
        metadata: { name, namespace, labels },
        ports: hostService.ports,
      });
      for (const [key, value] of Object.entries(labels)) this.service.selectLabel(key, value);
      this.dr = new ApiObject(this, 'DestinationRule', {
        ...API_KINDS.destinationRule,
        metadata: { name, namespace, labels },
        spec: {
          host: name,
          subsets: [
            { name: 'canary', labels: { ...labels } },
            { name: 'stable', labels: { ...labels } },
          ],
        },
      });
      stable = { host: name, subset: 'stable', port: { number: port } };
      canary = { host: name, subset: 'canary', port: { number: port } };
    } else {
      stable = { host: stableService.name, port: { number: port } };
      canary = canaryService ? { host: canaryService.name, port: { number: port } } : undefined;
    }
    const route = [{ destination: stable, weight: 100 }, ...(canary ? [{ destination: canary, weight: 0 }] : [])];
    const vsName = p.virtualServiceName ?? base;
    this.vs = new ApiObject(this, 'VirtualService', {
      ...API_KINDS.virtualService,
      metadata: { name: vsName, namespace, labels },
      spec: {
        hosts: p.hosts ?? [this.level === IstioSplitLevel.SUBSET ? stable.host : hostService.name],
        gateways: p.gateways,
        http: this.httpRouteName ? [{ name: this.httpRouteName, route }] : undefined,
        tls: p.tlsRoutes?.map((r) => ({ match: [{ port: r.port, sniHosts: r.sniHosts }], route })),
        tcp: p.tcpRoutes?.map((r) => ({ match: [{ port: r.port }], route })),
      },
    });
    return { stable, canary, vsName };
  }

  /** Section B, rules 46 and 47, plus the DestinationRule and managed route names, on the final JSON. */
  protected validateTarget(target: TrafficSplitTarget): RuleViolation[] {
    const canary = renderedCanary(target);
    const routing = canary.trafficRouting ?? {};
    const istio = routing.istio ?? {};
    const field = 'spec.strategy.canary.trafficRouting.istio';
    if ((istio.virtualService === undefined) === (istio.virtualServices === undefined)) {
      return [{ property: 'virtualServiceName', field, message: 'Internal error: either VirtualService or VirtualServices must be configured', allowed: 'exactly one of virtualService, virtualServices' }];
    }
    const refs: any[] = istio.virtualService ? [istio.virtualService] : istio.virtualServices;
    const refField = `${field}.${istio.virtualService ? 'virtualService' : 'virtualServices'}.name`;
    const vs = this.vs!.toJson();
    const dr = this.dr?.toJson();
    const violations: RuleViolation[] = [];
    const add = (property: string, at: string, message: string, allowed: string) => violations.push({ property, field: at, message, allowed });

    for (const ref of refs) {
      const [name, namespace] = String(ref.name).split('.');
      if (name !== vs.metadata.name || (namespace ?? target.rollout.metadata.namespace) !== vs.metadata.namespace) {
        add('virtualServiceName', refField, `Invalid value: "${ref.name}": virtualservices.networking.istio.io "${ref.name}" not found`, `the split's VirtualService ${vs.metadata.name}`);
        continue;
      }
      const error = routeError(ref, vs.spec ?? {}, canary, routing.managedRoutes ?? []);
      if (error) add('virtualServiceName', refField, `Invalid value: "${ref.name}": ${error}`, 'routes that hold both the stable and the canary destination');
    }

    if (istio.destinationRule) {
      const ref = istio.destinationRule;
      const subsets = (dr?.spec?.subsets ?? []).map((s: any) => s.name);
      if (!dr || ref.name !== dr.metadata.name) {
        add('level', `${field}.destinationRule.name`, `Invalid value: "${ref.name}": destinationrules.networking.istio.io "${ref.name}" not found`, 'the DestinationRule of a subset-level split');
      } else {
        for (const key of ['canarySubsetName', 'stableSubsetName']) {
          if (!subsets.includes(ref[key])) add('level', `${field}.destinationRule.${key}`, `Invalid value: "${ref[key]}": DestinationRule "${ref.name}" has no subset "${ref[key]}"`, `one of ${subsets.join(', ')}`);
        }
      }
    }

    const splitRoutes = (vs.spec?.http ?? []).map((r: any) => r.name).filter((n: any) => n !== undefined);
    for (const managed of routing.managedRoutes ?? []) {
      if (splitRoutes.includes(managed.name)) {
        add('steps', `${field.replace('.istio', '')}.managedRoutes`, `Invalid value: "${managed.name}": a header or mirror route has the name of the VirtualService route the rollout shifts; the controller would replace that route`, `a route name other than ${splitRoutes.join(', ')}`);
      }
    }
    return violations;
  }
}

/** The controller's route checks for one VirtualService reference (`ValidateHTTPRoutes`, `ValidateTlsRoutes`, `ValidateTcpRoutes`). */
function routeError(ref: any, spec: any, canary: any, managedRoutes: any[]): string | undefined {
  const http: any[] = spec.http ?? [];
  const tls: any[] = spec.tls ?? [];
  const tcp: any[] = spec.tcp ?? [];
  if (http.length + tls.length + tcp.length === 0) return 'Unable to get any of the HTTP, TCP or TLS routes for the Istio VirtualService';
  const dr = canary.trafficRouting?.istio?.destinationRule;
  const invalid = (kind: string, error: string) => `Istio VirtualService has invalid ${kind} routes. Error: ${error}`;

  const names: string[] = ref.routes ?? [];
  if (http.length > 0 || names.length > 0) {
    const selected: any[] = [];
    for (const name of names) {
      const route = http.find((r) => r.name === name);
      if (!route) return invalid('HTTP', `HTTP Route '${name}' is not found in the defined Virtual Service.`);
      selected.push(route);
    }
    const managed = managedRoutes.map((r) => r.name);
    if (names.length === 0 && http.filter((r) => !managed.includes(r.name)).length > 1) {
      return invalid('HTTP', 'spec.http[] should be set in VirtualService and it must have exactly one route when omitting spec.strategy.canary.trafficRouting.istio.virtualService.routes');
    }
    const error = firstDestinationError(names.length > 0 ? selected : http.slice(0, 1), canary, dr);
    if (error) return invalid('HTTP', error);
  }
  const tlsRefs: any[] = ref.tlsRoutes ?? [];
  if (tlsRefs.length > 0) {
    const selected = tlsRefs.map((t) => tls.filter((r) => singlePort(r) === (t.port ?? 0) && sameSet(sniHosts(r), t.sniHosts ?? [])));
    if (selected.some((s) => s.length === 0)) return invalid('TLS', 'No matching TLS routes found in the defined Virtual Service.');
    const error = firstDestinationError(selected.flat(), canary, dr);
    if (error) return invalid('TLS', error);
  }
  const tcpRefs: any[] = ref.tcpRoutes ?? [];
  if (tcpRefs.length > 0) {
    const selected = tcpRefs.map((t) => tcp.filter((r) => singlePort(r) === (t.port ?? 0)));
    if (selected.some((s) => s.length === 0)) return invalid('TCP', 'No matching TCP routes found in the defined Virtual Service.');
    const error = firstDestinationError(selected.flat(), canary, dr);
    if (error) return invalid('TCP', error);
  }
  return undefined;
}

/**
 * Both destinations must be in each route: subsets for a subset-level split, Services otherwise
 * (the ping-pong Services when the rollout names neither stable nor canary Service, the pong one
 * stable first, as the controller's `GetStableAndCanaryServices`).
 */
function firstDestinationError(routes: any[], canary: any, dr: any): string | undefined {
  const byPingPong = canary.pingPong && !canary.stableService && !canary.canaryService;
  const stableService = byPingPong ? canary.pingPong.pongService : canary.stableService;
  const canaryService = byPingPong ? canary.pingPong.pingService : canary.canaryService;
  for (const route of routes) {
    const destinations = (route.route ?? []).map((d: any) => d.destination ?? {});
    // The controller compares the first DNS label of the host with the Service name.
    const hosts = destinations.map((d: any) => String(d.host ?? '').split('.')[0]);
    const subsets = destinations.map((d: any) => d.subset);
    if (dr) {
      if (!subsets.includes(dr.canarySubsetName)) return `Canary DestinationRule subset '${dr.canarySubsetName}' not found in route`;
      if (!subsets.includes(dr.stableSubsetName)) return `Stable DestinationRule subset '${dr.stableSubsetName}' not found in route`;
    } else {
      if (!hosts.includes(canaryService)) return `Canary Service '${canaryService ?? ''}' not found in route`;
      if (!hosts.includes(stableService)) return `Stable Service '${stableService ?? ''}' not found in route`;
    }
  }
  return undefined;
}

/** The port of a TLS/TCP route whose matches name one port (0 if none); NaN if they name several. */
function singlePort(route: any): number {
  const ports = new Set<number>((route.match ?? []).map((m: any) => m.port ?? 0));
  if (ports.size > 1) return NaN;
  return ports.size === 1 ? [...ports][0] : 0;
}

function sniHosts(route: any): string[] {
  return [...new Set<string>((route.match ?? []).flatMap((m: any) => m.sniHosts ?? []))];
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === new Set(b).size && a.every((x) => b.includes(x));
}
