import { ApiObject, Chart, Testing } from 'cdk8s';
import {
  CanaryStep, DeliveryStrategy, GatewayApiTrafficSplit, ITrafficSplit, IstioSplitLevel, IstioTrafficSplit, NginxTrafficSplit, ProgressiveService,
} from '../src';
import { constructionError, schemas } from './support/synth';

type SplitFactory = (chart: Chart) => ITrafficSplit;
const splits: Array<[string, string, SplitFactory]> = [
  ['nginx', 'Ingress', (c) => new NginxTrafficSplit(c, 'traffic', { host: 'billing.example.com' })],
  ['Istio host level', 'VirtualService', (c) => new IstioTrafficSplit(c, 'traffic', { hosts: ['billing.example.com'] })],
  ['Istio subset level', 'VirtualService', (c) => new IstioTrafficSplit(c, 'traffic', { level: IstioSplitLevel.SUBSET })],
  ['Gateway API', 'HTTPRoute', (c) => new GatewayApiTrafficSplit(c, 'traffic', { gateways: [{ name: 'gw', namespace: 'gateways' }] })],
];

/** The prod chart of seed 004 with billing on a Deployment or a canary; the route's object and its owner's path. */
function billing(rollout: boolean, split: SplitFactory, kind: string) {
  const chart = new Chart(Testing.app(), 'services-prod', { namespace: 'prod' });
  const service = new ProgressiveService(chart, 'billing', {
    metadata: { name: 'billing' },
    containers: [{ image: 'registry.example.com/billing:2.0.7', portNumber: 9000 }],
    trafficSplit: split(chart),
    delivery: rollout ? DeliveryStrategy.canary({ steps: [CanaryStep.weight(25)] }) : DeliveryStrategy.deployment(),
  });
  const objects = Testing.synth(chart);
  for (const o of objects) expect(schemas.errors(o)).toEqual([]);
  const routeObject = chart.node.findAll().find((c): c is ApiObject => c instanceof ApiObject && c.kind === kind)!;
  return { service, objects, route: objects.find((o) => o.kind === kind), owner: routeObject.node.path };
}

describe('ProgressiveService owns its route either way', () => {
  test.each(splits)('%s: the same %s, same owner, whether billing runs a Deployment or a Rollout', (_name, kind, split) => {
    const plain = billing(false, split, kind);
    const canary = billing(true, split, kind);
    expect(plain.service.deployment).toBeDefined();
    expect(plain.service.rollout).toBeUndefined();
    expect(canary.service.rollout).toBeDefined();
    expect(plain.owner).toBe(canary.owner);
    expect(plain.route.metadata).toEqual(canary.route.metadata);
    expect(plain.objects.map((o) => o.kind)).not.toContain('Rollout');
    // Only the canary Service comes and goes.
    const services = (objects: any[]) => objects.filter((o) => o.kind === 'Service').map((o) => o.metadata.name).sort();
    expect(services(canary.objects).filter((n) => !services(plain.objects).includes(n))).toEqual(['billing-canary']);
  });

  test('nginx: the Deployment\'s Ingress is byte for byte the Rollout\'s stable Ingress', () => {
    const split: SplitFactory = (c) => new NginxTrafficSplit(c, 'traffic', { host: 'billing.example.com' });
    expect(billing(false, split, 'Ingress').route).toEqual(billing(true, split, 'Ingress').route);
  });

  test('host level: without a rollout every route sends all traffic to the Service', () => {
    const istio = billing(false, (c) => new IstioTrafficSplit(c, 'traffic'), 'VirtualService').route;
    expect(istio.spec.http).toEqual([{ name: 'primary', route: [{ destination: { host: 'billing', port: { number: 9000 } }, weight: 100 }] }]);
    const gateway = billing(false, (c) => new GatewayApiTrafficSplit(c, 'traffic', { gateways: [{ name: 'gw' }] }), 'HTTPRoute').route;
    expect(gateway.spec.rules[0].backendRefs).toEqual([{ group: '', kind: 'Service', name: 'billing', port: 9000, weight: 100 }]);
    const canary = billing(true, (c) => new IstioTrafficSplit(c, 'traffic'), 'VirtualService').route;
    expect(canary.spec.http[0].route.map((r: any) => [r.destination.host, r.weight])).toEqual([['billing', 100], ['billing-canary', 0]]);
  });

  test('errors: blue-green with a split, a split on both the service and its canary, one split for two services', () => {
    const chart = new Chart(Testing.app(), 'c', { namespace: 'prod' });
    const containers = [{ image: 'registry.example.com/billing:2.0.7', portNumber: 9000 }];
    expect(constructionError(() => new ProgressiveService(chart, 'a', { containers, trafficSplit: new NginxTrafficSplit(chart, 't1'), delivery: DeliveryStrategy.blueGreen() })))
      .toContain('[c/a] trafficSplit: spec.strategy.blueGreen: a blue-green Rollout switches Services, it does not shift a traffic split');
    expect(constructionError(() => new ProgressiveService(chart, 'b', {
      containers, trafficSplit: new NginxTrafficSplit(chart, 't2'), delivery: DeliveryStrategy.canary({ trafficSplit: new NginxTrafficSplit(chart, 't3'), steps: [CanaryStep.weight(25)] }),
    }))).toContain('[c/b] trafficSplit: spec.strategy.canary.trafficRouting: both the service and its canary delivery have a trafficSplit');
    const shared = new NginxTrafficSplit(chart, 'shared');
    new ProgressiveService(chart, 'c', { metadata: { name: 'c' }, containers, trafficSplit: shared });
    expect(constructionError(() => new ProgressiveService(chart, 'd', { metadata: { name: 'd' }, containers, trafficSplit: shared })))
      .toContain('this split is bound to workload "c" (c/c); workload "d" (c/d) cannot use it too');
  });
});
