import { ApiObject, App, Duration, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  CanaryRollout, CanaryRolloutProps, CanaryStep, DeliveryStrategy, IstioSplitLevel, IstioTrafficSplit, IstioTrafficSplitProps, ProgressiveService,
  RequestMetrics, StringMatch,
} from '../src';
import { constructionError, find, schemas, synth, testChart, validationErrors } from './support/synth';

function istioRollout(props: IstioTrafficSplitProps = {}, rolloutProps: Partial<CanaryRolloutProps> = {}) {
  const chart = testChart('x0tta6bl4-production');
  const split = new IstioTrafficSplit(chart, 'traffic', props);
  const rollout = new CanaryRollout(chart, 'proxy-api', {
    metadata: { name: 'proxy-api' },
    containers: [{ image: 'x0tta6bl4/proxy-orchestrator:v1.1.0', portNumber: 8080 }],
    trafficSplit: split,
    ...rolloutProps,
  });
  return { chart, split, rollout };
}

const errorsOf = (chart: any) => validationErrors(App.of(chart) as App);
const canaryOf = (objects: any[]) => find(objects, 'Rollout').spec.strategy.canary;

describe('IstioTrafficSplit, host level', () => {
  test('creates a VirtualService whose named route holds both Services (100/0), and trafficRouting.istio', () => {
    const { chart, rollout } = istioRollout();
    const objects = synth(chart);
    for (const o of objects) expect(schemas.errors(o)).toEqual([]);

    const vs = find(objects, 'VirtualService');
    expect(vs.apiVersion).toBe('networking.istio.io/v1');
    expect(vs.metadata).toMatchObject({ name: 'proxy-api', namespace: 'x0tta6bl4-production' });
    expect(vs.spec).toEqual({
      hosts: ['proxy-api-stable'],
      http: [{
        name: 'primary',
        route: [
          { destination: { host: 'proxy-api-stable', port: { number: 8080 } }, weight: 100 },
          { destination: { host: 'proxy-api-canary', port: { number: 8080 } }, weight: 0 },
        ],
      }],
    });
    expect(canaryOf(objects).trafficRouting).toEqual({ istio: { virtualService: { name: 'proxy-api', routes: ['primary'] } } });
    expect(objects.filter((o) => o.kind === 'DestinationRule')).toEqual([]);
    expect(rollout.routerMetrics).toEqual({ router: 'istio', canaryServiceName: 'proxy-api-canary', stableServiceName: 'proxy-api-stable' });
  });

  test('hosts, gateways and names are passed through', () => {
    const { chart } = istioRollout({ hosts: ['proxy-api.x0tta6bl4.io'], gateways: ['istio-system/public', 'mesh'], virtualServiceName: 'proxy', httpRouteName: 'http' });
    const objects = synth(chart);
    const vs = find(objects, 'VirtualService', 'proxy');
    expect(vs.spec.hosts).toEqual(['proxy-api.x0tta6bl4.io']);
    expect(vs.spec.gateways).toEqual(['istio-system/public', 'mesh']);
    expect(vs.spec.http[0].name).toBe('http');
    expect(canaryOf(objects).trafficRouting.istio.virtualService).toEqual({ name: 'proxy', routes: ['http'] });
  });

  test('TLS and TCP routes hold both Services and are listed in the rollout; the HTTP route can be left out', () => {
    const { chart } = istioRollout({ httpRoute: false, tlsRoutes: [{ port: 443, sniHosts: ['proxy-api.x0tta6bl4.io'] }], tcpRoutes: [{ port: 5432 }] });
    const objects = synth(chart);
    for (const o of objects) expect(schemas.errors(o)).toEqual([]);
    const vs = find(objects, 'VirtualService');
    const route = [
      { destination: { host: 'proxy-api-stable', port: { number: 8080 } }, weight: 100 },
      { destination: { host: 'proxy-api-canary', port: { number: 8080 } }, weight: 0 },
    ];
    expect(vs.spec.http).toBeUndefined();
    expect(vs.spec.tls).toEqual([{ match: [{ port: 443, sniHosts: ['proxy-api.x0tta6bl4.io'] }], route }]);
    expect(vs.spec.tcp).toEqual([{ match: [{ port: 5432 }], route }]);
    expect(canaryOf(objects).trafficRouting.istio.virtualService).toEqual({
      name: 'proxy-api', tlsRoutes: [{ port: 443, sniHosts: ['proxy-api.x0tta6bl4.io'] }], tcpRoutes: [{ port: 5432 }],
    });
  });
});

