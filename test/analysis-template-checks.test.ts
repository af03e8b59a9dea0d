import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, JsonPatch } from 'cdk8s';
import * as YAML from 'yaml';
import { buildApp } from '../examples/seed-001-hmco-portal/main';
import {
  AnalysisArgument, AnalysisCheck, CanaryRollout, IstioTrafficSplit, NginxTrafficSplit, ProgressiveApp, PrometheusAnalysis, SharedAnalysisTemplate,
} from '../src';
import { validationErrors } from './support/synth';
import { placeholderArgs, placeholders, promqlSyntaxError } from '../src/analysis/promql';

const PROMETHEUS = 'http://prometheus.monitoring.svc.cluster.local:9090';
const container = { image: 'registry.example.com/web:1.0.0', portNumber: 8080 };

describe('argument placeholders are read as the controller reads them', () => {
  test('a placeholder ends at the first "}}": a query fragment is not an argument name', () => {
    const broken = 'http_requests_total{service="{{args.service-name,status=~"2.."}}"}';
    expect(placeholderArgs(broken)).toEqual([]);
    expect(placeholders(broken)).toEqual([{ text: '{{args.service-name,status=~"2.."}}', argName: 'service-name,status=~"2.."', problem: expect.stringMatching(/is not an argument name/) }]);
    // the placeholder swallows the status matcher: substituted, the query would select every status
    expect(promqlSyntaxError(broken)).toBeUndefined();
  });

  test('names are trimmed like the controller trims them; other tags do not resolve', () => {
    expect(placeholderArgs('a{{ args.service-name }}b{{args.canary_hash}}{{args.service-name}}')).toEqual(['service-name', 'canary_hash']);
    expect(placeholders('{{metric.name}}')[0].problem).toBe('failed to resolve {{metric.name}}: the controller resolves only {{args.<name>}}');
  });
});

describe('SharedAnalysisTemplate gets the checks every template gets', () => {
  const metric = (query: string, extra: any = {}) => ({ name: 'success', interval: '1m', successCondition: 'len(result) > 0 && result[0] >= 0.95', provider: { prometheus: { address: PROMETHEUS, query } }, ...extra });

  function errorsOf(spec: any): string[] {
    const app = new App();
    new SharedAnalysisTemplate(new Chart(app, 'platform'), 'success-rate', { name: 'success-rate', spec });
    return validationErrors(app);
  }

  test('the broken seed 001 query: a placeholder that is no argument', () => {
    const errors = errorsOf({ args: [{ name: 'service-name' }], metrics: [metric('sum(rate(http_requests_total{service="{{args.service-name,status=~"2.."}}"}[2m]))')] });
    expect(errors).toEqual([
      expect.stringMatching(/^\[platform\/success-rate\] spec\.metrics\[0\]: spec\.metrics\[0\]\.provider\.prometheus\.query: check "success": \{\{args\.service-name,status=~"2\.\."\}\}: "service-name,status=~"2\.\."" is not an argument name .* \(allowed: placeholders \{\{args\.<name>\}\} of arguments in spec\.args\)$/),
    ]);
    expect(errorsOf({ metrics: [metric('sum(rate(x[2m])')] })).toEqual([
      expect.stringMatching(/^\[platform\/success-rate\] spec\.metrics\[0\]: spec\.metrics\[0\]\.provider\.prometheus\.query: check "success": PromQL syntax error at character \d+/),
    ]);
  });

  test('a placeholder of an argument the spec does not declare', () => {
    expect(errorsOf({ args: [{ name: 'service-name' }], metrics: [metric('sum(rate(x{job="{{args.job}}"}[2m]))')] })).toEqual([
      '[platform/success-rate] spec.metrics[0]: spec.metrics[0].provider.prometheus.query: check "success": failed to resolve {{args.job}}: spec.args declares no argument "job" (allowed: arguments in spec.args: service-name)',
    ]);
  });

  test('a condition outside the subset, or of the wrong type for a vector result', () => {
    expect(errorsOf({ metrics: [metric('vector(1)', { successCondition: 'result >= 0.95' })] })).toEqual([
      expect.stringMatching(/^\[platform\/success-rate\] spec\.metrics\[0\]: spec\.metrics\[0\]\.successCondition: check "success": condition .*use result\[0\]/),
    ]);
  });

  test('a valid spec passes', () => {
    expect(errorsOf({ args: [{ name: 'service-name' }], metrics: [metric('sum(rate(x{service="{{ args.service-name }}"}[2m]))')] })).toEqual([]);
  });
});

