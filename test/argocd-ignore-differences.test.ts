import { ApiObject, Duration, JsonPatch } from 'cdk8s';
import {
  AlbTrafficSplit, ArgoCdApplication, ArgoCdSyncMode, BlueGreenRollout, CanaryRollout, CanaryStep, ExperimentSpecRef, GatewayApiPlugin,
  GatewayApiTrafficSplit,
  IstioSplitLevel, IstioTrafficSplit, NginxTrafficSplit, StringMatch,
} from '../src';
import { MODELLED_PLUGIN_VERSION } from './support/gateway-plugin-model';
import { find, schemas, synth, testChart } from './support/synth';

const NS = 'shop';
const app = { repoUrl: 'https://github.com/example/shop', path: 'dist/shop' };
const containers = [{ image: 'shop/api:1.0.0', portNumber: 8080 }];
const servicePointers = ['/spec/selector/rollouts-pod-template-hash', '/metadata/annotations/argo-rollouts.argoproj.io~1managed-by-rollouts'];

function application(chart = testChart(NS)): any {
  const objects = synth(chart);
  const found = find(objects, 'Application');
  expect(schemas.errors(found)).toEqual([]);
  return found;
}

describe('ArgoCdApplication ignoreDifferences', () => {
  test('Istio host-level split with header and mirror routes: weights of the shifted route, the added routes, both Services', () => {
    const chart = testChart(NS);
    const traffic = new IstioTrafficSplit(chart, 'traffic', { tcpRoutes: [{ port: 9000 }] });
    new CanaryRollout(chart, 'api', {
      metadata: { name: 'api' },
      containers,
      trafficSplit: traffic,
      steps: [
        CanaryStep.headerRoute({ name: 'x-canary', match: [{ name: 'x-canary', value: StringMatch.exact('true') }] }),
        CanaryStep.mirrorRoute({ name: 'mirror', percentage: 10 }),
        CanaryStep.weight(30),
      ],
    });
    new ArgoCdApplication(chart, 'app', app);
    const spec = application(chart).spec;
    expect(spec.syncPolicy).toEqual({ automated: { prune: true, selfHeal: true }, syncOptions: ['ApplyOutOfSyncOnly=true'] });
    expect(spec.ignoreDifferences).toEqual([
      { kind: 'Service', name: 'api-canary', namespace: NS, jsonPointers: servicePointers },
      { kind: 'Service', name: 'api-stable', namespace: NS, jsonPointers: servicePointers },
      {
        group: 'networking.istio.io',
        kind: 'VirtualService',
        name: 'api',
        namespace: NS,
        jqPathExpressions: [
          '.spec.http[]? | select(.name == "primary") | .route[]?.weight',
          '.spec.tcp[]? | select(any(.match[]?; (.port // 0) == 9000)) | .route[]?.weight',
          '.spec.http[]? | select(.name == "x-canary")',
          '.spec.http[]? | select(.name == "mirror")',
        ],
      },
    ]);
  });

  test('ALB: the routed Service\'s action annotation and the managed-annotations list the controller writes on the Ingress', () => {
    const chart = testChart(NS);
    new CanaryRollout(chart, 'api', { metadata: { name: 'api' }, containers, trafficSplit: new AlbTrafficSplit(chart, 'traffic', { host: 'api.example.com' }), steps: [CanaryStep.weight(30)] });
    new ArgoCdApplication(chart, 'app', app);
    const entries = application(chart).spec.ignoreDifferences;
    // v1.9.1 writes rollouts.argoproj.io/managed-alb-annotations (ingressutil.ManagedAnnotations); the older
    // managed-alb-actions is only deleted, and no condition is written for the routed Service.
    expect(entries.find((e: any) => e.kind === 'Ingress')).toEqual({
      group: 'networking.k8s.io',
      kind: 'Ingress',
      name: 'api',
      namespace: NS,
      jsonPointers: [
        '/metadata/annotations/alb.ingress.kubernetes.io~1actions.api-stable',
        '/metadata/annotations/rollouts.argoproj.io~1managed-alb-annotations',
      ],
    });
  });

  test('ALB header route, ping-pong, several Ingresses, custom prefix: root Service action, route action and condition, the /* path the route adds', () => {
    const chart = testChart(NS);
    const ingress = (name: string) => new ApiObject(chart, name, {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name, annotations: { 'custom.alb.io/target-type': 'ip' } },
      spec: { ingressClassName: 'alb', rules: [{ http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'api-root', port: { name: 'use-annotation' } } } }] } }] },
    });
    new CanaryRollout(chart, 'api', {
      metadata: { name: 'api' },
      containers,
      trafficSplit: new AlbTrafficSplit(chart, 'traffic', { pingPong: true, annotationPrefix: 'custom.alb.io', ingresses: [ingress('public'), ingress('internal')] }),
      steps: [CanaryStep.headerRoute({ name: 'beta', match: [{ name: 'X-Canary', value: StringMatch.exact('true') }] }), CanaryStep.weight(30)],
    });
    new ArgoCdApplication(chart, 'app', app);
    const ingresses = application(chart).spec.ignoreDifferences.filter((e: any) => e.kind === 'Ingress');
    const fields = {
      jsonPointers: [
        '/metadata/annotations/custom.alb.io~1actions.api-root',
        '/metadata/annotations/custom.alb.io~1actions.beta',
        '/metadata/annotations/custom.alb.io~1conditions.beta',
        '/metadata/annotations/rollouts.argoproj.io~1managed-alb-annotations',
      ],
      jqPathExpressions: ['.spec.rules[]?.http.paths[]? | select(.path == "/*" and .backend.service.name == "beta" and .backend.service.port.name == "use-annotation")'],
    };
    expect(ingresses).toEqual([
      { group: 'networking.k8s.io', kind: 'Ingress', name: 'internal', namespace: NS, ...fields },
      { group: 'networking.k8s.io', kind: 'Ingress', name: 'public', namespace: NS, ...fields },
    ]);
  });

  test('Istio subset-level split: the DestinationRule subsets\' hash labels', () => {
    const chart = testChart(NS);
    new CanaryRollout(chart, 'api', { metadata: { name: 'api' }, containers, trafficSplit: new IstioTrafficSplit(chart, 'traffic', { level: IstioSplitLevel.SUBSET }), steps: [CanaryStep.weight(30)] });
    new ArgoCdApplication(chart, 'app', app);
    const entries = application(chart).spec.ignoreDifferences;
    expect(entries.find((e: any) => e.kind === 'DestinationRule')).toEqual({
      group: 'networking.istio.io',
      kind: 'DestinationRule',
      name: 'api',
      namespace: NS,
      jsonPointers: ['/metadata/annotations/argo-rollouts.argoproj.io~1managed-by-rollouts'],
      jqPathExpressions: ['.spec.subsets[]?.labels["rollouts-pod-template-hash"]'],
    });
  });

  test('nginx: nothing on the stable Ingress (the controller only creates the canary Ingress), the Services\' selectors', () => {
    const chart = testChart(NS);
    new CanaryRollout(chart, 'api', { metadata: { name: 'api' }, containers, trafficSplit: new NginxTrafficSplit(chart, 'traffic', { host: 'api.example.com' }), steps: [CanaryStep.weight(30)] });
    new ArgoCdApplication(chart, 'app', app);
    expect(application(chart).spec.ignoreDifferences.map((e: any) => `${e.kind}/${e.name}`)).toEqual(['Service/api-canary', 'Service/api-stable']);
  });

  test('blue-green: active and preview Services', () => {
    const chart = testChart(NS);
    new BlueGreenRollout(chart, 'api', { metadata: { name: 'api' }, containers });
    new ArgoCdApplication(chart, 'app', app);
    expect(application(chart).spec.ignoreDifferences.map((e: any) => `${e.kind}/${e.name}`)).toEqual(['Service/api-active', 'Service/api-preview']);
  });

  test('computed from the final Rollout: a JSON patch renaming the canary Service moves the ignore', () => {
    const chart = testChart(NS);
    const rollout = new CanaryRollout(chart, 'api', { metadata: { name: 'api' }, containers });
    ApiObject.of(rollout).addJsonPatch(JsonPatch.replace('/spec/strategy/canary/canaryService', 'api-next'));
    new ArgoCdApplication(chart, 'app', app);
    const names = application(chart).spec.ignoreDifferences.map((e: any) => e.name);
    expect(names).toContain('api-next');
    expect(names).not.toContain('api-canary');
  });

  test('only the synced scopes, then the user\'s own entries; the user\'s sync options, then the mode\'s, each once', () => {
    const chart = testChart(NS);
    const other = testChart('other');
    new CanaryRollout(other, 'api', { metadata: { name: 'api' }, containers });
    new ArgoCdApplication(chart, 'app', {
      ...app,
      syncs: [chart],
      syncOptions: ['CreateNamespace=true', 'ApplyOutOfSyncOnly=true', 'RespectIgnoreDifferences=true'],
      ignoreDifferences: [{ group: 'apps', kind: 'Deployment', jsonPointers: ['/spec/replicas'] }],
    });
    const spec = application(chart).spec;
    expect(spec.ignoreDifferences).toEqual([{ group: 'apps', kind: 'Deployment', jsonPointers: ['/spec/replicas'] }]);
    expect(spec.syncPolicy.syncOptions).toEqual(['CreateNamespace=true', 'RespectIgnoreDifferences=true', 'ApplyOutOfSyncOnly=true']);
  });

  test('no Rollout: no ignoreDifferences', () => {
    const chart = testChart(NS);
    new ArgoCdApplication(chart, 'app', app);
    expect(application(chart).spec.ignoreDifferences).toBeUndefined();
  });
});