describe('IstioTrafficSplit, subset level', () => {
  test('creates a Service of its own, a DestinationRule with stable/canary subsets, and a VirtualService routing to both subsets', () => {
    const { chart, rollout } = istioRollout({ level: IstioSplitLevel.SUBSET });
    const objects = synth(chart);
    for (const o of objects) expect(schemas.errors(o)).toEqual([]);

    // Not the stable Service: the controller narrows that one to the stable ReplicaSet.
    const service = find(objects, 'Service', 'proxy-api');
    expect(service.spec.selector).toEqual({ 'app.kubernetes.io/name': 'proxy-api' });
    expect(service.spec.ports).toEqual([{ port: 8080, targetPort: 8080 }]);

    const dr = find(objects, 'DestinationRule');
    expect(dr.apiVersion).toBe('networking.istio.io/v1');
    expect(dr.metadata).toMatchObject({ name: 'proxy-api', namespace: 'x0tta6bl4-production' });
    expect(dr.spec).toEqual({
      host: 'proxy-api',
      subsets: [
        { name: 'canary', labels: { 'app.kubernetes.io/name': 'proxy-api' } },
        { name: 'stable', labels: { 'app.kubernetes.io/name': 'proxy-api' } },
      ],
    });
    expect(find(objects, 'VirtualService').spec.http[0].route).toEqual([
      { destination: { host: 'proxy-api', subset: 'stable', port: { number: 8080 } }, weight: 100 },
      { destination: { host: 'proxy-api', subset: 'canary', port: { number: 8080 } }, weight: 0 },
    ]);
    expect(canaryOf(objects).trafficRouting.istio).toEqual({
      virtualService: { name: 'proxy-api', routes: ['primary'] },
      destinationRule: { name: 'proxy-api', canarySubsetName: 'canary', stableSubsetName: 'stable' },
    });
    expect(rollout.routerMetrics).toEqual({ router: 'istio', canaryServiceName: 'proxy-api', stableServiceName: 'proxy-api', canarySubset: 'canary', stableSubset: 'stable' });
  });

  test('subsetServiceName names the Service and DestinationRule', () => {
    const { chart } = istioRollout({ level: IstioSplitLevel.SUBSET, subsetServiceName: 'proxy' });
    const objects = synth(chart);
    expect(find(objects, 'DestinationRule', 'proxy').spec.host).toBe('proxy');
    expect(find(objects, 'Service', 'proxy')).toBeDefined();
    expect(find(objects, 'VirtualService').spec.hosts).toEqual(['proxy']);
  });
});

describe('header and mirror routes, end to end', () => {
  test('steps, managedRoutes and the VirtualService fit together', () => {
    const { chart } = istioRollout({}, {
      steps: [
        CanaryStep.headerRoute({ name: 'x-canary', match: [{ name: 'x-canary', value: StringMatch.exact('true') }] }),
        CanaryStep.headerRoute({ name: 'beta', match: [{ name: 'x-user', value: StringMatch.prefix('beta-') }, { name: 'x-region', value: StringMatch.regex('eu-.*') }] }),
        CanaryStep.mirrorRoute({ name: 'mirror-get', percentage: 20, match: [{ method: StringMatch.exact('GET'), path: StringMatch.prefix('/api') }] }),
        CanaryStep.weight(10),
        CanaryStep.pause(Duration.minutes(5)),
        CanaryStep.removeHeaderRoute('beta'),
        CanaryStep.removeMirrorRoute('mirror-get'),
      ],
    });
    const objects = synth(chart);
    for (const o of objects) expect(schemas.errors(o)).toEqual([]);
    const canary = canaryOf(objects);
    expect(canary.trafficRouting.managedRoutes).toEqual([{ name: 'x-canary' }, { name: 'beta' }, { name: 'mirror-get' }]);
    expect(canary.steps.slice(0, 3)).toEqual([
      { setHeaderRoute: { name: 'x-canary', match: [{ headerName: 'x-canary', headerValue: { exact: 'true' } }] } },
      { setHeaderRoute: { name: 'beta', match: [{ headerName: 'x-user', headerValue: { prefix: 'beta-' } }, { headerName: 'x-region', headerValue: { regex: 'eu-.*' } }] } },
      { setMirrorRoute: { name: 'mirror-get', percentage: 20, match: [{ method: { exact: 'GET' }, path: { prefix: '/api' } }] } },
    ]);
    // The controller adds the managed routes in front of `primary` at run time; the VS holds only it.
    expect(find(objects, 'VirtualService').spec.http.map((r: any) => r.name)).toEqual(['primary']);
    expect(canary.trafficRouting.istio.virtualService.routes).toEqual(['primary']);
  });

  test('a header route named like the shifted route is refused', () => {
    const { chart } = istioRollout({}, { steps: [CanaryStep.headerRoute({ name: 'primary', match: [{ name: 'x-canary', value: StringMatch.exact('true') }] })] });
    expect(errorsOf(chart)).toEqual([
      '[test/traffic] steps: spec.strategy.canary.trafficRouting.managedRoutes: Invalid value: "primary": a header or mirror route has the name of the VirtualService route the rollout shifts; the controller would replace that route (allowed: a route name other than primary)',
    ]);
  });
});

