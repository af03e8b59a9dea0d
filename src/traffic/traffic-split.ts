import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import type { IRollout } from '../rollout/rollout-base';

/**
 * What a traffic split is bound to: the rollout and the two Services it shifts traffic between.
 */
export interface TrafficSplitTarget {
  /** The rollout (its name and namespace, and the scope for generated names). */
  readonly rollout: IRollout;
  /** The Service that selects the stable pods. */
  readonly stableService: kplus.Service;
  /** The Service that selects the canary pods. */
  readonly canaryService: kplus.Service;
}

/**
 * Where a router's request metrics for one rollout are, so analysis checks and dashboards query
 * the series that router really produces (see `reference/monitoring.md`).
 */
export interface RouterMetrics {
  /** The router: `nginx`, `istio` or `gatewayAPI`. */
  readonly router: string;
  /**
   * ingress-nginx: the stable Ingress name. Canary requests carry it too, with a non-empty `canary` label.
   * @default - not an nginx split
   */
  readonly ingressName?: string;
  /**
   * Istio subset-level split: the DestinationRule subsets (`destination_version` in metrics is the
   * pods' `version` label, so these are informational); undefined for a host-level split.
   * @default - host-level (by Service)
   */
  readonly canarySubset?: string;
  /** @default - host-level (by Service) */
  readonly stableSubset?: string;
  /**
   * Istio: `destination_service_name` of canary requests (the canary Service for a host-level
   * split, the one routed Service for a subset-level split).
   * @default - not an Istio split
   */
  readonly canaryServiceName?: string;
  /**
   * Istio: `destination_service_name` of stable requests.
   * @default - not an Istio split
   */
  readonly stableServiceName?: string;
  /**
   * Gateway API: the HTTPRoute name (some implementations key their metrics by route).
   * @default - not a Gateway API split
   */
  readonly httpRouteName?: string;
}

/** What binding a traffic split returns to the rollout. */
export interface TrafficSplitBinding {
  /**
   * The router's part of `spec.strategy.canary.trafficRouting`, as JSON (e.g. `{ nginx: {...} }`).
   * The rollout adds `managedRoutes` from its header and mirror route steps.
   */
  readonly trafficRouting: any;
  /**
   * The router's request metrics for this rollout.
   * @default - the router has no request metrics of its own (use the application's)
   */
  readonly metrics?: RouterMetrics;
  /**
   * The canary strategy's `pingPong` (`{ pingService, pongService }`), for routers that swap two
   * Services instead of stable and canary (ALB, Istio).
   * @default - no ping-pong
   */
  readonly pingPong?: any;
  /**
   * The router sends traffic to the ping-pong Services themselves (Istio): the rollout names no
   * `stableService` / `canaryService`, since the controller's Istio reconciler routes to those
   * whenever one is set.
   * @default false
   */
  readonly routesPingPong?: boolean;
}

/**
 * What a traffic split routes to when there is no rollout (a `ProgressiveService` that releases
 * with a plain Deployment): one Service that gets all the traffic.
 */
export interface ServiceRouteTarget {
  /** The workload's construct (the scope for error messages). */
  readonly workload: IConstruct;
  /** The name the routing objects are named after (the rollout's name when there is one). */
  readonly name: string;
  /**
   * The namespace of the routing objects.
   * @default - the chart's
   */
  readonly namespace?: string;
  /** The workload's selector labels (labels of the routing objects). */
  readonly selectorLabels: { [key: string]: string };
  /** The Service that gets all the traffic (the rollout's stable Service once it has one). */
  readonly service: kplus.Service;
}

/**
 * A traffic router (ingress-nginx, Istio, Gateway API...). A rollout takes exactly one and binds it
 * once: the split creates its routing objects (Ingress, VirtualService, HTTPRoute...) wired to the
 * rollout's Services, and returns the rollout's `trafficRouting`.
 */
export interface ITrafficSplit {
  /** Binds the split to a rollout. A split serves one rollout; binding it twice is an error. */
  bind(target: TrafficSplitTarget): TrafficSplitBinding;

  /**
   * Routes to one Service, without a rollout: the same routing objects (names, owner), all traffic
   * to the Service. A split serves one workload; routing it twice is an error.
   */
  routeToService(target: ServiceRouteTarget): void;
}
