/**
 * Every built-in check, for every traffic source, evaluated by the real Prometheus engine
 * (`promtool test rules`) on synthetic series, then judged by the check's own conditions with the
 * controller's semantics: a healthy canary passes, a bad one fails, and a canary without data
 * follows the check's no-data policy.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Duration } from 'cdk8s';
import { stringify } from 'yaml';
import {
  AnalysisCheck, CanaryRollout, CanarySteps, ITrafficSplit, MeasurementPhase, measurementPhase, NoDataPolicy, PrometheusAnalysis,
  RouterMetrics, SuccessStatuses, TrafficSplitBinding,
} from '../src';
import { find, synth, testChart } from './support/synth';

const PROMTOOL = process.env.PROMTOOL ?? 'promtool';

beforeAll(() => {
  const probe = spawnSync(PROMTOOL, ['--version']);
  if (probe.error || probe.status !== 0) {
    throw new Error(`promtool is required (apt-get install prometheus; CI installs it): ${probe.error?.message ?? probe.stderr}`);
  }
});

/** The values the controller resolves the rollout's analysis args to. */
const CANARY_HASH = 'abc12';
const STABLE_HASH = 'def34';
const CANARY_POD = `app-${CANARY_HASH}-x7k2p`;
const STABLE_POD = `app-${STABLE_HASH}-q9w8e`;

class RouterDouble implements ITrafficSplit {
  constructor(private readonly trafficRouting: any, private readonly metrics?: RouterMetrics) {}
  public bind(): TrafficSplitBinding {
    return { trafficRouting: this.trafficRouting, metrics: this.metrics };
  }

  public routeToService(): void {
    throw new Error('a rollout-only test double');
  }

}

type Family = 'nginx' | 'istio' | 'application';
type Scenario = 'healthy' | 'failing' | 'noSeries' | 'noTraffic';

const ROUTERS: Record<Family, () => ITrafficSplit | undefined> = {
  nginx: () => new RouterDouble({ nginx: { stableIngress: 'app-ingress' } }, { router: 'nginx', ingressName: 'app-ingress' }),
  istio: () => new RouterDouble({ istio: { virtualService: { name: 'app' } } }, { router: 'istio' }),
  application: () => undefined,
};

const CHECKS = (noData?: NoDataPolicy) => [
  AnalysisCheck.successRate({ atLeast: 0.99, noData }),
  AnalysisCheck.errorRate({ below: 0.01, noData }),
  AnalysisCheck.latency({ percentile: 99, below: Duration.millis(500), noData }),
  AnalysisCheck.canaryVsStable({ percentile: 95, maxSlowdown: 0.2, noData }),
  AnalysisCheck.cpu({ atMost: 0.8, noData }),
  AnalysisCheck.memory({ atMost: 0.85, noData }),
  AnalysisCheck.podRestarts({ noData }),
  AnalysisCheck.readiness({ atLeast: 1, noData }),
];

/** The synthesised metrics of the template, with the args resolved as the controller would. */
function renderedMetrics(family: Family, noData?: NoDataPolicy): any[] {
  const chart = testChart('ns');
  const analysis = new PrometheusAnalysis(chart, 'analysis', { checks: CHECKS(noData), count: 1 });
  new CanaryRollout(chart, 'app', {
    metadata: { name: 'app' },
    containers: [{ image: 'app:2', portNumber: 8080 }],
    trafficSplit: ROUTERS[family](),
    backgroundAnalysis: { templates: [analysis] },
  });
  return resolvedMetrics(synth(chart));
}

/** The template's metrics with the rollout's args resolved as the controller would. */
function resolvedMetrics(objects: any[]): any[] {
  const args: any[] = find(objects, 'Rollout').spec.strategy.canary.analysis.args;
  const values = new Map(args.map((a) => [a.name, resolveArg(a)]));
  return find(objects, 'AnalysisTemplate').spec.metrics.map((m: any) => ({
    ...m,
    query: m.provider.prometheus.query.replace(/\{\{args\.([^}]+)\}\}/g, (_: string, name: string) => {
      if (!values.has(name)) throw new Error(`query uses args.${name}, which the rollout does not supply`);
      return values.get(name);
    }),
  }));
}

