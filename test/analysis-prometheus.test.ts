import { Duration, Testing, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  AnalysisCheck, CanaryRollout, CanaryStep, HttpHeader, ITrafficSplit, LatencyUnit, NoDataPolicy, PrometheusAnalysis,
  PrometheusAnalysisProps, QueryTarget, RequestMetrics, RouterMetrics, TrafficRole, TrafficSplitBinding,
} from '../src';
import { constructionError, find, schemas, synth, testChart, validationErrors } from './support/synth';

class RouterDouble implements ITrafficSplit {
  constructor(private readonly trafficRouting: any, private readonly metrics?: RouterMetrics) {}
  public bind(): TrafficSplitBinding {
    return { trafficRouting: this.trafficRouting, metrics: this.metrics };
  }

  public routeToService(): void {
    throw new Error('a rollout-only test double');
  }

}
const nginx = (ingressName?: string) => new RouterDouble({ nginx: { stableIngress: ingressName ?? 'x' } }, { router: 'nginx', ingressName });
const istio = () => new RouterDouble({ istio: { virtualService: { name: 'vs' } } }, { router: 'istio' });

function app(props: Partial<PrometheusAnalysisProps> = {}, split?: ITrafficSplit, chart: Chart = testChart('aragora')) {
  const analysis = new PrometheusAnalysis(chart, 'analysis', {
    metadata: { name: 'aragora-analysis' },
    address: 'http://prometheus.monitoring.svc.cluster.local:9090',
    checks: [AnalysisCheck.successRate({ atLeast: 0.99 }), AnalysisCheck.podRestarts()],
    ...props,
  });
  const rollout = new CanaryRollout(chart, 'aragora', {
    metadata: { name: 'aragora' },
    containers: [{ image: 'aragora/aragora:v1.1.0', portNumber: 8080 }],
    trafficSplit: split,
    backgroundAnalysis: { templates: [analysis] },
  });
  return { chart, analysis, rollout };
}

const metric = (objects: any[], name: string) => find(objects, 'AnalysisTemplate').spec.metrics.find((m: any) => m.name === name);