describe('construction errors', () => {
  test.each<[string, IstioTrafficSplitProps, string]>([
    ['no route at all', { httpRoute: false }, 'httpRoute: spec.strategy.canary.trafficRouting.istio.virtualService: Unable to get any of the HTTP, TCP or TLS routes for the Istio VirtualService'],
    ['route name without the route', { httpRoute: false, httpRouteName: 'http', tcpRoutes: [{ port: 1 }] }, 'httpRouteName is set but httpRoute is false'],
    ['TLS route without SNI hosts', { tlsRoutes: [{ port: 443, sniHosts: [] }] }, 'tlsRoutes[0].sniHosts: spec.tls[].match[].sniHosts: a TLS route must match at least one SNI host'],
    ['subset Service name at host level', { subsetServiceName: 'proxy' }, 'subsetServiceName is only used by a subset-level split (allowed: level: IstioSplitLevel.SUBSET, or no subsetServiceName)'],
  ])('%s', (_name, props, message) => {
    const error = constructionError(() => new IstioTrafficSplit(testChart(), 'traffic', props));
    expect(error).toContain('[test/traffic]');
    expect(error).toContain(message);
  });
});

describe('rules 46 and 47 on the final JSON (JSON patches included)', () => {
  const vsField = 'virtualServiceName: spec.strategy.canary.trafficRouting.istio.virtualService.name: Invalid value: "proxy-api": ';

  test('route renamed in the VirtualService', () => {
    const { chart, split } = istioRollout();
    ApiObject.of(split.virtualService!).addJsonPatch(JsonPatch.replace('/spec/http/0/name', 'main'));
    expect(errorsOf(chart)).toEqual([expect.stringContaining(`${vsField}Istio VirtualService has invalid HTTP routes. Error: HTTP Route 'primary' is not found in the defined Virtual Service.`)]);
  });

  test('canary destination removed', () => {
    const { chart, split } = istioRollout();
    ApiObject.of(split.virtualService!).addJsonPatch(JsonPatch.remove('/spec/http/0/route/1'));
    expect(errorsOf(chart)).toEqual([expect.stringContaining("Istio VirtualService has invalid HTTP routes. Error: Canary Service 'proxy-api-canary' not found in route")]);
  });

  test('stable destination pointing elsewhere', () => {
    const { chart, split } = istioRollout();
    ApiObject.of(split.virtualService!).addJsonPatch(JsonPatch.replace('/spec/http/0/route/0/destination/host', 'legacy.x0tta6bl4-production.svc.cluster.local'));
    expect(errorsOf(chart)).toEqual([expect.stringContaining("Error: Stable Service 'proxy-api-stable' not found in route")]);
  });

  test('a fully qualified destination host is accepted (the controller compares the first label)', () => {
    const { chart, split } = istioRollout();
    ApiObject.of(split.virtualService!).addJsonPatch(JsonPatch.replace('/spec/http/0/route/0/destination/host', 'proxy-api-stable.x0tta6bl4-production.svc.cluster.local'));
    expect(errorsOf(chart)).toEqual([]);
  });

  test('subset level: canary subset missing from the route', () => {
    const { chart, split } = istioRollout({ level: IstioSplitLevel.SUBSET });
    ApiObject.of(split.virtualService!).addJsonPatch(JsonPatch.replace('/spec/http/0/route/1/destination/subset', 'stable'));
    expect(errorsOf(chart)).toEqual([expect.stringContaining("Error: Canary DestinationRule subset 'canary' not found in route")]);
  });

  test('subset level: subset missing from the DestinationRule', () => {
    const { chart, split } = istioRollout({ level: IstioSplitLevel.SUBSET });
    ApiObject.of(split.destinationRule!).addJsonPatch(JsonPatch.replace('/spec/subsets/0/name', 'preview'));
    expect(errorsOf(chart)).toEqual([
      '[test/traffic] level: spec.strategy.canary.trafficRouting.istio.destinationRule.canarySubsetName: Invalid value: "canary": DestinationRule "proxy-api" has no subset "canary" (allowed: one of preview, stable)',
    ]);
  });

  test('rule 46: virtualService and virtualServices both set', () => {
    const { chart, rollout } = istioRollout();
    ApiObject.of(rollout).addJsonPatch(JsonPatch.add('/spec/strategy/canary/trafficRouting/istio/virtualServices', [{ name: 'proxy-api' }]));
    expect(errorsOf(chart)).toEqual([
      '[test/traffic] virtualServiceName: spec.strategy.canary.trafficRouting.istio: Internal error: either VirtualService or VirtualServices must be configured (allowed: exactly one of virtualService, virtualServices)',
    ]);
  });

  test('virtualServices (the list form) is checked too', () => {
    const { chart, rollout } = istioRollout();
    ApiObject.of(rollout).addJsonPatch(
      JsonPatch.remove('/spec/strategy/canary/trafficRouting/istio/virtualService'),
      JsonPatch.add('/spec/strategy/canary/trafficRouting/istio/virtualServices', [{ name: 'proxy-api.x0tta6bl4-production', routes: ['http'] }]));
    expect(errorsOf(chart)).toEqual([
      expect.stringContaining('spec.strategy.canary.trafficRouting.istio.virtualServices.name: Invalid value: "proxy-api.x0tta6bl4-production": Istio VirtualService has invalid HTTP routes. Error: HTTP Route \'http\' is not found'),
    ]);
  });

  test('VirtualService name that does not exist', () => {
    const { chart, rollout } = istioRollout();
    ApiObject.of(rollout).addJsonPatch(JsonPatch.replace('/spec/strategy/canary/trafficRouting/istio/virtualService/name', 'proxy-api.other-namespace'));
    expect(errorsOf(chart)).toEqual([expect.stringContaining('Invalid value: "proxy-api.other-namespace": virtualservices.networking.istio.io "proxy-api.other-namespace" not found')]);
  });

  test('routes omitted while the VirtualService has two HTTP routes', () => {
    const { chart, split, rollout } = istioRollout();
    ApiObject.of(rollout).addJsonPatch(JsonPatch.remove('/spec/strategy/canary/trafficRouting/istio/virtualService/routes'));
    ApiObject.of(split.virtualService!).addJsonPatch(JsonPatch.add('/spec/http/-', { name: 'other', route: [{ destination: { host: 'proxy-api-stable' } }] }));
    expect(errorsOf(chart)).toEqual([expect.stringContaining('Error: spec.http[] should be set in VirtualService and it must have exactly one route when omitting spec.strategy.canary.trafficRouting.istio.virtualService.routes')]);
  });

  test('no route of any kind left in the VirtualService', () => {
    const { chart, split } = istioRollout();
    ApiObject.of(split.virtualService!).addJsonPatch(JsonPatch.remove('/spec/http'));
    expect(errorsOf(chart)).toEqual([expect.stringContaining(`${vsField}Unable to get any of the HTTP, TCP or TLS routes for the Istio VirtualService`)]);
  });

  test('TLS route whose SNI hosts no longer match', () => {
    const { chart, split } = istioRollout({ tlsRoutes: [{ port: 443, sniHosts: ['a.example.com'] }] });
    ApiObject.of(split.virtualService!).addJsonPatch(JsonPatch.replace('/spec/tls/0/match/0/sniHosts', ['b.example.com']));
    expect(errorsOf(chart)).toEqual([expect.stringContaining('Istio VirtualService has invalid TLS routes. Error: No matching TLS routes found in the defined Virtual Service.')]);
  });

  test('TCP route whose port no longer matches', () => {
    const { chart, split } = istioRollout({ tcpRoutes: [{ port: 5432 }] });
    ApiObject.of(split.virtualService!).addJsonPatch(JsonPatch.replace('/spec/tcp/0/match/0/port', 5433));
    expect(errorsOf(chart)).toEqual([expect.stringContaining('Istio VirtualService has invalid TCP routes. Error: No matching TCP routes found in the defined Virtual Service.')]);
  });

  test('TCP route without the canary destination', () => {
    const { chart, split } = istioRollout({ tcpRoutes: [{ port: 5432 }] });
    ApiObject.of(split.virtualService!).addJsonPatch(JsonPatch.remove('/spec/tcp/0/route/1'));
    expect(errorsOf(chart)).toEqual([expect.stringContaining("invalid TCP routes. Error: Canary Service 'proxy-api-canary' not found in route")]);
  });
});