function resolveArg(arg: any): string {
  if (arg.value !== undefined) return arg.value;
  if (arg.valueFrom?.fieldRef?.fieldPath === 'metadata.namespace') return 'ns';
  if (arg.valueFrom?.podTemplateHashValue === 'Latest') return CANARY_HASH;
  if (arg.valueFrom?.podTemplateHashValue === 'Stable') return STABLE_HASH;
  throw new Error(`cannot resolve ${JSON.stringify(arg)}`);
}

/** Counter values every 30 s for 20 minutes. */
const counter = (perStep: number) => `0+${perStep}x40`;
const gauge = (value: number) => `${value}x40`;

/** Request series of one role: ok/error request counters and a latency histogram (all requests at `latencySeconds`). */
function requestSeries(family: Family, role: 'canary' | 'stable', ok: number | undefined, errors: number | undefined, latencySeconds: number): any[] {
  const labels = {
    nginx: `exported_namespace="ns",ingress="app-ingress",canary="${role === 'canary' ? 'ns-app-canary-8080' : ''}"`,
    istio: `reporter="destination",destination_service_namespace="ns",destination_service_name="app-${role}"`,
    application: `namespace="ns",pod="${role === 'canary' ? CANARY_POD : STABLE_POD}"`,
  }[family];
  const [requests, histogram, status, scale] = {
    nginx: ['nginx_ingress_controller_requests', 'nginx_ingress_controller_request_duration_seconds', 'status', 1],
    istio: ['istio_requests_total', 'istio_request_duration_milliseconds', 'response_code', 1000],
    application: ['http_requests_total', 'http_request_duration_seconds', 'status', 1],
  }[family] as [string, string, string, number];
  const series: any[] = [];
  if (ok !== undefined) series.push({ series: `${requests}{${labels},${status}="200"}`, values: counter(ok) });
  if (errors !== undefined) series.push({ series: `${requests}{${labels},${status}="503"}`, values: counter(errors) });
  const total = (ok ?? 0) + (errors ?? 0);
  for (const le of [0.1, 0.25, 0.5, 1, 2.5]) {
    series.push({ series: `${histogram}_bucket{${labels},le="${le * scale}"}`, values: counter(latencySeconds <= le ? total : 0) });
  }
  series.push({ series: `${histogram}_bucket{${labels},le="+Inf"}`, values: counter(total) });
  // The other reporter (Istio) must never be counted.
  if (family === 'istio') series.push({ series: `${requests}{${labels.replace('destination"', 'source"')},${status}="503"}`, values: counter(1000) });
  return series;
}

/** kube-state-metrics and cAdvisor series of one pod. */
function podSeries(pod: string, hash: string, bad: boolean): any[] {
  const p = `namespace="ns",pod="${pod}"`;
  return [
    { series: `kube_pod_owner{${p},uid="${pod}",owner_kind="ReplicaSet",owner_name="app-${hash}",owner_is_controller="true"}`, values: gauge(1) },
    { series: `kube_pod_container_status_restarts_total{${p},uid="${pod}",container="main"}`, values: counter(bad ? 1 : 0) },
    { series: `kube_pod_status_ready{${p},uid="${pod}",condition="true"}`, values: gauge(bad ? 0 : 1) },
    { series: `kube_pod_status_ready{${p},uid="${pod}",condition="false"}`, values: gauge(bad ? 1 : 0) },
    { series: `kube_pod_container_resource_limits{${p},uid="${pod}",container="main",resource="cpu",unit="core"}`, values: gauge(1) },
    { series: `kube_pod_container_resource_limits{${p},uid="${pod}",container="main",resource="memory",unit="byte"}`, values: gauge(1073741824) },
    { series: `container_cpu_usage_seconds_total{${p},container="main"}`, values: counter(bad ? 28.5 : 3) },
    // cgroup aggregate and pause container: must be filtered out
    { series: `container_cpu_usage_seconds_total{${p},container=""}`, values: counter(100) },
    { series: `container_memory_working_set_bytes{${p},container="main"}`, values: gauge(bad ? 1020054733 : 104857600) },
    { series: `container_memory_working_set_bytes{${p},container="POD"}`, values: gauge(1073741824 * 4) },
  ];
}