describe('PrometheusAnalysis', () => {
  test('first measurement one window plus one scrape after the analysis starts; indefinite checks tolerate 2 inconclusive measurements', () => {
    const { chart } = app({
      scrapeInterval: Duration.seconds(15),
      window: Duration.minutes(1),
      checks: [
        AnalysisCheck.successRate({ atLeast: 0.99 }),
        AnalysisCheck.errorRate({ below: 0.01, window: Duration.minutes(5) }),
        AnalysisCheck.podRestarts({ initialDelay: Duration.seconds(10), count: 3, inconclusiveLimit: 1 }),
      ],
    });
    const objects = synth(chart);
    expect(metric(objects, 'success-rate')).toMatchObject({ interval: '1m', initialDelay: '75s', inconclusiveLimit: 2 });
    expect(metric(objects, 'error-rate')).toMatchObject({ initialDelay: '315s', inconclusiveLimit: 2 });
    expect(metric(objects, 'pod-restarts')).toMatchObject({ initialDelay: '10s', count: 3, inconclusiveLimit: 1 });
  });

  test('a PrometheusAnalysis no rollout of the app runs needs externalArgs: its queries take the rollout\'s args', () => {
    const chart = testChart('platform');
    new PrometheusAnalysis(chart, 'shared', { metadata: { name: 'shared-success' }, checks: [AnalysisCheck.successRate({ atLeast: 0.99 })] });
    const errors = validationErrors(chart.node.root as any);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^\[test\/shared\] checks: spec\.args: AnalysisTemplate "shared-success" needs args namespace, rollout-name, canary-hash, and no rollout or experiment of this app runs it/);
    const other = testChart('platform');
    new PrometheusAnalysis(other, 'shared', { clusterScope: true, externalArgs: true, checks: [AnalysisCheck.successRate({ atLeast: 0.99 })] });
    expect(validationErrors(other.node.root as any)).toEqual([]);
  });

  test('a check with a count concludes on its own data: the controller\'s inconclusiveLimit 0', () => {
    const { chart } = app({ count: 5, initialDelay: Duration.minutes(1) });
    const m = metric(synth(chart), 'success-rate');
    expect(m).toMatchObject({ count: 5, initialDelay: '1m' });
    expect(m.inconclusiveLimit).toBeUndefined();
  });

  test('declares the args its queries use and the rollout supplies each of them', () => {
    const { chart } = app({}, nginx('aragora-stable'));
    const objects = synth(chart);
    for (const o of objects) expect(schemas.errors(o)).toEqual([]);
    const template = find(objects, 'AnalysisTemplate');
    expect(template.metadata).toEqual({ name: 'aragora-analysis', namespace: 'aragora' });
    expect(template.spec.args).toEqual([{ name: 'namespace' }, { name: 'stable-ingress' }, { name: 'rollout-name' }, { name: 'canary-hash' }]);
    expect(find(objects, 'Rollout').spec.strategy.canary.analysis).toEqual({
      templates: [{ templateName: 'aragora-analysis' }],
      args: [
        { name: 'namespace', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        { name: 'stable-ingress', value: 'aragora-stable' },
        { name: 'rollout-name', value: 'aragora' },
        { name: 'canary-hash', valueFrom: { podTemplateHashValue: 'Latest' } },
      ],
    });
  });

  test('queries follow the traffic source: nginx, Istio, or the application metrics', () => {
    const query = (split?: ITrafficSplit, props: Partial<PrometheusAnalysisProps> = {}) =>
      metric(synth(app(props, split).chart), 'success-rate').provider.prometheus.query;
    expect(query(nginx('web'))).toContain('nginx_ingress_controller_requests{exported_namespace="{{args.namespace}}",ingress="{{args.stable-ingress}}",canary!="",status!~"5.*"}');
    expect(query(istio())).toContain('istio_requests_total{reporter="destination",destination_service_namespace="{{args.namespace}}",destination_service_name="{{args.canary-service}}",response_code!~"5.*"}');
    expect(query()).toContain('http_requests_total{namespace="{{args.namespace}}",pod=~"{{args.rollout-name}}-{{args.canary-hash}}-[a-z0-9]+",status!~"5.*"}');
    expect(query(undefined, { applicationMetrics: { requestsMetric: 'http_server_requests_seconds_count', statusLabel: 'code', podTemplateHashLabel: 'rollouts_pod_template_hash' } }))
      .toContain('http_server_requests_seconds_count{namespace="{{args.namespace}}",rollouts_pod_template_hash=~"{{args.canary-hash}}",code!~"5.*"}');
    // an explicit source wins over the router's
    expect(query(nginx('web'), { requestMetrics: RequestMetrics.application() })).toContain('http_requests_total');
  });

  test('thresholds, no-data policies and measurement fields', () => {
    const { chart } = app({
      interval: Duration.seconds(30),
      count: 10,
      initialDelay: Duration.minutes(1),
      failuresToAbort: 3,
      consecutiveErrorLimit: 2,
      inconclusiveLimit: 1,
      checks: [
        AnalysisCheck.successRate({ atLeast: 0.99, noData: NoDataPolicy.FAIL }),
        AnalysisCheck.latency({ percentile: 99, below: Duration.millis(500), noData: NoDataPolicy.PASS, window: Duration.minutes(5) }),
        AnalysisCheck.podRestarts({ failureLimit: 0, dryRun: true }),
      ],
    });
    const objects = synth(chart);
    for (const o of objects) expect(schemas.errors(o)).toEqual([]);
    const success = metric(objects, 'success-rate');
    expect(success).toMatchObject({ interval: '30s', count: 10, initialDelay: '1m', failureLimit: 2, consecutiveErrorLimit: 2, inconclusiveLimit: 1 });
    expect(success.successCondition).toBe('len(result) > 0 && !isNaN(result[0]) && result[0] >= 0.99');
    expect(success.failureCondition).toBeUndefined();
    const latency = metric(objects, 'latency-p99');
    expect(latency.successCondition).toBe('len(result) == 0 || isNaN(result[0]) || result[0] < 0.5');
    expect(latency.provider.prometheus.query).toContain('[5m]');
    const restarts = metric(objects, 'pod-restarts');
    expect(restarts.failureLimit).toBe(0);
    expect(restarts.successCondition).toBe('len(result) > 0 && !isNaN(result[0]) && result[0] <= 0');
    expect(restarts.failureCondition).toBe('len(result) > 0 && !isNaN(result[0]) && result[0] > 0');
    expect(find(objects, 'AnalysisTemplate').spec.dryRun).toEqual([{ metricName: 'pod-restarts' }]);
  });

  test('Istio latency (ms) is converted to seconds', () => {
    const objects = synth(app({ checks: [AnalysisCheck.latency({ percentile: 95, below: Duration.millis(300) })] }, istio()).chart);
    const latency = metric(objects, 'latency-p95');
    expect(latency.provider.prometheus.query).toMatch(/istio_request_duration_milliseconds_bucket.*\/ 1000$/);
    expect(latency.successCondition).toContain('result[0] < 0.3');
  });

  test('credentials only by Secret reference, as template args with secretKeyRef', () => {
    const chart = testChart('aragora');
    const secret = kplus.Secret.fromSecretName(chart, 'prom-secret', 'prometheus-credentials');
    const { chart: c } = app({
      headers: [HttpHeader.fromSecret('Authorization', { secret, key: 'token' }, { prefix: 'Bearer ' }), HttpHeader.of('X-Scope-OrgID', 'tenant-1')],
      oauth2: { tokenUrl: 'https://auth/token', clientId: 'argo', clientSecret: { secret, key: 'client-secret' }, scopes: ['read'] },
      timeout: Duration.seconds(20),
    }, undefined, chart);
    const objects = synth(c);
    for (const o of objects) expect(schemas.errors(o)).toEqual([]);
    const template = find(objects, 'AnalysisTemplate');
    expect(template.spec.args).toEqual(expect.arrayContaining([
      { name: 'prometheus-header-authorization', valueFrom: { secretKeyRef: { name: 'prometheus-credentials', key: 'token' } } },
      { name: 'prometheus-oauth2-client-secret', valueFrom: { secretKeyRef: { name: 'prometheus-credentials', key: 'client-secret' } } },
    ]));
    const prometheus = template.spec.metrics[0].provider.prometheus;
    expect(prometheus.headers).toEqual([{ key: 'Authorization', value: 'Bearer {{args.prometheus-header-authorization}}' }, { key: 'X-Scope-OrgID', value: 'tenant-1' }]);
    expect(prometheus.authentication.oauth2).toEqual({ tokenUrl: 'https://auth/token', clientId: 'argo', clientSecret: '{{args.prometheus-oauth2-client-secret}}', scopes: ['read'] });
    expect(prometheus.timeout).toBe(20);
    // secret-backed args are not the rollout's to supply
    expect(find(objects, 'Rollout').spec.strategy.canary.analysis.args.map((a: any) => a.name)).not.toContain('prometheus-header-authorization');
  });

  test('clusterScope gives a ClusterAnalysisTemplate without namespace, referenced with clusterScope', () => {
    const objects = synth(app({ clusterScope: true }).chart);
    const template = find(objects, 'ClusterAnalysisTemplate');
    expect(template.metadata).toEqual({ name: 'aragora-analysis' });
    expect(schemas.errors(template)).toEqual([]);
    expect(find(objects, 'Rollout').spec.strategy.canary.analysis.templates).toEqual([{ templateName: 'aragora-analysis', clusterScope: true }]);
  });

  test('every generated query parses with the Prometheus grammar, for every source', () => {
    for (const split of [nginx('web'), istio(), undefined]) {
      const objects = synth(app({
        checks: [
          AnalysisCheck.successRate({ atLeast: 0.95 }), AnalysisCheck.errorRate({ below: 0.05 }),
          AnalysisCheck.latency({ percentile: 95, below: Duration.millis(300) }), AnalysisCheck.canaryVsStable(),
          AnalysisCheck.cpu({ atMost: 0.8 }), AnalysisCheck.memory({ atMost: 0.85 }), AnalysisCheck.podRestarts(), AnalysisCheck.readiness(),
        ],
      }, split).chart);
      expect(find(objects, 'AnalysisTemplate').spec.metrics).toHaveLength(8);
    }
  });

  test('synthesis is deterministic', () => {
    const yaml = () => Testing.synth(app({}, nginx('web')).chart);
    expect(JSON.stringify(yaml())).toEqual(JSON.stringify(yaml()));
  });
});