/*
 * The Gateway API plugin's writes, as read in its source at tag v0.15.0 (GatewayApiPlugin.DEFAULT_VERSION;
 * argoproj-labs/rollouts-plugin-trafficrouter-gatewayapi, pkg/plugin): the plugin itself cannot run here
 * (the Go module proxy refuses its module). test/argocd-diff.test.ts runs these expressions in Argo CD's diff.
 */
describe('ArgoCdApplication ignoreDifferences: Gateway API plugin routes', () => {
  const weights = '.spec.rules[]?.backendRefs[]? | select(.name == "api-stable" or .name == "api-canary") | .weight';
  const canaryOnly = '((.backendRefs // []) | length == 1 and .[0].name == "api-canary")';
  const managedRule = (name: string) => `.name == "${name}" or ((.name // "") | startswith("${name}-") and (ltrimstr("${name}-") | test("^[+-]?[0-9]+$")))`;
  const label = '/metadata/labels/rollouts.argoproj.io~1gatewayapi-canary';
  const routes = (chart: any) => application(chart).spec.ignoreDifferences.filter((e: any) => e.group === 'gateway.networking.k8s.io');

  /** A canary whose plugin config is `config` (set on the final Rollout, as users do through the escape hatch). */
  function pluginRollout(chart: any, config: any, steps = [CanaryStep.weight(30)], managedRoutes?: string[]) {
    const rollout = new CanaryRollout(chart, 'api', { metadata: { name: 'api' }, containers, steps });
    ApiObject.of(rollout).addJsonPatch(JsonPatch.add('/spec/strategy/canary/trafficRouting', {
      plugins: { 'argoproj-labs/gatewayAPI': config },
      ...(managedRoutes ? { managedRoutes: managedRoutes.map((name) => ({ name })) } : {}),
    }));
    return rollout;
  }

  test('the split\'s HTTPRoute with a header route step: stable and canary weights, the added rules by name or as canary-only rules, the in-progress label', () => {
    const chart = testChart(NS);
    new CanaryRollout(chart, 'api', {
      metadata: { name: 'api' },
      containers,
      trafficSplit: new GatewayApiTrafficSplit(chart, 'traffic', { gateways: [{ name: 'gw', namespace: 'gateways' }] }),
      steps: [CanaryStep.headerRoute({ name: 'x-canary', match: [{ name: 'x-canary', value: StringMatch.exact('true') }] }), CanaryStep.weight(30)],
    });
    new ArgoCdApplication(chart, 'app', app);
    expect(routes(chart)).toEqual([{
      group: 'gateway.networking.k8s.io',
      kind: 'HTTPRoute',
      name: 'api',
      namespace: NS,
      jsonPointers: [label],
      jqPathExpressions: [weights, `.spec.rules[]? | select(${managedRule('x-canary')} or ${canaryOnly})`],
    }]);
  });

  test('weights of other backends are the user\'s: only the stable and canary backendRefs are ignored', () => {
    const chart = testChart(NS);
    new CanaryRollout(chart, 'api', { metadata: { name: 'api' }, containers, trafficSplit: new GatewayApiTrafficSplit(chart, 'traffic', { gateways: [{ name: 'gw' }] }), steps: [CanaryStep.weight(30)] });
    new ArgoCdApplication(chart, 'app', app);
    const [entry] = routes(chart);
    expect(entry.jqPathExpressions[0]).toBe(weights);
    expect(entry.jqPathExpressions).not.toContain('.spec.rules[]?.backendRefs[]?.weight');
  });

  test('every route kind: header rules only on HTTP and gRPC routes with header routes on; httpRoutes entries default to off', () => {
    const chart = testChart(NS);
    pluginRollout(chart, {
      namespace: 'edge',
      httpRoutes: [{ name: 'web', useHeaderRoutes: true }, { name: 'web-internal' }],
      grpcRoute: 'rpc',
      grpcRoutes: [{ name: 'rpc-internal', useHeaderRoutes: false }],
      tcpRoute: 'db',
      tlsRoutes: [{ name: 'tls', useHeaderRoutes: true }],
    }, [CanaryStep.headerRoute({ name: 'beta', match: [{ name: 'x-beta', value: StringMatch.prefix('1') }] }), CanaryStep.weight(30)], ['beta']);
    new ArgoCdApplication(chart, 'app', app);
    const headerRules = `.spec.rules[]? | select(${managedRule('beta')} or ${canaryOnly})`;
    expect(routes(chart).map((e: any) => [e.kind, e.namespace, e.name, e.jqPathExpressions, e.jsonPointers])).toEqual([
      ['GRPCRoute', 'edge', 'rpc', [weights, headerRules], [label]],
      ['GRPCRoute', 'edge', 'rpc-internal', [weights], [label]],
      ['HTTPRoute', 'edge', 'web', [weights, headerRules], [label]],
      ['HTTPRoute', 'edge', 'web-internal', [weights], [label]],
      ['TCPRoute', 'edge', 'db', [weights], [label]],
      ['TLSRoute', 'edge', 'tls', [weights], [label]],
    ]);
  });

  test('no namespace in the config: the rollout\'s; without managed routes only canary-only rules are the plugin\'s', () => {
    const chart = testChart(NS);
    pluginRollout(chart, { httpRoute: 'web' });
    new ArgoCdApplication(chart, 'app', app);
    expect(routes(chart)).toEqual([{
      group: 'gateway.networking.k8s.io',
      kind: 'HTTPRoute',
      name: 'web',
      namespace: NS,
      jsonPointers: [label],
      jqPathExpressions: [weights, `.spec.rules[]? | select(${canaryOnly})`],
    }]);
  });

  test('the in-progress label: its own key, or none when disabled', () => {
    const custom = testChart(NS);
    pluginRollout(custom, { httpRoutes: [{ name: 'web' }], inProgressLabelKey: 'example.com/canary', inProgressLabelValue: 'yes' });
    new ArgoCdApplication(custom, 'app', app);
    expect(routes(custom)[0].jsonPointers).toEqual(['/metadata/labels/example.com~1canary']);
    const disabled = testChart(NS);
    pluginRollout(disabled, { httpRoutes: [{ name: 'web' }], disableInProgressLabel: true });
    new ArgoCdApplication(disabled, 'app', app);
    expect(routes(disabled)[0].jsonPointers).toBeUndefined();
    expect(routes(disabled)[0].jqPathExpressions).toEqual([weights]);
  });

  test('route selectors: the synthesised routes they select in the plugin\'s namespace, header routes off', () => {
    const chart = testChart(NS);
    const other = testChart('other');
    const route = (scope: any, id: string, kind: string, labels: any) => new ApiObject(scope, id, {
      apiVersion: kind === 'TCPRoute' ? 'gateway.networking.k8s.io/v1alpha2' : 'gateway.networking.k8s.io/v1', kind, metadata: { name: id, labels },
    });
    route(chart, 'web-a', 'HTTPRoute', { app: 'api', tier: 'edge' });
    route(chart, 'web-b', 'HTTPRoute', { app: 'api', tier: 'internal' });
    route(chart, 'web-c', 'HTTPRoute', { app: 'shop' });
    route(other, 'web-d', 'HTTPRoute', { app: 'api', tier: 'edge' });
    route(chart, 'db', 'TCPRoute', { app: 'api' });
    pluginRollout(chart, {
      httpRouteSelector: { matchLabels: { app: 'api' }, matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['internal'] }] },
      tcpRouteSelector: { matchExpressions: [{ key: 'app', operator: 'Exists' }] },
    }, [CanaryStep.headerRoute({ name: 'beta', match: [{ name: 'x-beta', value: StringMatch.exact('1') }] }), CanaryStep.weight(30)], ['beta']);
    new ArgoCdApplication(chart, 'app', { ...app, syncs: [chart, other] });
    expect(routes(chart).map((e: any) => [e.kind, e.namespace, e.name, e.jqPathExpressions])).toEqual([
      ['HTTPRoute', NS, 'web-a', [weights]],
      ['TCPRoute', NS, 'db', [weights]],
    ]);
  });

  test('weighted experiment templates: their Services\' backendRefs on HTTP routes (generated or named Service)', () => {
    const chart = testChart(NS);
    const rollout = pluginRollout(chart, { httpRoute: 'web', grpcRoute: 'rpc' }, [
      CanaryStep.weight(10),
      CanaryStep.experiment({ templates: [{ name: 'baseline', specRef: ExperimentSpecRef.STABLE, weight: 5 }, { name: 'canary', specRef: ExperimentSpecRef.CANARY, weight: 5 }, { name: 'idle', specRef: ExperimentSpecRef.CANARY }], duration: Duration.minutes(5) }),
    ]);
    ApiObject.of(rollout).addJsonPatch(JsonPatch.add('/spec/strategy/canary/steps/1/experiment/templates/1/service', { name: 'api-exp' }));
    new ArgoCdApplication(chart, 'app', app);
    const [grpc, http] = routes(chart);
    expect(http.jqPathExpressions).toEqual([
      weights,
      `.spec.rules[]? | select(${canaryOnly})`,
      '.spec.rules[]?.backendRefs[]? | select((.name // "") | test("^api-[a-z0-9]+-[0-9]*-1-baseline$"))',
      '.spec.rules[]?.backendRefs[]? | select(.name == "api-exp")',
    ]);
    expect(grpc.jqPathExpressions).toEqual([weights, `.spec.rules[]? | select(${canaryOnly})`]);
  });

  test('the default plugin release is the one whose source the ignores were read from', () => {
    // A new default needs the plugin's pkg/plugin re-read at that tag (see CONTRIBUTING.md, test/argocd-diff).
    expect(GatewayApiPlugin.DEFAULT_VERSION).toBe(MODELLED_PLUGIN_VERSION);
  });

  test('no plugin config, no route entries', () => {
    const chart = testChart(NS);
    new CanaryRollout(chart, 'api', { metadata: { name: 'api' }, containers, steps: [CanaryStep.weight(30)] });
    new ArgoCdApplication(chart, 'app', app);
    expect(routes(chart)).toEqual([]);
  });
});