/**
 * The stable version is always the opposite of the canary's health where it matters (so a query
 * that mixes the two is caught); latency of the stable stays fast so canary-vs-stable is meaningful.
 */
function inputSeries(family: Family, scenario: Scenario): any[] {
  const stable = [...requestSeries(family, 'stable', 300, 300, 0.05), ...podSeries(STABLE_POD, STABLE_HASH, true)];
  switch (scenario) {
    case 'healthy':
      return [...stable, ...requestSeries(family, 'canary', 100, 0, 0.05), ...podSeries(CANARY_POD, CANARY_HASH, false)];
    case 'failing':
      // Every canary request fails (no 200 series at all) and is slow; pods restart, are unready and full.
      return [...stable, ...requestSeries(family, 'canary', undefined, 100, 2), ...podSeries(CANARY_POD, CANARY_HASH, true)];
    case 'noSeries':
      return stable;
    case 'noTraffic':
      return [...stable, ...requestSeries(family, 'canary', 0, 0, 0.05), ...podSeries(CANARY_POD, CANARY_HASH, false)];
  }
}

/** Evaluates each query (at 10 minutes by default) with promtool and returns each result as Argo sees it (`[]float64`). */
function evaluate(metrics: any[], series: any[], evalTime = '10m'): Map<string, number[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'analysis-promtool-'));
  try {
    fs.writeFileSync(path.join(dir, 'rules.yaml'), 'groups: []\n');
    const tests = {
      rule_files: ['rules.yaml'],
      evaluation_interval: '1m',
      tests: [{
        interval: '30s',
        input_series: series,
        // An empty expectation: promtool passes on an empty result and prints what it got otherwise.
        promql_expr_test: metrics.map((m) => ({ expr: `label_replace(${m.query}, "check", "${m.name}", "", "")`, eval_time: evalTime, exp_samples: [] })),
      }],
    };
    fs.writeFileSync(path.join(dir, 'test.yaml'), stringify(tests));
    const run = spawnSync(PROMTOOL, ['test', 'rules', 'test.yaml'], { cwd: dir, encoding: 'utf8' });
    const output = `${run.stdout}${run.stderr}`;
    if (run.status !== 0 && !output.includes('got:')) throw new Error(`promtool failed:\n${output}`);
    const results = new Map<string, number[]>(metrics.map((m) => [m.name, []]));
    for (const line of output.split('\n').filter((l) => l.trim().startsWith('got:'))) {
      for (const [, name, value] of line.matchAll(/check="([^"]+)"[^}]*\} ([^,\s]+)/g)) {
        results.get(name)!.push(Number(value === 'NaN' ? NaN : value));
      }
    }
    return results;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function phases(family: Family, scenario: Scenario, noData?: NoDataPolicy): Record<string, string> {
  const metrics = renderedMetrics(family, noData);
  const results = evaluate(metrics, inputSeries(family, scenario));
  return Object.fromEntries(metrics.map((m) => [m.name, measurementPhase(results.get(m.name), m.successCondition, m.failureCondition)]));
}

const NAMES = ['success-rate', 'error-rate', 'latency-p99', 'canary-vs-stable-p95', 'cpu', 'memory', 'pod-restarts', 'readiness'];
const all = (phase: MeasurementPhase) => Object.fromEntries(NAMES.map((n) => [n, phase]));

