import { ApiObject, Chart, Duration, JsonPatch, Testing } from 'cdk8s';
import {
  CanaryRollout, CanaryStep, GatewayApiTrafficSplit, IstioTrafficSplit, NginxTrafficSplit, RequestMetrics, RolloutDashboard,
} from '../src';
import { addRuleValidation } from '../src/validation/rule-violation';

/**
 * A sweep of refusals that used to name no property (TypeErrors on patched objects, a query target
 * missing a value, cdk8s and cdk8s-plus messages): every error line of each must read
 * `[construct path] property: ...`.
 */
const container = { image: 'shop/api:1.0.0', portNumber: 8080 };
const cases: Array<[string, (c: Chart) => void]> = [
  ['a dashboard with nginx request metrics for a rollout without nginx', (c) => {
    const rollout = new CanaryRollout(c, 'api', { metadata: { name: 'api' }, containers: [container] });
    new RolloutDashboard(c, 'dash', { rollout, requestMetrics: RequestMetrics.nginx() });
  }],
  ['a sub-second minReady', (c) => new CanaryRollout(c, 'api', { metadata: { name: 'api' }, containers: [container], minReady: Duration.millis(1500) })],
  ['an HPA minimum of 0 (cdk8s-plus would refuse it in its own words)', (c) => new CanaryRollout(c, 'api', { metadata: { name: 'api' }, containers: [container], autoscaling: { minReplicas: 0, maxReplicas: 2 } })],
];
const splits = {
  VirtualService: (c: Chart) => new IstioTrafficSplit(c, 'traffic', {}),
  Ingress: (c: Chart) => new NginxTrafficSplit(c, 'traffic', { host: 'api.example.com' }),
  HTTPRoute: (c: Chart) => new GatewayApiTrafficSplit(c, 'traffic', { gateways: [{ name: 'public' }] }),
};
for (const [kind, split] of Object.entries(splits)) {
  for (const p of ['/spec', '/spec/http', '/spec/http/0', '/spec/http/0/route', '/spec/rules', '/spec/rules/0', '/spec/rules/0/http', '/spec/rules/0/backendRefs', '/spec/hosts']) {
    for (const op of ['remove', 'null', 'string']) {
      cases.push([`${kind}: ${op} ${p}`, (c) => {
        const trafficSplit = split(c);
        new CanaryRollout(c, 'api', { metadata: { name: 'api' }, containers: [container], trafficSplit, steps: [CanaryStep.weight(20)] });
        const object = c.node.findAll().find((n) => ApiObject.isApiObject(n) && n.kind === kind) as ApiObject;
        object.addJsonPatch(op === 'remove' ? JsonPatch.remove(p) : JsonPatch.replace(p, op === 'null' ? null : 'x'));
      }]);
    }
  }
}

test.each(cases)('%s: every error line names the construct path and the property', (_, build) => {
  const app = Testing.app();
  let message: string | undefined;
  try {
    build(new Chart(app, 'shop', { namespace: 'shop' }));
    app.synthYaml();
  } catch (e: any) {
    message = String(e.message);
  }
  if (message === undefined) return; // accepted: the patch left a valid object
  const lines = message.split('\n').map((l) => l.trim()).filter((l) => l !== '' && l !== 'Validation failed with the following errors:');
  expect(lines.filter((l) => !/^(Error: )?\[shop(\/[^\]]*)?\] [\w.[\]-]+: /.test(l))).toEqual([]);
});

test('a TypeError of a check is still a bug when no JSON patch explains it', () => {
  const app = Testing.app();
  const chart = new Chart(app, 'shop', { namespace: 'shop' });
  const rollout = new CanaryRollout(chart, 'api', { metadata: { name: 'api' }, containers: [container] });
  addRuleValidation(rollout, () => (undefined as any).x);
  expect(() => app.synthYaml()).toThrow(TypeError);
});