describe('ArgoCdApplication syncMode', () => {
  const headerStep = CanaryStep.headerRoute({ name: 'x-canary', match: [{ name: 'x-canary', value: StringMatch.exact('true') }] });

  test('RESPECT_IGNORE_DIFFERENCES where no ignored path is inside a list: Services, ALB annotations', () => {
    const chart = testChart(NS);
    new BlueGreenRollout(chart, 'web', { metadata: { name: 'web' }, containers });
    new CanaryRollout(chart, 'api', { metadata: { name: 'api' }, containers, trafficSplit: new AlbTrafficSplit(chart, 'traffic', { host: 'api.example.com' }), steps: [CanaryStep.weight(30)] });
    new ArgoCdApplication(chart, 'app', { ...app, syncMode: ArgoCdSyncMode.RESPECT_IGNORE_DIFFERENCES, syncOptions: ['CreateNamespace=true'] });
    const spec = application(chart).spec;
    expect(spec.syncPolicy.syncOptions).toEqual(['CreateNamespace=true', 'RespectIgnoreDifferences=true']);
    expect(spec.ignoreDifferences.map((e: any) => e.kind)).toEqual(['Service', 'Service', 'Service', 'Service', 'Ingress']);
  });

  test('RESPECT_IGNORE_DIFFERENCES with an Istio VirtualService: refused, naming the path, property, object and allowed values', () => {
    const chart = testChart(NS);
    new CanaryRollout(chart, 'api', { metadata: { name: 'api' }, containers, trafficSplit: new IstioTrafficSplit(chart, 'traffic'), steps: [CanaryStep.weight(30)] });
    new ArgoCdApplication(chart, 'app', { ...app, syncMode: ArgoCdSyncMode.RESPECT_IGNORE_DIFFERENCES });
    expect(() => synth(chart)).toThrow(/\[test\/app\] syncMode: spec\.syncPolicy\.syncOptions: RespectIgnoreDifferences=true with the ignored path \.spec\.http\[\]\? \| select\(\.name == "primary"\) \| \.route\[\]\?\.weight of VirtualService api, inside a list: .*\(allowed: ArgoCdSyncMode\.APPLY_OUT_OF_SYNC_ONLY \(the default\), or RESPECT_IGNORE_DIFFERENCES only for ignores outside lists\)/);
  });

  test('the option in the user\'s syncOptions is judged the same, as is a subset DestinationRule', () => {
    const chart = testChart(NS);
    new CanaryRollout(chart, 'api', { metadata: { name: 'api' }, containers, trafficSplit: new IstioTrafficSplit(chart, 'traffic', { level: IstioSplitLevel.SUBSET }), steps: [CanaryStep.weight(30)] });
    new ArgoCdApplication(chart, 'app', { ...app, syncOptions: ['RespectIgnoreDifferences=true'] });
    expect(() => synth(chart)).toThrow(/syncOptions: spec\.syncPolicy\.syncOptions: RespectIgnoreDifferences=true with the ignored path \.spec\.subsets\[\]\?\.labels\["rollouts-pod-template-hash"\] of DestinationRule /);
  });

  test('ALB header routes (a path inside Ingress spec.rules, which has no merge key) and Gateway API weights are refused', () => {
    const alb = testChart(NS);
    new CanaryRollout(alb, 'api', { metadata: { name: 'api' }, containers, trafficSplit: new AlbTrafficSplit(alb, 'traffic', { host: 'api.example.com' }), steps: [headerStep, CanaryStep.weight(30)] });
    new ArgoCdApplication(alb, 'app', { ...app, syncMode: ArgoCdSyncMode.RESPECT_IGNORE_DIFFERENCES });
    expect(() => synth(alb)).toThrow(/with the ignored path \.spec\.rules\[\]\?\.http\.paths\[\]\? \| select\(.*\) of Ingress /);
    const gateway = testChart(NS);
    new CanaryRollout(gateway, 'api', { metadata: { name: 'api' }, containers, trafficSplit: new GatewayApiTrafficSplit(gateway, 'traffic', { gateways: [{ name: 'gw' }] }), steps: [CanaryStep.weight(30)] });
    new ArgoCdApplication(gateway, 'app', { ...app, syncMode: ArgoCdSyncMode.RESPECT_IGNORE_DIFFERENCES });
    expect(() => synth(gateway)).toThrow(/of HTTPRoute api/);
  });

  test('judged on the final JSON: a user entry patched in is refused, a merge-keyed pod spec list of a Deployment is not', () => {
    const chart = testChart(NS);
    const argocd = new ArgoCdApplication(chart, 'app', {
      ...app,
      syncMode: ArgoCdSyncMode.RESPECT_IGNORE_DIFFERENCES,
      ignoreDifferences: [{ group: 'apps', kind: 'Deployment', name: 'api', jqPathExpressions: ['.spec.template.spec.containers[]?.env[]? | select(.name == "X")'] }],
    });
    expect(() => synth(chart)).not.toThrow();
    argocd.apiObject.addJsonPatch(JsonPatch.add('/spec/ignoreDifferences/-', { group: 'example.com', kind: 'Widget', jsonPointers: ['/spec/items/0/size'] }));
    expect(() => synth(chart)).toThrow(/with the ignored path \/spec\/items\/0\/size of Widget \*, inside a list/);
  });

  test('APPLY_OUT_OF_SYNC_ONLY (the default) takes every computed ignore', () => {
    const chart = testChart(NS);
    new CanaryRollout(chart, 'api', { metadata: { name: 'api' }, containers, trafficSplit: new IstioTrafficSplit(chart, 'traffic'), steps: [headerStep, CanaryStep.weight(30)] });
    new ArgoCdApplication(chart, 'app', { ...app, syncMode: ArgoCdSyncMode.APPLY_OUT_OF_SYNC_ONLY, syncOptions: ['ApplyOutOfSyncOnly=true', 'PruneLast=true'] });
    const spec = application(chart).spec;
    expect(spec.syncPolicy.syncOptions).toEqual(['PruneLast=true', 'ApplyOutOfSyncOnly=true']);
    expect(spec.ignoreDifferences.map((e: any) => e.kind)).toContain('VirtualService');
  });
});
