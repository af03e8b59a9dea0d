import { Testing } from 'cdk8s';
import { buildApp as seed000 } from '../examples/seed-000-aragora/main';
import { buildApp as seed002 } from '../examples/seed-002-x0tta6bl4/main';
import { promqlSyntaxError } from '../src/analysis/promql';
import { preflightChecks } from '../src/preflight/preflight-checks';
import { PromqlQuery } from '../src/preflight/promql-tree';

/** Every object an example app synthesises. */
function objectsOf(buildApp: (outdir?: string) => any): any[] {
  const app = buildApp(Testing.app().outdir);
  return app.charts.flatMap((c: any) => Testing.synth(c));
}

function rollout(strategy: any, name = 'web'): any {
  return { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name, namespace: 'ns', labels: { 'app.kubernetes.io/version': 'v2' } }, spec: { strategy } };
}

function template(query: string, args: any[] = []): any {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: { name: 't', namespace: 'ns' },
    spec: { args, metrics: [{ name: 'm', successCondition: 'result[0] > 0', provider: { prometheus: { query } } }] },
  };
}

test('seed 000: arguments resolved as the rollout passes them (fieldRef namespace, values), nginx canary selectors rewritten; the result parses', () => {
  const checks = preflightChecks(objectsOf(seed000));
  expect(checks.map((c) => [c.rollout, c.analysis, c.template, c.metric, c.error])).toEqual([
    ['aragora/aragora', 'background', 'aragora-canary-analysis', 'success-rate', undefined],
    ['aragora/aragora', 'background', 'aragora-canary-analysis', 'latency-p99', undefined],
    ['aragora/aragora', 'background', 'aragora-canary-analysis', 'error-rate', undefined],
    ['aragora/aragora', 'background', 'aragora-canary-analysis', 'pod-restarts', undefined],
  ]);
  expect(checks[0].query).toBe('(sum(rate(nginx_ingress_controller_requests{exported_namespace="aragora",ingress="aragora-stable",canary="",status=~"2.*"}[2m])) or vector(0)) / sum(rate(nginx_ingress_controller_requests{exported_namespace="aragora",ingress="aragora-stable",canary=""}[2m]))');
  for (const c of checks) {
    expect(promqlSyntaxError(c.query!)).toBeUndefined();
    expect(c.query).not.toMatch(/\{\{|canary!=/);
  }
});

test('seed 002: the canary Service becomes the stable Service in every Istio query; the stable-service argument is left alone', () => {
  const checks = preflightChecks(objectsOf(seed002)).filter((c) => c.provider === 'prometheus');
  expect(checks).toHaveLength(12);
  for (const c of checks) expect(c.query).not.toContain('proxy-api-canary');
  const ratio = checks.find((c) => c.metric === 'canary-vs-stable-p95')!;
  expect(ratio.query!.match(/destination_service_name="proxy-api-stable"/g)).toHaveLength(2);
  expect(ratio.rewrites).toHaveLength(1);
});

test('the rewrite follows the syntax tree: strings, other metrics and label names that only look like the canary are untouched', () => {
  const objects = [
    rollout({ canary: { canaryService: 'web-canary', stableService: 'web-stable', analysis: { templates: [{ templateName: 't' }] } } }),
    template('sum(rate(other_total{canary!=""}[1m])) + count(label_replace(up{job="web-canary"}, "x", "web-canary", "", "")) + sum(nginx_ingress_controller_requests{canary!="",web_canary="web-canary-x"})'),
  ];
  const [check] = preflightChecks(objects);
  // `other_total` is not nginx's; the label_replace string is not a matcher; `web-canary-x` is not the Service.
  expect(check.query).toBe('sum(rate(other_total{canary!=""}[1m])) + count(label_replace(up{job="web-stable"}, "x", "web-canary", "", "")) + sum(nginx_ingress_controller_requests{canary="",web_canary="web-canary-x"})');
});

test('fieldRef paths into labels, template defaults, Secrets and unknown placeholders', () => {
  const objects = [
    rollout({ canary: { analysis: { templates: [{ templateName: 't' }], args: [{ name: 'version', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app.kubernetes.io/version']" } } }] } } }),
    template('up{version="{{args.version}}",job="{{ args.job }}"}', [{ name: 'version' }, { name: 'job', value: 'api' }]),
  ];
  expect(preflightChecks(objects)[0].query).toBe('up{version="v2",job="api"}');
  const missing = [objects[0], template('up{a="{{args.nope}}"}')];
  expect(preflightChecks(missing)[0].error).toBe('failed to resolve {{args.nope}}: no such argument (the controller fails this measurement)');
  const noField = [rollout({ canary: { analysis: { templates: [{ templateName: 't' }], args: [{ name: 'v', valueFrom: { fieldRef: { fieldPath: 'metadata.labels.nothing' } } }] } } }), template('up{a="{{args.v}}"}')];
  expect(preflightChecks(noField)[0].error).toBe('argument v: the rollout has no field metadata.labels.nothing');
  const unset = [rollout({ canary: { analysis: { templates: [{ templateName: 't' }] } } }), template('up{a="{{args.v}}"}', [{ name: 'v' }])];
  expect(preflightChecks(unset)[0].error).toBe('argument v has no value (the template sets none)');
});

test('a pod-template hash outside a label matcher cannot be rewritten: the check says so', () => {
  const objects = [
    rollout({ canary: { analysis: { templates: [{ templateName: 't' }], args: [{ name: 'h', valueFrom: { podTemplateHashValue: 'Latest' } }] } } }),
    template('label_replace(up, "hash", "{{args.h}}", "", "")', [{ name: 'h' }]),
  ];
  const [check] = preflightChecks(objects);
  expect(check.error).toBe('the pod-template hash argument is used outside a label matcher: cannot select the stable side');
  expect(check.query).toBe('label_replace(up, "hash", "<pod-template-hash>", "", "")');
});

test('the syntax tree: selectors with their matchers, operands of binary expressions, escapes', () => {
  const q = PromqlQuery.parse('sum(rate(a_bucket{x="1",y!~"a\\\\.b"}[5m])) / on(pod) {__name__="b",z=\'q\\"\'}');
  expect(q.selectors().map((s) => [s.metric, s.matchers.map((m) => `${m.label}${m.op}${m.value}`)])).toEqual([
    ['a_bucket', ['x=1', 'y!~a\\.b']],
    ['b', ['z=q"']],
  ]);
  expect(q.operands(q.root).map((o) => q.textOf(o))).toEqual(['sum(rate(a_bucket{x="1",y!~"a\\\\.b"}[5m]))', '{__name__="b",z=\'q\\"\'}']);
  expect(() => PromqlQuery.parse('sum(rate(x[5m])')).toThrow(/PromQL syntax error at character/);
});