describe.each(['nginx', 'istio', 'application'] as Family[])('%s request metrics', (family) => {
  test('a healthy canary passes every check (the stable pods are unhealthy and ignored)', () => {
    expect(phases(family, 'healthy')).toEqual(all(MeasurementPhase.SUCCESSFUL));
  });

  test('a canary answering only 5xx, slowly, from restarting, unready, saturated pods fails every check', () => {
    expect(phases(family, 'failing')).toEqual(all(MeasurementPhase.FAILED));
  });

  test('without canary series, every check is inconclusive by default', () => {
    expect(phases(family, 'noSeries')).toEqual(all(MeasurementPhase.INCONCLUSIVE));
  });

  test('no data follows the pass and fail policies', () => {
    expect(phases(family, 'noSeries', NoDataPolicy.PASS)).toEqual(all(MeasurementPhase.SUCCESSFUL));
    expect(phases(family, 'noSeries', NoDataPolicy.FAIL)).toEqual(all(MeasurementPhase.FAILED));
  });

  test('canary series without requests (NaN ratios) are no data too; pod checks still measure', () => {
    expect(phases(family, 'noTraffic')).toEqual({
      ...all(MeasurementPhase.SUCCESSFUL),
      'success-rate': MeasurementPhase.INCONCLUSIVE,
      'error-rate': MeasurementPhase.INCONCLUSIVE,
      'latency-p99': MeasurementPhase.INCONCLUSIVE,
      'canary-vs-stable-p95': MeasurementPhase.INCONCLUSIVE,
    });
  });
});

test('a raw PromQL check is evaluated with its own conditions', () => {
  const metrics = [{ name: 'errors', query: 'sum(increase(http_requests_total{namespace="ns",status="503"}[5m]))', successCondition: 'len(result) == 0 || result[0] < 10' }];
  const healthy = evaluate(metrics, [{ series: 'http_requests_total{namespace="ns",status="503"}', values: counter(0) }]);
  const failing = evaluate(metrics, [{ series: 'http_requests_total{namespace="ns",status="503"}', values: counter(10) }]);
  expect(measurementPhase(healthy.get('errors'), metrics[0].successCondition)).toBe(MeasurementPhase.SUCCESSFUL);
  expect(failing.get('errors')![0]).toBeGreaterThan(10);
  expect(measurementPhase(failing.get('errors'), metrics[0].successCondition)).toBe(MeasurementPhase.FAILED);
});

