import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { find, schemas, validationErrors } from './support/synth';
import { buildApp as aragora } from '../examples/seed-000-aragora/main';
import { buildApp as proxyApi } from '../examples/seed-002-x0tta6bl4/main';
import { buildApp as gatewayApi } from '../examples/seed-004-gateway-api/main';

/** The routing objects of the traffic examples, as the seed teams wrote them by hand. */
function objectsOf(build: (outdir: string) => App): any[] {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'traffic-example-'));
  const app = build(outdir);
  expect(validationErrors(app)).toEqual([]);
  fs.rmSync(outdir, { recursive: true, force: true });
  const objects = app.charts.flatMap((chart) => chart.toJson());
  for (const o of objects) expect(schemas.errors(o)).toEqual([]);
  return objects;
}

const canaryOf = (objects: any[]) => find(objects, 'Rollout').spec.strategy.canary;
const weights = (steps: any[]) => steps.filter((s) => s.setWeight !== undefined).map((s) => s.setWeight);
const pauses = (steps: any[]) => steps.filter((s) => s.pause !== undefined).map((s) => s.pause.duration);

test('seed 000: aragora on ingress-nginx with X-Canary header routing', () => {
  const objects = objectsOf(aragora);
  const ingress = find(objects, 'Ingress', 'aragora-stable');
  expect(ingress.metadata.namespace).toBe('aragora');
  expect(ingress.spec.rules[0].host).toBe('api.aragora.ai');
  expect(ingress.spec.rules[0].http.paths[0].backend.service).toEqual({ name: 'aragora-stable', port: { number: 8080 } });
  const rollout = find(objects, 'Rollout', 'aragora');
  expect(rollout.spec.replicas).toBe(3);
  const canary = canaryOf(objects);
  expect(canary.trafficRouting.nginx).toEqual({
    stableIngress: 'aragora-stable',
    additionalIngressAnnotations: { 'canary-by-header': 'X-Canary', 'canary-by-header-value': 'true' },
  });
  expect(weights(canary.steps)).toEqual([5, 20, 50, 80]);
  expect(pauses(canary.steps)).toEqual(['2m', '5m', '5m', '5m']);
});

test('seed 002: proxy-api on Istio with its step table and an x-canary header route', () => {
  const objects = objectsOf(proxyApi);
  const vs = find(objects, 'VirtualService', 'proxy-api');
  expect(vs.metadata.namespace).toBe('x0tta6bl4-production');
  expect(vs.spec.hosts).toEqual(['proxy-api.x0tta6bl4.io']);
  expect(vs.spec.http[0].route.map((r: any) => [r.destination.host, r.weight])).toEqual([['proxy-api-stable', 100], ['proxy-api-canary', 0]]);
  const canary = canaryOf(objects);
  expect(canary.trafficRouting.managedRoutes).toEqual([{ name: 'x-canary' }]);
  expect(canary.steps[0].setHeaderRoute.match).toEqual([{ headerName: 'x-canary', headerValue: { exact: 'true' } }]);
  expect(weights(canary.steps)).toEqual([5, 10, 25, 50, 75]);
  expect(pauses(canary.steps)).toEqual(['2m', '5m', '10m', '15m', '10m']);
  expect(canary.steps.filter((s: any) => s.analysis).length).toBe(5);
});

test('seed 004: myapp-prod on an HTTPRoute attached to platform-gateway, plugin registered', () => {
  const objects = objectsOf(gatewayApi);
  const route = find(objects, 'HTTPRoute', 'myapp-prod');
  expect(route.metadata.namespace).toBe('prod');
  expect(route.spec.parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'platform-gateway', namespace: 'istio-system' }]);
  expect(canaryOf(objects).trafficRouting.plugins['argoproj-labs/gatewayAPI']).toEqual({ httpRoutes: [{ name: 'myapp-prod', useHeaderRoutes: true }], namespace: 'prod' });
  expect(weights(canaryOf(objects).steps)).toEqual([10, 25, 50, 75]);
  expect(find(objects, 'HorizontalPodAutoscaler').spec.scaleTargetRef).toMatchObject({ kind: 'Rollout', name: 'myapp-prod' });
  expect(find(objects, 'ConfigMap', 'argo-rollouts-config').metadata.namespace).toBe('argo-rollouts');
});