describe('IstioTrafficSplit ping-pong', () => {
  test('routes to the ping and pong Services; the rollout names no stable or canary Service (rules 15-19 pass)', () => {
    const { chart, split, rollout } = istioRollout({ pingPong: true }, { steps: [CanaryStep.weight(20), CanaryStep.pause(Duration.minutes(5))] });
    const objects = synth(chart);
    for (const o of objects) expect(schemas.errors(o)).toEqual([]);
    const canary = canaryOf(objects);
    expect(canary.pingPong).toEqual({ pingService: 'proxy-api-ping', pongService: 'proxy-api-pong' });
    expect(canary.stableService).toBeUndefined();
    expect(canary.canaryService).toBeUndefined();
    expect(canary.trafficRouting).toEqual({ istio: { virtualService: { name: 'proxy-api', routes: ['primary'] } } });
    // The controller's first stable is pong (status.canary.stablePingPong is empty).
    expect(find(objects, 'VirtualService').spec).toEqual({
      hosts: ['proxy-api-stable'],
      http: [{
        name: 'primary',
        route: [
          { destination: { host: 'proxy-api-pong', port: { number: 8080 } }, weight: 100 },
          { destination: { host: 'proxy-api-ping', port: { number: 8080 } }, weight: 0 },
        ],
      }],
    });
    for (const name of ['proxy-api-ping', 'proxy-api-pong', 'proxy-api-stable']) {
      expect(find(objects, 'Service', name).spec).toMatchObject({ selector: { 'app.kubernetes.io/name': 'proxy-api' }, ports: [{ port: 8080 }] });
    }
    expect(objects.filter((o) => o.kind === 'Service').map((o) => o.metadata.name).sort()).toEqual(['proxy-api-ping', 'proxy-api-pong', 'proxy-api-stable']);
    expect(split.pingPongServices.map((s) => s.name)).toEqual(['proxy-api-ping', 'proxy-api-pong']);
    expect(rollout.routerMetrics).toBeUndefined();
  });

  test('TLS and TCP routes send to ping and pong too', () => {
    const { chart } = istioRollout({ pingPong: true, httpRoute: false, tlsRoutes: [{ port: 443, sniHosts: ['proxy.x0tta6bl4.io'] }], tcpRoutes: [{ port: 8080 }] });
    const vs = find(synth(chart), 'VirtualService');
    for (const route of [...vs.spec.tls, ...vs.spec.tcp]) {
      expect(route.route.map((d: any) => [d.destination.host, d.weight])).toEqual([['proxy-api-pong', 100], ['proxy-api-ping', 0]]);
    }
  });

  test('a subset-level split is refused: its routes name one Service', () => {
    const error = constructionError(() => new IstioTrafficSplit(testChart(), 'traffic', { level: IstioSplitLevel.SUBSET, pingPong: true }));
    expect(error).toContain('[test/traffic] pingPong: spec.strategy.canary.pingPong: a subset-level split routes to one Service by DestinationRule subsets, so ping and pong Services would carry no traffic (allowed: pingPong with level IstioSplitLevel.HOST)');
  });

  test('a canary Service of your own is refused: the controller would route to it instead', () => {
    const chart = testChart('x0tta6bl4-production');
    const canaryService = new kplus.Service(chart, 'canary', { metadata: { name: 'proxy-api-preview' }, ports: [{ port: 8080 }] });
    const error = constructionError(() => new CanaryRollout(chart, 'proxy-api', {
      metadata: { name: 'proxy-api' },
      containers: [{ image: 'x0tta6bl4/proxy-orchestrator:v1.1.0', portNumber: 8080 }],
      trafficSplit: new IstioTrafficSplit(chart, 'traffic', { pingPong: true }),
      canaryService,
    }));
    expect(error).toContain('[test/proxy-api] canaryService: spec.strategy.canary.canaryService: the traffic split routes to its ping and pong Services, and the controller routes to a canary Service instead whenever one is named (allowed: no canaryService with a ping-pong IstioTrafficSplit)');
  });

  test('final JSON: stable and canary Services patched in make the controller route to them (rule 47)', () => {
    const { chart, rollout } = istioRollout({ pingPong: true });
    ApiObject.of(rollout).addJsonPatch(JsonPatch.add('/spec/strategy/canary/stableService', 'proxy-api-stable'), JsonPatch.add('/spec/strategy/canary/canaryService', 'proxy-api-canary'));
    expect(errorsOf(chart)).toEqual([expect.stringContaining("[test/traffic] virtualServiceName: spec.strategy.canary.trafficRouting.istio.virtualService.name: Invalid value: \"proxy-api\": Istio VirtualService has invalid HTTP routes. Error: Canary Service 'proxy-api-canary' not found in route")]);
  });

  test('final JSON: a route without the ping Service names the canary the controller uses first', () => {
    const { chart, split } = istioRollout({ pingPong: true });
    ApiObject.of(split.virtualService!).addJsonPatch(JsonPatch.remove('/spec/http/0/route/1'));
    expect(errorsOf(chart)).toEqual([expect.stringContaining("Error: Canary Service 'proxy-api-ping' not found in route")]);
  });

  test('request metrics follow the pods, and an analysis argument naming a fixed Service is refused', () => {
    const { chart, rollout } = istioRollout({ pingPong: true }, { steps: [CanaryStep.weight(20), CanaryStep.pause(Duration.minutes(5))] });
    expect(RequestMetrics.forRollout(rollout).router).toBe('application');
    ApiObject.of(rollout).addJsonPatch(JsonPatch.add('/spec/strategy/canary/steps/1', { analysis: { templates: [{ templateName: 'istio-success' }], args: [{ name: 'canary-service', value: 'proxy-api-canary' }] } }));
    expect(errorsOf(chart)).toContain('[test/proxy-api] trafficSplit: spec.strategy.canary.steps[1].analysis.args: argument "canary-service" is "proxy-api-canary", but with ping-pong the controller switches only proxy-api-ping and proxy-api-pong (the canary is one or the other by release) (allowed: metrics selected by pod-template hash (RequestMetrics.application, the canary-hash argument))');
  });
});