describe('seed 001 builds its shared templates with the typed API, with queries that parse', () => {
  test('three ClusterAnalysisTemplates taking service-name, seed 001 thresholds, every 60 s, third failure rolls back', () => {
    const docs = YAML.parseAllDocuments(buildApp(fs.mkdtempSync(path.join(os.tmpdir(), 'seed-001-'))).synthYaml()).map((d) => d.toJS());
    const templates = docs.filter((d: any) => d.kind === 'ClusterAnalysisTemplate');
    expect(templates.map((t: any) => t.metadata.name)).toEqual(['success-rate', 'error-rate', 'latency']);
    for (const t of templates) {
      expect(t.metadata.namespace).toBeUndefined();
      expect(t.spec.args).toEqual([{ name: 'service-name' }]);
      const [m] = t.spec.metrics;
      expect(m).toMatchObject({ name: t.metadata.name, interval: '1m', failureLimit: 2 });
      expect(m.provider.prometheus.address).toBe(PROMETHEUS);
      expect(promqlSyntaxError(m.provider.prometheus.query)).toBeUndefined();
      expect(placeholderArgs(m.provider.prometheus.query)).toEqual(['service-name']);
    }
    expect(templates[0].spec.metrics[0].provider.prometheus.query).toBe(
      'sum(rate(http_requests_total{service="{{args.service-name}}",status=~"2.."}[2m])) / sum(rate(http_requests_total{service="{{args.service-name}}"}[2m]))');
    expect(templates[0].spec.metrics[0].successCondition).toBe('len(result) > 0 && result[0] >= 0.95');
    expect(templates[1].spec.metrics[0].provider.prometheus.query).toContain(',status=~"5.."}');
    expect(templates[1].spec.metrics[0].successCondition).toBe('len(result) > 0 && result[0] <= 0.05');
    expect(templates[2].spec.metrics[0].provider.prometheus.query).toContain('histogram_quantile(0.95, sum(rate(http_request_duration_milliseconds_bucket{service="{{args.service-name}}"}[2m])) by (le))');
    expect(templates[2].spec.metrics[0].successCondition).toBe('len(result) > 0 && result[0] <= 1000');
  });
});

describe('a rollout reads its templates\' final, patched JSON', () => {
  test('an argument given valueFrom.secretKeyRef by JSON patch is not required from the rollout', () => {
    const app = new App();
    const chart = new Chart(app, 'test', { namespace: 'test' });
    const analysis = new PrometheusAnalysis(chart, 'analysis', {
      checks: [AnalysisCheck.promql({ name: 'probe', query: 'probe_success{url="{{args.secret-url}}"}', successCondition: 'result[0] == 1', count: 1 })],
    });
    const rollout = new CanaryRollout(chart, 'web', { containers: [container], backgroundAnalysis: { templates: [analysis] } });
    expect(validationErrors(app)).toEqual([expect.stringContaining('args.secret-url was not resolved')]);

    ApiObject.of(analysis).addJsonPatch(JsonPatch.add('/spec/args/0/valueFrom', { secretKeyRef: { name: 'probe', key: 'url' } }));
    expect(analysis.requiredArgs).toEqual([]);
    expect(validationErrors(app)).toEqual([]);
    expect(ApiObject.of(rollout).toJson().spec.strategy.canary.analysis.args).toBeUndefined();
  });

  test('metric names come from the final JSON too', () => {
    const chart = new Chart(new App(), 'test');
    const analysis = new PrometheusAnalysis(chart, 'analysis', { checks: [AnalysisCheck.promql({ name: 'probe', query: 'vector(1)', successCondition: 'result[0] == 1' })] });
    ApiObject.of(analysis).addJsonPatch(JsonPatch.replace('/spec/metrics/0/name', 'renamed'));
    expect(analysis.metricNames).toEqual(['renamed']);
  });
});

describe('output does not depend on declaration order', () => {
  type Role = 'analysis' | 'split' | 'rollout';
  const orders: Role[][] = [
    ['analysis', 'split', 'rollout'], ['analysis', 'rollout', 'split'], ['split', 'analysis', 'rollout'],
    ['split', 'rollout', 'analysis'], ['rollout', 'analysis', 'split'], ['rollout', 'split', 'analysis'],
  ];

  /**
   * The analysis, the split and the rollout in charts declared in `order` (the construct tree's
   * order, which decides the order of validation), each object created once its inputs exist.
   */
  function build(app: App, order: Role[], router: 'nginx' | 'istio'): void {
    const charts = Object.fromEntries(order.map((role) => [role, new Chart(app, `${role}s`, { namespace: 'shop' })])) as Record<Role, Chart>;
    const analysis = new PrometheusAnalysis(charts.analysis, 'analysis', {
      metadata: { name: 'web-analysis' },
      checks: [AnalysisCheck.successRate({ atLeast: 0.99 }), AnalysisCheck.errorRate({ below: 0.01 })],
    });
    const split = router === 'nginx'
      ? new NginxTrafficSplit(charts.split, 'traffic', { host: 'shop.example.com' })
      : new IstioTrafficSplit(charts.split, 'traffic', { hosts: ['shop.example.com'] });
    new CanaryRollout(charts.rollout, 'web', {
      metadata: { name: 'web' },
      containers: [container],
      trafficSplit: split,
      backgroundAnalysis: { templates: [analysis], args: [AnalysisArgument.value('unused', 'x')] },
    });
  }

  function files(dir: string): Record<string, string> {
    return Object.fromEntries(fs.readdirSync(dir).sort().map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
  }

  for (const router of ['nginx', 'istio'] as const) {
    test(`${router}: ProgressiveApp and App.synth() agree byte for byte, and the template is the same in every order`, () => {
      const templates = new Set<string>();
      for (const order of orders) {
        const [a, b] = [fs.mkdtempSync(path.join(os.tmpdir(), 'order-')), fs.mkdtempSync(path.join(os.tmpdir(), 'order-'))];
        const plain = new App({ outdir: a });
        build(plain, order, router);
        plain.synth();
        const progressive = new ProgressiveApp({ outdir: b });
        build(progressive, order, router);
        progressive.synth();
        expect(files(b)).toEqual(files(a));
        const template = fs.readFileSync(path.join(b, fs.readdirSync(b).find((f) => f.startsWith('analysiss'))!), 'utf8');
        templates.add(template);
        expect(template).toContain(router === 'nginx' ? 'nginx_ingress_controller_requests' : 'istio_requests_total');
        expect(template).not.toContain('http_requests_total');
      }
      expect(templates.size).toBe(1);
    });
  }
});
