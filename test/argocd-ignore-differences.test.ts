import { ApiObject, JsonPatch } from 'cdk8s';
import {
  AlbTrafficSplit, ArgoCdApplication, BlueGreenRollout, CanaryRollout, CanaryStep, GatewayApiTrafficSplit, IstioSplitLevel, IstioTrafficSplit,
  NginxTrafficSplit, StringMatch,
} from '../src';
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
    expect(spec.syncPolicy).toEqual({ automated: { prune: true, selfHeal: true }, syncOptions: ['RespectIgnoreDifferences=true'] });
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

  test('Gateway API: backendRef weights and the rules the plugin adds for the canary Service', () => {
    const chart = testChart(NS);
    new CanaryRollout(chart, 'api', { metadata: { name: 'api' }, containers, trafficSplit: new GatewayApiTrafficSplit(chart, 'traffic', { gateways: [{ name: 'gw', namespace: 'gateways' }] }), steps: [CanaryStep.weight(30)] });
    new ArgoCdApplication(chart, 'app', app);
    expect(application(chart).spec.ignoreDifferences.find((e: any) => e.kind === 'HTTPRoute')).toEqual({
      group: 'gateway.networking.k8s.io',
      kind: 'HTTPRoute',
      name: 'api',
      namespace: NS,
      jqPathExpressions: [
        '.spec.rules[]?.backendRefs[]?.weight',
        '.spec.rules[]? | select((.backendRefs // []) | length > 0 and all(.[]; .name == "api-canary"))',
      ],
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

  test('only the synced scopes, then the user\'s own entries; RespectIgnoreDifferences once', () => {
    const chart = testChart(NS);
    const other = testChart('other');
    new CanaryRollout(other, 'api', { metadata: { name: 'api' }, containers });
    new ArgoCdApplication(chart, 'app', {
      ...app,
      syncs: [chart],
      syncOptions: ['CreateNamespace=true', 'RespectIgnoreDifferences=true'],
      ignoreDifferences: [{ group: 'apps', kind: 'Deployment', jsonPointers: ['/spec/replicas'] }],
    });
    const spec = application(chart).spec;
    expect(spec.ignoreDifferences).toEqual([{ group: 'apps', kind: 'Deployment', jsonPointers: ['/spec/replicas'] }]);
    expect(spec.syncPolicy.syncOptions).toEqual(['CreateNamespace=true', 'RespectIgnoreDifferences=true']);
  });

  test('no Rollout: no ignoreDifferences', () => {
    const chart = testChart(NS);
    new ArgoCdApplication(chart, 'app', app);
    expect(application(chart).spec.ignoreDifferences).toBeUndefined();
  });
});
