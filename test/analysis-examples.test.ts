import * as path from 'path';
import { App } from 'cdk8s';

/** The analysis the seed examples synthesise, by the numbers in the seeds' READMEs. */
function objects(example: string): any[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const app: App = require(path.join(__dirname, '..', 'examples', example, 'main.ts')).buildApp();
  return app.charts.flatMap((c) => c.toJson());
}
const template = (all: any[], name: string, namespace?: string) =>
  all.find((o) => o.kind === 'AnalysisTemplate' && o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace));
const conditions = (t: any) => Object.fromEntries(t.spec.metrics.map((m: any) => [m.name, m.successCondition]));

test('seed 000: success >= 99 %, P99 < 500 ms, 5xx < 1 %, no restarts, 3 failures abort, on nginx metrics', () => {
  const all = objects('seed-000-aragora');
  const t = template(all, 'aragora-canary-analysis');
  expect(conditions(t)).toEqual({
    'success-rate': 'len(result) > 0 && !isNaN(result[0]) && result[0] >= 0.99',
    'latency-p99': 'len(result) > 0 && !isNaN(result[0]) && result[0] < 0.5',
    'error-rate': 'len(result) > 0 && !isNaN(result[0]) && result[0] < 0.01',
    'pod-restarts': 'len(result) > 0 && !isNaN(result[0]) && result[0] <= 0',
  });
  expect(t.spec.metrics.every((m: any) => m.failureLimit === 2 && m.interval === '1m' && m.count === undefined)).toBe(true);
  expect(t.spec.metrics[0].provider.prometheus.query).toContain('nginx_ingress_controller_requests{exported_namespace="{{args.namespace}}",ingress="{{args.stable-ingress}}",canary!=""');
  const analysis = all.find((o) => o.kind === 'Rollout').spec.strategy.canary.analysis;
  expect(analysis.templates).toEqual([{ templateName: 'aragora-canary-analysis' }]);
  expect(analysis.args).toContainEqual({ name: 'stable-ingress', value: 'aragora-stable' });
});

test('seed 002: smoke tests, error-rate band, latency, full and pre-promotion analyses as steps on Istio', () => {
  const all = objects('seed-002-x0tta6bl4');
  const steps = all.find((o) => o.kind === 'Rollout').spec.strategy.canary.steps.filter((s: any) => s.analysis);
  expect(steps.map((s: any) => s.analysis.templates[0].templateName)).toEqual(['smoke-test', 'error-rate-analysis', 'latency-analysis', 'full-analysis', 'pre-promotion-analysis']);
  expect(template(all, 'smoke-test').spec.metrics.map((m: any) => m.provider.web.url.replace(/.*\}\}/, ''))).toEqual(['/health', '/metrics', '/api/v1/status']);
  const errorRate = template(all, 'error-rate-analysis').spec.metrics[0];
  expect(errorRate.provider.prometheus.query).toContain('istio_requests_total{reporter="destination"');
  expect([errorRate.successCondition, errorRate.failureCondition]).toEqual(['len(result) > 0 && !isNaN(result[0]) && result[0] < 0.05', 'len(result) > 0 && !isNaN(result[0]) && result[0] >= 0.1']);
  expect(Object.keys(conditions(template(all, 'latency-analysis')))).toEqual(['latency-p50', 'latency-p99', 'canary-vs-stable-p95']);
  expect(Object.keys(conditions(template(all, 'full-analysis')))).toEqual(['error-rate', 'latency-p99', 'pod-restarts', 'memory', 'cpu']);
  // step analyses terminate
  for (const s of steps) expect(template(all, s.analysis.templates[0].templateName).spec.metrics.every((m: any) => m.count > 0)).toBe(true);
});

test('seed 003: staging and production thresholds, each gate measured every 30 s for its step', () => {
  const all = objects('seed-003-blog-platform');
  const gate3 = (ns: string) => template(all, 'backend-step-3', ns);
  expect(conditions(gate3('staging'))).toMatchObject({
    'success-rate': expect.stringContaining('result[0] >= 0.97'),
    'latency-p95': expect.stringContaining('result[0] < 0.3'),
    'cpu': expect.stringContaining('result[0] <= 0.75'),
    'memory': expect.stringContaining('result[0] <= 0.8'),
    'readiness': expect.stringContaining('result[0] >= 0.99'),
  });
  expect(conditions(gate3('production'))).toMatchObject({
    'success-rate': expect.stringContaining('result[0] >= 0.99'),
    'latency-p95': expect.stringContaining('result[0] < 0.2'),
    'cpu': expect.stringContaining('result[0] <= 0.7'),
    'memory': expect.stringContaining('result[0] <= 0.75'),
    'readiness': expect.stringContaining('result[0] >= 0.999'),
  });
  expect(['backend-step-1', 'backend-step-2', 'backend-step-3'].map((n) => template(all, n, 'production').spec.metrics[0].count)).toEqual([10, 20, 30]);
  expect(['backend-step-1', 'backend-step-2', 'backend-step-3'].map((n) => template(all, n, 'staging').spec.metrics[0].count)).toEqual([6, 10, 20]);
  expect(gate3('staging').spec.metrics.map((m: any) => m.failureLimit)).toEqual([1, 1, 0, 0, 0]);
  for (const rollout of all.filter((o) => o.kind === 'Rollout')) {
    expect(rollout.spec.strategy.canary.trafficRouting.nginx).toMatchObject({ stableIngress: 'backend-ingress', additionalIngressAnnotations: { 'canary-by-header': 'X-Canary', 'canary-by-header-value': 'true' } });
  }
  // the queries select the stable Ingress of the rollout's own namespace
  expect(gate3('production').spec.metrics[0].provider.prometheus.query).toContain('exported_namespace="{{args.namespace}}",ingress="{{args.stable-ingress}}"');
});