describe('a release that starts well: background analysis measures once the canary has traffic', () => {
  /** The canary's pods start serving at its first weight step, 10 minutes into the series. */
  const FIRST_WEIGHT_AT = 600;
  const SCRAPE = 30;

  /** Series of the canary start one scrape after the first weight step (the worst case); the stable's exist throughout. */
  function startingSeries(family: Family, scenario: 'healthy' | 'failing'): any[] {
    const stable = inputSeries(family, 'noSeries');
    const canary = inputSeries(family, scenario).slice(stable.length);
    const missing = FIRST_WEIGHT_AT / SCRAPE + 1;
    return [...stable, ...canary.map((s) => ({ ...s, values: `_x${missing} ${s.values.replace(/x40$/, `x${40 - missing}`)}` }))];
  }

  /** A rollout with seed 000's plan and the library's default background analysis. */
  function release(family: Family) {
    const chart = testChart('ns');
    const analysis = new PrometheusAnalysis(chart, 'analysis', { checks: CHECKS() });
    new CanaryRollout(chart, 'app', {
      metadata: { name: 'app' },
      containers: [{ image: 'app:2', portNumber: 8080 }],
      trafficSplit: ROUTERS[family](),
      steps: CanarySteps.progressive({ weights: [5, 20, 50, 80], pause: Duration.minutes(5) }),
      backgroundAnalysis: { templates: [analysis] },
    });
    const objects = synth(chart);
    return { canary: find(objects, 'Rollout').spec.strategy.canary, metrics: resolvedMetrics(objects) };
  }

  /** Each metric's phase at its first measurement: the first weight step plus its initialDelay. */
  function firstMeasurement(family: Family, scenario: 'healthy' | 'failing'): Record<string, string> {
    const { metrics } = release(family);
    const delays = new Set(metrics.map((m) => m.initialDelay));
    expect(delays.size).toBe(1);
    const delay = goSeconds([...delays][0]);
    const results = evaluate(metrics, startingSeries(family, scenario), `${FIRST_WEIGHT_AT + delay}s`);
    return Object.fromEntries(metrics.map((m) => [m.name, measurementPhase(results.get(m.name), m.successCondition, m.failureCondition)]));
  }

  test('the analysis starts at the step after the first weight step, first measuring one window plus one scrape later', () => {
    const { canary, metrics } = release('nginx');
    expect(canary.steps[canary.analysis.startingStep - 1]).toEqual({ setWeight: 5 });
    expect(canary.steps.slice(0, canary.analysis.startingStep - 1).some((s: any) => s.setWeight !== undefined)).toBe(false);
    for (const m of metrics) expect(m).toMatchObject({ initialDelay: '150s', interval: '1m', inconclusiveLimit: 2 });
  });

  test.each(['nginx', 'istio', 'application'] as Family[])('%s: a healthy canary passes its first measurement, a bad one fails it', (family) => {
    expect(firstMeasurement(family, 'healthy')).toEqual(all(MeasurementPhase.SUCCESSFUL));
    expect(firstMeasurement(family, 'failing')).toEqual(all(MeasurementPhase.FAILED));
  });

  test('measuring at the weight step itself (the controller\'s defaults) finds no canary data: the release would pause', () => {
    const { metrics } = release('nginx');
    const results = evaluate(metrics, startingSeries('nginx', 'healthy'), `${FIRST_WEIGHT_AT}s`);
    const request = metrics.filter((m) => ['success-rate', 'error-rate', 'latency-p99', 'canary-vs-stable-p95'].includes(m.name));
    for (const m of request) {
      expect(measurementPhase(results.get(m.name), m.successCondition, m.failureCondition)).toBe(MeasurementPhase.INCONCLUSIVE);
    }
  });
});

/** Seconds of a Go duration such as 150s or 2m30s. */
function goSeconds(duration: string): number {
  const units: Record<string, number> = { h: 3600, m: 60, s: 1 };
  return [...duration.matchAll(/(\d+)([hms])/g)].reduce((sum, [, n, unit]) => sum + Number(n) * units[unit], 0);
}

describe('the statuses counted as success are a typed option', () => {
  /** 90 % 200s and 10 % 404s from the canary pods, in the application's own metrics. */
  function successRate(successStatuses?: SuccessStatuses): MeasurementPhase {
    const chart = testChart('ns');
    const analysis = new PrometheusAnalysis(chart, 'analysis', { checks: [AnalysisCheck.successRate({ atLeast: 0.99, successStatuses })], count: 1 });
    new CanaryRollout(chart, 'app', { metadata: { name: 'app' }, containers: [{ image: 'app:2', portNumber: 8080 }], backgroundAnalysis: { templates: [analysis] } });
    const [metric] = resolvedMetrics(synth(chart));
    const labels = `namespace="ns",pod="${CANARY_POD}"`;
    const results = evaluate([metric], [
      { series: `http_requests_total{${labels},status="200"}`, values: counter(90) },
      { series: `http_requests_total{${labels},status="404"}`, values: counter(10) },
    ]);
    return measurementPhase(results.get(metric.name), metric.successCondition, metric.failureCondition);
  }

  test('non-5xx (the default, seed 003): client errors do not count against the canary', () => {
    expect(successRate()).toBe(MeasurementPhase.SUCCESSFUL);
    expect(successRate(SuccessStatuses.non5xx())).toBe(MeasurementPhase.SUCCESSFUL);
  });

  test('2xx only (seed 000): 10 % 404s fail a 99 % success rate', () => {
    expect(successRate(SuccessStatuses.only2xx())).toBe(MeasurementPhase.FAILED);
    expect(successRate(SuccessStatuses.matching('[24].*'))).toBe(MeasurementPhase.SUCCESSFUL);
  });
});