describe('PrometheusAnalysis errors', () => {
  test('construction: thresholds, address, inline credentials, failure limits', () => {
    expect(constructionError(() => app({ checks: [AnalysisCheck.successRate({ atLeast: 99 })] })))
      .toMatch(/\[test\/analysis\] checks\[0\]: .*check "success-rate": atLeast 99 is not a fraction between 0 and 1 \(allowed: a fraction between 0 and 1 \(0.99, not 99\)\)/);
    expect(constructionError(() => app({ checks: [AnalysisCheck.latency({ percentile: 100, below: Duration.seconds(1) })] }))).toMatch(/percentile 100 is not between 0 and 100/);
    expect(constructionError(() => app({ address: 'prometheus:9090' }))).toMatch(/address: .*prometheus address is not is url format/);
    expect(constructionError(() => app({ headers: [HttpHeader.of('Authorization', 'Bearer abc')] }))).toMatch(/headers\[0\]: .*header "Authorization" carries a credential; its value must not be inline \(allowed: HttpHeader.fromSecret/);
    expect(constructionError(() => app({ failuresToAbort: 3, failureLimit: 2 }))).toMatch(/failuresToAbort and failureLimit both set/);
    expect(constructionError(() => app({ failuresToAbort: 0 }))).toMatch(/failuresToAbort 0 is not a positive integer/);
    expect(constructionError(() => app({ timeout: Duration.millis(1500) }))).toMatch(/timeout .* is not whole seconds/);
    expect(constructionError(() => RequestMetrics.application({ statusLabel: 'http-status' }))).toMatch(/statusLabel "http-status" is not a Prometheus label name/);
    expect(constructionError(() => RequestMetrics.application({ requestsMetric: 'http requests' }))).toMatch(/requestsMetric "http requests" is not a Prometheus metric name/);
  });

  test('synth: section C metric rules with the controller texts', () => {
    const errors = (props: Partial<PrometheusAnalysisProps>) => validationErrors(app(props).chart.node.root as any);
    expect(errors({ checks: [] })).toEqual([expect.stringMatching(/\[test\/analysis\] checks: spec.metrics: no metrics specified/)]);
    expect(errors({ checks: [AnalysisCheck.successRate({ atLeast: 0.9 }), AnalysisCheck.successRate({ atLeast: 0.95 })] }))
      .toEqual([
        expect.stringContaining("[test/analysis] checks[1].name: spec.metrics[1]: metrics[1]: duplicate name 'success-rate'"),
        expect.stringContaining("[test/aragora] spec.strategy.canary.analysis: spec.strategy.canary.analysis.templates: Invalid value: \"templateNames: [aragora-analysis]\": two metrics have the same name 'success-rate'"),
      ]);
    expect(errors({ failureLimit: -1 })).toContainEqual(expect.stringContaining('metrics[0]: failureLimit and consecutiveSuccessLimit cannot both be disabled'));
    expect(errors({ failureLimit: -2, consecutiveSuccessLimit: 1 })).toContainEqual(expect.stringContaining('metrics[0]: failureLimit must be >= 0, or -1 to be disabled'));
    expect(errors({ count: 2, failureLimit: 2, consecutiveSuccessLimit: 1 })).toContainEqual(expect.stringContaining('metrics[0]: count (2) must be >= failureLimit + consecutiveSuccessLimit (2 + 1) if both >= 0'));
    expect(errors({ count: 1, inconclusiveLimit: 2 })).toContainEqual(expect.stringContaining('metrics[0]: count must be >= inconclusiveLimit'));
    expect(errors({ consecutiveErrorLimit: -1 })).toContainEqual(expect.stringContaining('metrics[0]: consecutiveErrorLimit must be >= 0'));
    expect(errors({ inconclusiveLimit: -1 })).toContainEqual(expect.stringContaining('metrics[0]: inconclusiveLimit must be >= 0'));
    expect(errors({ consecutiveSuccessLimit: -1 })).toContainEqual(expect.stringContaining('metrics[0]: consecutiveSuccessLimit must be >= 0'));
  });

  test('synth: a raw query outside the grammar, or a condition outside the subset, names the check', () => {
    const raw = (query: string, successCondition?: string) =>
      validationErrors(app({ checks: [AnalysisCheck.promql({ name: 'errors-5xx', query, successCondition })] }).chart.node.root as any);
    expect(raw('sum(rate(http_requests_total{code~"5.*"}[5m]))', 'result[0] < 1'))
      .toEqual([expect.stringMatching(/\[test\/analysis\] checks\[0\]: spec.metrics\[0\].provider.prometheus.query: check "errors-5xx": PromQL syntax error at character \d+/)]);
    expect(raw('sum(rate(http_requests_total[5m]))', 'all(result, # < 1); 1'))
      .toEqual([expect.stringContaining('checks[0]: spec.metrics[0].successCondition: check "errors-5xx": condition ";" at 19 is outside the supported condition subset')]);
    expect(raw('sum(rate(http_requests_total[5m]))', 'result < 1'))
      .toEqual([expect.stringContaining('condition invalid operation: < (mismatched types vector and int) (use result[0])')]);
    expect(raw('sum(rate(http_requests_total[5m]))', 'result[0] + 1')).toEqual([expect.stringContaining('condition expected bool, but got number')]);
    expect(raw('sum(rate(http_requests_total[5m]))', 'len(result) == 0 || result[0] < 1')).toEqual([]);
  });

  test('synth: an arg the rollout cannot supply is reported by the rollout (rule 40)', () => {
    expect(validationErrors(app({}, nginx(undefined)).chart.node.root as any))
      .toContainEqual(expect.stringMatching(/\[test\/aragora\] spec.strategy.canary.analysis: .*args.stable-ingress was not resolved/));
    const custom = app({ checks: [AnalysisCheck.promql({ name: 'queue', query: 'max(queue_depth{queue="{{args.queue}}"})', successCondition: 'result[0] < 100' })] });
    expect(validationErrors(custom.chart.node.root as any)).toContainEqual(expect.stringContaining('args.queue was not resolved'));
  });

  test('synth: indefinite metrics outside background analysis (rule 41)', () => {
    const chart = testChart('aragora');
    const analysis = new PrometheusAnalysis(chart, 'analysis', { checks: [AnalysisCheck.errorRate({ below: 0.01 })] });
    new CanaryRollout(chart, 'aragora', {
      containers: [{ image: 'aragora/aragora:v1.1.0', portNumber: 8080 }],
      steps: [CanaryStep.weight(10), CanaryStep.analysis({ templates: [analysis] })],
    });
    expect(analysis.indefiniteMetrics).toEqual(['error-rate']);
    expect(validationErrors(chart.node.root as any)).toContainEqual(expect.stringContaining(`AnalysisTemplate ${analysis.templateName} has metric error-rate which runs indefinitely. Invalid value for count: 0`));
  });

  test('synth: one template shared by rollouts with different traffic routers', () => {
    const chart = testChart('aragora');
    const analysis = new PrometheusAnalysis(chart, 'analysis', { checks: [AnalysisCheck.errorRate({ below: 0.01 })] });
    for (const [id, split] of [['web', nginx('web')], ['api', istio()]] as const) {
      new CanaryRollout(chart, id, { metadata: { name: id }, containers: [{ image: 'x:1', portNumber: 80 }], trafficSplit: split, backgroundAnalysis: { templates: [analysis] } });
    }
    expect(validationErrors(chart.node.root as any)).toEqual([expect.stringMatching(/\[test\/api\] backgroundAnalysis: spec.strategy.canary.analysis.templates: PrometheusAnalysis "test-analysis-\w+" follows the traffic source of its rollouts, and rollout "web" uses nginx request metrics while "api" uses istio/)]);
  });
});

describe('RequestMetrics for dashboards', () => {
  const target = QueryTarget.of({ namespace: 'blog', rolloutName: 'backend', canaryService: 'backend-canary', stableService: 'backend-stable', ingressName: 'backend"ingress' });

  test('literal values are escaped; names with regex characters are regex-escaped', () => {
    expect(RequestMetrics.nginx({ namespaceLabel: 'namespace' }).requestRate(TrafficRole.STABLE, target, Duration.minutes(1)))
      .toBe('sum(rate(nginx_ingress_controller_requests{namespace="blog",ingress="backend\\"ingress",canary=""}[1m]))');
    const dotted = QueryTarget.of({ namespace: 'blog', rolloutName: 'api.v2', canaryService: 'c', stableService: 's', canaryHash: '$canary_hash' });
    expect(RequestMetrics.application({ latencyUnit: LatencyUnit.MILLISECONDS }).latency(95, TrafficRole.CANARY, dotted, Duration.seconds(90)))
      .toBe('histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{namespace="blog",pod=~"api\\\\.v2-$canary_hash-[a-z0-9]+"}[90s]))) / 1000');
  });

  test('forRollout picks the router and the rollout\'s values', () => {
    const { rollout } = app({}, nginx('aragora-web'));
    expect(RequestMetrics.forRollout(rollout).router).toBe('nginx');
    expect(RequestMetrics.forRollout(rollout).errorRatio(TrafficRole.CANARY, QueryTarget.forRollout(rollout), Duration.minutes(2)))
      .toBe('(sum(rate(nginx_ingress_controller_requests{exported_namespace="aragora",ingress="aragora-web",canary!="",status=~"5.*"}[2m])) or vector(0)) / sum(rate(nginx_ingress_controller_requests{exported_namespace="aragora",ingress="aragora-web",canary!=""}[2m]))');
    expect(RequestMetrics.forRollout(app({}, new RouterDouble({ istio: {} }, { router: 'istio', canarySubset: 'canary', stableSubset: 'stable' })).rollout).router).toBe('application');
  });
});
