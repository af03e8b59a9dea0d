import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ITrafficSplit, ServiceRouteTarget, TrafficSplitBinding, TrafficSplitTarget } from './traffic-split';
import { createSelectorService } from '../rollout/rollout-base';
import { addRuleValidation, RuleViolation, throwViolation } from '../validation/rule-violation';

/**
 * What every traffic split shares: it is bound to exactly one rollout, creates its routing objects
 * when it is bound, and re-checks them against the rollout's final JSON at synth time.
 */
export abstract class TrafficSplitBase extends Construct implements ITrafficSplit {
  private target?: TrafficSplitTarget;
  private serviceTarget?: ServiceRouteTarget;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    addRuleValidation(this, () => this.target ? this.validateTarget(this.target) : this.serviceTarget ? [] : [{
      property: 'trafficSplit',
      field: 'spec.strategy.canary.trafficRouting',
      message: `${this.constructor.name} "${this.node.path}" is not bound to any rollout, so it creates no routing objects`,
      allowed: 'pass it as the trafficSplit of one CanaryRollout or ProgressiveService',
    }]);
  }

  public bind(target: TrafficSplitTarget): TrafficSplitBinding {
    this.checkUnbound(`rollout "${target.rollout.name}" (${target.rollout.node.path})`);
    this.target = target;
    return this.bindRouter(target);
  }

  public routeToService(target: ServiceRouteTarget): void {
    this.checkUnbound(`workload "${target.name}" (${target.workload.node.path})`);
    this.serviceTarget = target;
    this.routeService(target);
  }

  private checkUnbound(next: string) {
    const bound = this.target
      ? `rollout "${this.target.rollout.name}" (${this.target.rollout.node.path})`
      : this.serviceTarget ? `workload "${this.serviceTarget.name}" (${this.serviceTarget.workload.node.path})` : undefined;
    if (bound) {
      throwViolation(this, {
        property: 'trafficSplit',
        field: 'spec.strategy.canary.trafficRouting',
        message: `this split is bound to ${bound}; ${next} cannot use it too`,
        allowed: 'one traffic split per rollout: create a second split for the second rollout',
      });
    }
  }

  /** Creates the routing objects for the rollout and returns its `trafficRouting`. */
  protected abstract bindRouter(target: TrafficSplitTarget): TrafficSplitBinding;

  /**
   * Creates the same routing objects, all traffic to one Service (no rollout). A router that
   * routes only through a rollout keeps this default, which refuses.
   */
  protected routeService(target: ServiceRouteTarget): void {
    throwViolation(target.workload, {
      property: 'trafficSplit',
      field: 'spec.strategy.canary.trafficRouting',
      message: `${this.constructor.name} routes a rollout's traffic only; workload "${target.name}" has no rollout`,
      allowed: 'a canary rollout, or NginxTrafficSplit, IstioTrafficSplit or GatewayApiTrafficSplit (they route a plain Deployment too)',
    });
  }

  /** Cross-object checks of the final JSON (JSON patches included), run at synth time. */
  protected abstract validateTarget(target: TrafficSplitTarget): RuleViolation[];
}

/** The final `spec.strategy.canary` of a rollout, JSON patches included. */
export function renderedCanary(target: TrafficSplitTarget): any {
  return ApiObject.of(target.rollout).toJson().spec?.strategy?.canary ?? {};
}

/**
 * The port a router sends to: `port` if the Service has it, else the Service's only port.
 */
export function routedPort(scope: Construct, service: kplus.Service, port: number | undefined): number {
  const ports = service.ports.map((p) => p.port);
  if (port !== undefined) {
    if (!ports.includes(port)) {
      throwViolation(scope, { property: 'port', field: 'port', message: `Service "${service.name}" has no port ${port}`, allowed: `one of ${ports.join(', ')}` });
    }
    return port;
  }
  if (ports.length !== 1) {
    throwViolation(scope, { property: 'port', field: 'port', message: `Service "${service.name}" has ${ports.length} ports; the router needs to know which one to send traffic to`, allowed: `one of ${ports.join(', ')}` });
  }
  return ports[0];
}

/**
 * Rules 44 and 45 for the Ingresses a rollout's `trafficRouting` names (final JSON of the split's
 * own Ingresses): each exists, is in the rollout's namespace and has a rule whose backend is
 * `service`. Returns those found (name, final JSON, the backends to `service`), for the router's own
 * checks.
 */
export function routedIngresses(
  names: string[], own: Map<string, any>, namespace: string | undefined, namesField: string, service: string, allowedBackend: string,
): { found: Array<{ name: string; ingress: any; backends: any[] }>; violations: RuleViolation[] } {
  const found: Array<{ name: string; ingress: any; backends: any[] }> = [];
  const violations: RuleViolation[] = [];
  for (const name of names) {
    const ingress = own.get(name);
    if (!ingress) {
      violations.push({ property: 'ingresses', field: namesField, message: `Invalid value: "${name}": ingresses.networking.k8s.io "${name}" not found`, allowed: `an Ingress of this split: ${[...own.keys()].join(', ')}` });
      continue;
    }
    if (ingress.metadata?.namespace !== namespace) {
      violations.push({ property: 'ingresses', field: namesField, message: `Invalid value: "${name}": ingress \`${name}\` is in namespace "${ingress.metadata?.namespace}", the rollout in "${namespace}"`, allowed: 'an Ingress in the rollout\'s namespace' });
    }
    const backends = (ingress.spec?.rules ?? []).flatMap((rule: any) => rule.http?.paths ?? []).map((path: any) => path.backend?.service)
      .filter((backend: any) => backend?.name === service);
    if (backends.length === 0) {
      violations.push({ property: 'ingresses', field: namesField, message: `Invalid value: "${name}": ingress \`${name}\` has no rules using service ${service} backend`, allowed: allowedBackend });
    }
    found.push({ name, ingress, backends });
  }
  return { found, violations };
}

/**
 * Ping-pong (ALB, Istio): the Services `<rollout>-ping` and `<rollout>-pong` on the stable Service's
 * ports, selecting the rollout's pods (the controller adds the pod-template hash to each in turn),
 * and the rollout's `pingPong` naming them.
 */
export function createPingPongServices(scope: Construct, target: TrafficSplitTarget): { ping: kplus.Service; pong: kplus.Service; pingPong: any } {
  const service = (id: string, suffix: string) => createSelectorService(scope, id, {
    name: `${target.rollout.name}-${suffix}`,
    namespace: target.rollout.metadata.namespace,
    selectorLabels: target.rollout.selectorLabels,
    ports: target.stableService.ports,
  });
  const ping = service('PingService', 'ping');
  const pong = service('PongService', 'pong');
  return { ping, pong, pingPong: { pingService: ping.name, pongService: pong.name } };
}