test('ProgressiveService with Istio ping-pong: the VirtualService host is the service, the routes go to ping and pong', () => {
  const chart = testChart('prod');
  new ProgressiveService(chart, 'billing', {
    metadata: { name: 'billing' },
    containers: [{ image: 'registry.example.com/billing:2.0.7', portNumber: 9000 }],
    trafficSplit: new IstioTrafficSplit(chart, 'traffic', { pingPong: true }),
    delivery: DeliveryStrategy.canary({ steps: [CanaryStep.weight(25)] }),
  });
  const objects = synth(chart);
  for (const o of objects) expect(schemas.errors(o)).toEqual([]);
  const vs = find(objects, 'VirtualService');
  expect(vs.spec.hosts).toEqual(['billing']);
  expect(vs.spec.http[0].route.map((r: any) => [r.destination.host, r.weight])).toEqual([['billing-pong', 100], ['billing-ping', 0]]);
  expect(objects.filter((o) => o.kind === 'Service').map((o) => o.metadata.name).sort()).toEqual(['billing', 'billing-ping', 'billing-pong']);
  const canary = canaryOf(objects);
  expect([canary.stableService, canary.canaryService, canary.pingPong]).toEqual([undefined, undefined, { pingService: 'billing-ping', pongService: 'billing-pong' }]);
});
