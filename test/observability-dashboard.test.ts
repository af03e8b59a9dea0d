import { ApiObject, Duration, JsonPatch, Testing } from 'cdk8s';
import { AnalysisCheck, CanaryRollout, PrometheusAnalysis, IRollout, ITrafficSplit, RolloutDashboard, RolloutDashboardProps, substituteGrafanaVariables, TrafficSplitBinding } from '../src';
import { constructionError, find, schemas, synth, testChart, validationErrors } from './support/synth';
import { promqlSyntaxError } from '../src/analysis/promql';

const NS = 'blog';

/** A traffic split that reports the request metrics of a router (nginx with Ingress `backend`, or Istio). */
class RouterSplit implements ITrafficSplit {
  constructor(private readonly router: string) {}
  public bind(): TrafficSplitBinding {
    const trafficRouting = this.router === 'nginx' ? { nginx: { stableIngress: 'backend' } } : { istio: { virtualService: { name: 'backend' } } };
    return { trafficRouting, metrics: { router: this.router, ingressName: this.router === 'nginx' ? 'backend' : undefined } };
  }

  public routeToService(): void {
    throw new Error('a rollout-only test double');
  }

}

function rollout(chart = testChart(NS), router?: string): IRollout {
  return new CanaryRollout(chart, 'backend', {
    metadata: { name: 'backend' },
    containers: [{ image: 'blog/backend:2.0.0', portNumber: 8000 }],
    trafficSplit: router ? new RouterSplit(router) : undefined,
  });
}

function dashboard(props: Partial<RolloutDashboardProps> = {}, router?: string): { configMap: any; json: any; construct: RolloutDashboard } {
  const chart = testChart(NS);
  const construct = new RolloutDashboard(chart, 'dashboard', { rollout: rollout(chart, router), ...props });
  const objects = synth(chart);
  for (const o of objects) expect(schemas.errors(o)).toEqual([]);
  const configMap = find(objects, 'ConfigMap');
  return { configMap, json: JSON.parse(configMap.data['backend-rollout.json']), construct };
}

const panels = (json: any) => json.panels.filter((p: any) => p.type !== 'row');
const panel = (json: any, title: string) => json.panels.find((p: any) => p.title === title);
const exprs = (p: any) => p.targets.map((t: any) => t.expr);

describe('dashboard JSON', () => {
  test('every panel query and variable query parses as PromQL once Grafana variables are substituted', () => {
    for (const router of [undefined, 'nginx', 'istio']) {
      const { json, construct } = dashboard({}, router);
      const queries = construct.queries;
      expect(queries.length).toBeGreaterThan(20);
      // the queries are those of the JSON in the ConfigMap
      expect(queries).toEqual([
        ...json.panels.flatMap((p: any) => (p.targets ?? []).map((t: any) => t.expr)),
        ...json.templating.list.filter((v: any) => v.type === 'query').map((v: any) => v.query),
      ]);
      for (const query of queries) {
        const substituted = substituteGrafanaVariables(query);
        expect(substituted).not.toMatch(/\$/);
        expect({ query, error: promqlSyntaxError(substituted) }).toEqual({ query, error: undefined });
      }
      // every panel has a query, every target a unique refId and the datasource variable
      for (const p of panels(json)) {
        expect(p.targets.length).toBeGreaterThan(0);
        expect(new Set(p.targets.map((t: any) => t.refId)).size).toBe(p.targets.length);
        for (const t of p.targets) expect(t.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
      }
    }
  });

  test('substitution catches what Grafana would send broken', () => {
    expect(promqlSyntaxError(substituteGrafanaVariables('sum(rate(x{pod=~"a-$canary_hash"}[$__rate_interval]))'))).toBeUndefined();
    expect(promqlSyntaxError(substituteGrafanaVariables('sum(rate(x[$__rate_interval])'))).toBeDefined();
    expect(substituteGrafanaVariables('query_result(topk(1, x))')).toBe('topk(1, x)');
  });

  test('panels: release, requests canary vs stable, pods; unique ids; layout in the 24-column grid', () => {
    const { json } = dashboard({}, 'nginx');
    expect(json.panels.map((p: any) => p.title)).toEqual([
      'Release', 'Rollout phase', 'Canary weight (%)', 'Replicas', 'Analysis results',
      'Requests (nginx)', 'Request rate', 'Error ratio', 'Latency p95',
      'Pods', 'CPU (of limit)', 'Memory (fullest container, of limit)', 'Ready pods', 'Restarts',
    ]);
    const ids = json.panels.map((p: any) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of json.panels) expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
    expect(json.uid).toBe('rollout-blog-backend');
    expect(json.title).toBe('Rollout blog/backend');
    expect(json.templating.list.map((v: any) => v.name)).toEqual(['datasource', 'canary_hash', 'stable_hash']);
  });

  test('nginx: canary and stable request queries are the analysis checks\' (canary!="" vs canary="")', () => {
    const { json } = dashboard({ window: Duration.minutes(5) }, 'nginx');
    const [canary, stable] = exprs(panel(json, 'Request rate'));
    expect(canary).toContain('ingress="backend",canary!=""');
    expect(stable).toContain('ingress="backend",canary=""');
    expect(canary).toContain('[5m]');
    expect(panel(json, 'Request rate').targets.map((t: any) => t.legendFormat)).toEqual(['canary', 'stable']);
    // the observed traffic weight is only shown where canary and stable requests are told apart
    expect(exprs(panel(json, 'Canary weight (%)'))).toHaveLength(2);
    expect(exprs(panel(json, 'Latency p95'))[0]).toContain('nginx_ingress_controller_request_duration_seconds_bucket');
  });

  test('istio: by destination Service, latency converted from milliseconds', () => {
    const { json } = dashboard({ latencyPercentile: 99 }, 'istio');
    expect(exprs(panel(json, 'Request rate'))[0]).toContain('destination_service_name="backend-canary"');
    expect(exprs(panel(json, 'Request rate'))[1]).toContain('destination_service_name="backend-stable"');
    expect(exprs(panel(json, 'Latency p99'))[0]).toMatch(/^histogram_quantile\(0\.99, .*istio_request_duration_milliseconds_bucket.* \/ 1000$/);
  });

  test('no router: application metrics per ReplicaSet via the $canary_hash / $stable_hash variables', () => {
    const { json } = dashboard({ applicationMetrics: { requestsMetric: 'http_server_requests_seconds_count' } });
    const [canary, stable] = exprs(panel(json, 'Request rate'));
    expect(canary).toContain('http_server_requests_seconds_count{');
    expect(canary).toContain('backend-$canary_hash-');
    expect(stable).toContain('backend-$stable_hash-');
    expect(json.panels.find((p: any) => p.title?.startsWith('Requests ('))?.title).toBe('Requests (application)');
    expect(exprs(panel(json, 'Canary weight (%)'))).toEqual([
      '100 * max(rollout_info_replicas_updated{namespace="blog",name="backend"}) / max(rollout_info_replicas_desired{namespace="blog",name="backend"})',
    ]);
    const canaryHash = json.templating.list.find((v: any) => v.name === 'canary_hash');
    expect(canaryHash.query).toMatch(/^query_result\(topk\(1, max by \(replicaset\) \(kube_replicaset_created\{namespace="blog",replicaset=~"backend-\[a-z0-9\]\+"\}\) and on\(replicaset\)/);
    expect(canaryHash.regex).toBe('/replicaset="backend-([a-z0-9]+)"/');
    expect(json.templating.list.find((v: any) => v.name === 'stable_hash').query).toContain('bottomk(1,');
    expect(exprs(panel(json, 'CPU (of limit)'))[0]).toContain('owner_name=~"backend-$canary_hash"');
  });

  test('controller panels select the rollout', () => {
    const { json } = dashboard();
    expect(exprs(panel(json, 'Rollout phase'))).toEqual(['max by (phase) (rollout_info{namespace="blog",name="backend"})']);
    expect(exprs(panel(json, 'Analysis results'))[0]).toContain('name=~"(backend)-[a-z0-9]+-[0-9]+');
  });
});

describe('ConfigMap', () => {
  test('sidecar label, folder annotation, namespace; both configurable', () => {
    const { configMap } = dashboard();
    expect(configMap.metadata.labels).toEqual({ grafana_dashboard: '1' });
    expect(configMap.metadata.annotations).toBeUndefined();
    expect(configMap.metadata.namespace).toBe(NS);
    const custom = dashboard({ sidecarLabel: 'dashboards', sidecarLabelValue: 'blog', folder: 'Releases', folderAnnotation: 'k8s-sidecar-target-directory', metadata: { namespace: 'monitoring' } }).configMap;
    expect(custom.metadata.labels).toEqual({ dashboards: 'blog' });
    expect(custom.metadata.annotations).toEqual({ 'k8s-sidecar-target-directory': 'Releases' });
    expect(custom.metadata.namespace).toBe('monitoring');
  });

  test('stays far below the 1 MiB ConfigMap limit', () => {
    const { configMap } = dashboard({}, 'nginx');
    const bytes = Buffer.byteLength(JSON.stringify(configMap.data));
    expect(bytes).toBeLessThan(1024 * 1024);
    expect(bytes).toBeLessThan(64 * 1024);
  });

  test('deterministic', () => {
    expect(dashboard({}, 'nginx').configMap).toEqual(dashboard({}, 'nginx').configMap);
    expect(JSON.stringify(dashboard().configMap)).toBe(JSON.stringify(dashboard().configMap));
  });

  test('a long rollout name gets a hashed uid within Grafana\'s 40 characters', () => {
    const chart = testChart('a-rather-long-namespace-name');
    const r = new CanaryRollout(chart, 'r', { metadata: { name: 'a-rather-long-rollout-name' }, containers: [{ image: 'x', portNumber: 80 }] });
    const d = new RolloutDashboard(chart, 'd', { rollout: r });
    expect(d.uid).toMatch(/^rollout-[0-9a-f]{32}$/);
    expect(d.uid).toBe(new RolloutDashboard(testChart('a-rather-long-namespace-name'), 'd', {
      rollout: new CanaryRollout(Testing.chart(), 'r', { metadata: { name: 'a-rather-long-rollout-name', namespace: 'a-rather-long-namespace-name' }, containers: [{ image: 'x', portNumber: 80 }] }),
    }).uid);
  });
});

describe('errors', () => {
  test.each([0, 100, -5])('latency percentile %p is refused', (p) => {
    const chart = testChart(NS);
    expect(constructionError(() => new RolloutDashboard(chart, 'dashboard', { rollout: rollout(chart), latencyPercentile: p })))
      .toContain(`[test/dashboard] latencyPercentile: dashboard.panels[latency]: percentile ${p} is not between 0 and 100`);
  });

  test('an invalid uid is refused', () => {
    const chart = testChart(NS);
    expect(constructionError(() => new RolloutDashboard(chart, 'dashboard', { rollout: rollout(chart), uid: 'has spaces' })))
      .toContain('uid: dashboard.uid: invalid dashboard uid "has spaces" (allowed: 1 to 40 letters, digits, - or _)');
  });

  test('a ConfigMap over 1 MiB fails synth', () => {
    const chart = testChart(NS);
    const d = new RolloutDashboard(chart, 'dashboard', { rollout: rollout(chart) });
    const dashboardBytes = Buffer.byteLength(d.configMap.data[d.fileName]);
    // the API server's count: the data values' bytes, at most 1048576
    d.configMap.addData('padding.txt', 'x'.repeat(1024 * 1024 - dashboardBytes));
    expect(validationErrors(chart.node.root as any)).toEqual([]);
    d.configMap.addData('one-more.txt', 'x');
    expect(validationErrors(chart.node.root as any)).toEqual([expect.stringMatching(/data\.backend-rollout\.json: the dashboard ConfigMap is 1048577 bytes, over the 1 MiB ConfigMap limit/)]);
  });

  test('a query that does not parse fails synth', () => {
    const chart = testChart(NS);
    const d = new RolloutDashboard(chart, 'dashboard', { rollout: rollout(chart) });
    const json = d.dashboard;
    json.panels.find((p: any) => p.title === 'Replicas').targets[0].expr = 'max(rollout_info_replicas_desired';
    ApiObject.of(d.configMap).addJsonPatch(JsonPatch.replace(`/data/${d.fileName}`, JSON.stringify(json)));
    expect(d.queries).toContain('max(rollout_info_replicas_desired');
    expect(validationErrors(chart.node.root as any)).toEqual([
      expect.stringMatching(/requestMetrics: data\.backend-rollout\.json: syntax error at character \d+: .* in max\(rollout_info_replicas_desired \(allowed: valid PromQL once Grafana variables are substituted\)/),
    ]);
  });
});

describe('the latency panel follows the analysis', () => {
  function gated(percentile: number | undefined) {
    const chart = testChart(NS);
    const analysis = new PrometheusAnalysis(chart, 'analysis', { checks: [AnalysisCheck.successRate({ atLeast: 0.99 }), AnalysisCheck.latency({ percentile: 99, below: Duration.millis(500) })] });
    const r = new CanaryRollout(chart, 'api', { metadata: { name: 'api' }, containers: [{ image: 'api:1', portNumber: 8080 }], backgroundAnalysis: { templates: [analysis] } });
    new RolloutDashboard(chart, 'dashboard', { rollout: r, latencyPercentile: percentile });
    const configMap = find(synth(chart), 'ConfigMap');
    return JSON.parse(Object.values(configMap.data)[0] as string);
  }

  test('seed 000 gates p99: the panel shows p99 without being told', () => {
    expect(panel(gated(undefined), 'Latency p99')).toBeDefined();
  });

  test('an explicit latencyPercentile wins', () => {
    expect(panel(gated(95), 'Latency p95')).toBeDefined();
    expect(panel(gated(95), 'Latency p99')).toBeUndefined();
  });
});
