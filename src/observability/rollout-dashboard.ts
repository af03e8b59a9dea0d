import { createHash } from 'crypto';
import { ApiObject, ApiObjectMetadata, Chart, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { eq, re, selector } from './promql';
import { RolloutSelection } from './rollout-selection';
import { PodMetrics } from '../analysis/pod-metrics';
import { PrometheusAnalysis } from '../analysis/prometheus-analysis';
import { escapeRegex, escapeString, promqlSyntaxError } from '../analysis/promql';
import { QueryTarget, TrafficRole } from '../analysis/query-target';
import { ApplicationRequestMetricsOptions, RequestMetrics } from '../analysis/request-metrics';
import { IRollout, RolloutBase } from '../rollout/rollout-base';
import { addRuleValidation, RuleViolation, throwViolation } from '../validation/rule-violation';
import type * as GrafanaSdk from '../vendor/grafana-sdk';
import { grafanaSdk } from '../vendor-load';

/** The size limit of a ConfigMap's data, in bytes (the API server's, from etcd's 1 MiB request limit). */
export const CONFIG_MAP_MAX_BYTES = 1024 * 1024;

/** Properties of a `RolloutDashboard`. */
export interface RolloutDashboardProps {
  /** The rollout the dashboard shows. */
  readonly rollout: IRollout;
  /**
   * Metadata of the ConfigMap (its namespace must be one the Grafana sidecar searches).
   * @default - a generated name, the chart's namespace
   */
  readonly metadata?: ApiObjectMetadata;
  /**
   * Dashboard title.
   * @default 'Rollout <namespace>/<name>'
   */
  readonly title?: string;
  /**
   * Dashboard uid (at most 40 letters, digits, `-` or `_`).
   * @default - derived from the namespace and rollout name
   */
  readonly uid?: string;
  /**
   * Dashboard tags.
   * @default ['argo-rollouts']
   */
  readonly tags?: string[];
  /**
   * Label the Grafana sidecar discovers dashboards by (`sidecar.dashboards.label`).
   * @default 'grafana_dashboard'
   */
  readonly sidecarLabel?: string;
  /**
   * Value of the sidecar label (`sidecar.dashboards.labelValue`).
   * @default '1'
   */
  readonly sidecarLabelValue?: string;
  /**
   * Grafana folder the sidecar puts the dashboard in.
   * @default - the sidecar's default folder
   */
  readonly folder?: string;
  /**
   * Annotation the sidecar reads the folder from (`sidecar.dashboards.folderAnnotation`).
   * @default 'grafana_folder'
   */
  readonly folderAnnotation?: string;
  /**
   * Rate window of every query; use the analysis checks' window so the dashboard shows what gates the release.
   * @default Duration.minutes(2)
   */
  readonly window?: Duration;
  /**
   * Latency percentile shown for canary and stable.
   * @default - the percentile of the first latency check the rollout runs (background analysis
   * first), so the panel shows what gates the release; 95 without one
   */
  readonly latencyPercentile?: number;
  /**
   * Where request metrics come from.
   * @default - the rollout's traffic router (nginx, Istio host-level), else the application's own metrics
   */
  readonly requestMetrics?: RequestMetrics;
  /**
   * The application's metric names, when the request metrics are the application's.
   * @default - `http_requests_total`, `http_request_duration_seconds`, label `status`
   */
  readonly applicationMetrics?: ApplicationRequestMetricsOptions;
}

/** What the timeseries and state-timeline panel builders have in common. */
interface PanelBuilder<P> {
  id(id: number): P;
  title(title: string): P;
  datasource(datasource: any): P;
  span(width: number): P;
  height(height: number): P;
  withTarget(target: GrafanaSdk.prometheus.DataqueryBuilder): P;
}

/** A panel query and its legend. */
interface Query {
  readonly expr: string;
  readonly legend: string;
}

const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };
const CANARY_HASH = '$canary_hash';
const STABLE_HASH = '$stable_hash';

/**
 * A Grafana dashboard for one rollout, built with the Grafana Foundation SDK, in a ConfigMap the
 * Grafana sidecar imports: rollout phase, canary weight, replicas and analysis results (controller
 * metrics); canary vs stable request rate, error ratio and latency, with the same queries as the
 * analysis checks for the rollout's traffic source; canary vs stable CPU, memory, readiness and
 * restarts. The canary and stable ReplicaSets are found from kube-state-metrics (`$canary_hash`,
 * `$stable_hash`: the newest and the oldest ReplicaSet of the rollout with replicas).
 */
export class RolloutDashboard extends Construct {
  /** The ConfigMap holding the dashboard JSON. */
  public readonly configMap: kplus.ConfigMap;
  /** The dashboard uid. */
  public readonly uid: string;
  /** The ConfigMap key of the dashboard JSON. */
  public readonly fileName: string;
  /** The queries of the dashboard JSON last read (the built one until a patch changes it). */
  private parsedQueries: { json: string; queries: string[] };

  constructor(scope: Construct, id: string, props: RolloutDashboardProps) {
    super(scope, id);
    const rollout = props.rollout;
    const namespace = rollout.metadata.namespace ?? Chart.of(rollout).namespace ?? 'default';
    const percentile = props.latencyPercentile ?? gatedLatencyPercentile(rollout) ?? 95;
    if (!(percentile > 0 && percentile < 100)) {
      throwViolation(this, { property: 'latencyPercentile', field: 'dashboard.panels[latency]', message: `percentile ${percentile} is not between 0 and 100`, allowed: 'a number strictly between 0 and 100, e.g. 95 or 99.9' });
    }
    this.uid = props.uid ?? defaultUid(namespace, rollout.name);
    if (!/^[a-zA-Z0-9_-]{1,40}$/.test(this.uid)) {
      throwViolation(this, { property: 'uid', field: 'dashboard.uid', message: `invalid dashboard uid "${this.uid}"`, allowed: '1 to 40 letters, digits, - or _' });
    }
    const sidecarLabel = props.sidecarLabel ?? 'grafana_dashboard';
    const folderAnnotation = props.folderAnnotation ?? 'grafana_folder';

    const requestMetrics = props.requestMetrics ?? RequestMetrics.forRollout(rollout, props.applicationMetrics);
    if (requestMetrics.router === 'nginx' && rollout.routerMetrics?.ingressName === undefined) {
      throwViolation(this, { property: 'requestMetrics', field: `data.${rollout.name}-rollout.json`, message: `nginx request metrics select the rollout's Ingress, and rollout "${rollout.name}" has no nginx traffic split`, allowed: 'the rollout\'s own request metrics (leave requestMetrics unset), or a rollout with an NginxTrafficSplit' });
    }
    const dashboard = buildDashboard({
      rollout,
      namespace,
      uid: this.uid,
      title: props.title ?? `Rollout ${namespace}/${rollout.name}`,
      tags: props.tags ?? ['argo-rollouts'],
      window: props.window ?? Duration.minutes(2),
      percentile,
      requestMetrics,
    });
    this.fileName = `${rollout.name}-rollout.json`;
    this.configMap = new kplus.ConfigMap(this, 'ConfigMap', {
      metadata: {
        namespace,
        ...props.metadata,
        labels: { [sidecarLabel]: props.sidecarLabelValue ?? '1', ...props.metadata?.labels },
        annotations: { ...(props.folder ? { [folderAnnotation]: props.folder } : {}), ...props.metadata?.annotations },
      },
      data: { [this.fileName]: JSON.stringify(dashboard, undefined, 1) },
    });
    this.parsedQueries = { json: this.configMap.data[this.fileName], queries: dashboardQueries(dashboard) };
    addRuleValidation(this, () => this.validate());
  }

  /** The dashboard JSON (Grafana schema), as in the synthesised ConfigMap (JSON patches included). */
  public get dashboard(): any {
    return JSON.parse(this.configMapData()[this.fileName]);
  }

  /** Every PromQL query of the dashboard (panel targets and variable queries), as in the ConfigMap. */
  public get queries(): string[] {
    const json = this.configMapData()[this.fileName];
    if (json !== this.parsedQueries.json) this.parsedQueries = { json, queries: dashboardQueries(JSON.parse(json)) };
    return [...this.parsedQueries.queries];
  }

  private validate(): RuleViolation[] {
    const violations: RuleViolation[] = [];
    // counted as the API server does: the bytes of the data values
    const bytes = Object.values(this.configMapData()).reduce((sum, value) => sum + Buffer.byteLength(value), 0);
    if (bytes > CONFIG_MAP_MAX_BYTES) {
      violations.push({ property: 'rollout', field: `data.${this.fileName}`, message: `the dashboard ConfigMap is ${bytes} bytes, over the 1 MiB ConfigMap limit`, allowed: 'less than 1048576 bytes' });
    }
    for (const query of this.queries) {
      const error = promqlSyntaxError(substituteGrafanaVariables(query));
      if (error) violations.push({ property: 'requestMetrics', field: `data.${this.fileName}`, message: `${error} in ${query}`, allowed: 'valid PromQL once Grafana variables are substituted' });
    }
    return violations;
  }

  private configMapData(): { [key: string]: string } {
    return ApiObject.of(this.configMap).toJson().data ?? {};
  }
}

/** The PromQL queries of a dashboard JSON: panel targets, then query variables. */
function dashboardQueries(dashboard: any): string[] {
  const targets = dashboard.panels.flatMap((p: any) => (p.targets ?? []).map((t: any) => t.expr));
  const variables = dashboard.templating.list.filter((v: any) => v.type === 'query').map((v: any) => v.query);
  return [...targets, ...variables];
}

/**
 * A query with Grafana's variables replaced by sample values, as Grafana sends it to Prometheus
 * (`query_result(...)` variable queries are unwrapped).
 */
export function substituteGrafanaVariables(query: string): string {
  return query
    .replace(/^query_result\((.*)\)$/s, '$1')
    .replace(/\$__(rate_interval|interval|range)\b/g, '5m')
    .replace(/\$\{?(\w+)\}?/g, 'sample');
}

interface DashboardInput {
  readonly rollout: IRollout;
  readonly namespace: string;
  readonly uid: string;
  readonly title: string;
  readonly tags: string[];
  readonly window: Duration;
  readonly percentile: number;
  readonly requestMetrics: RequestMetrics;
}

function buildDashboard(input: DashboardInput): any {
  const { dashboard: grafana, prometheus, statetimeline, timeseries } = grafanaSdk();
  const { rollout, namespace, window, requestMetrics } = input;
  const target = QueryTarget.of({
    namespace,
    rolloutName: rollout.name,
    canaryService: rollout.canaryService.name,
    stableService: rollout.stableService.name,
    ingressName: rollout.routerMetrics?.ingressName,
    canaryHash: CANARY_HASH,
    stableHash: STABLE_HASH,
  });
  const both = (query: (role: TrafficRole) => string): Query[] => [
    { expr: query(TrafficRole.CANARY), legend: 'canary' },
    { expr: query(TrafficRole.STABLE), legend: 'stable' },
  ];
  const selection = RolloutSelection.one(rollout);
  const rolloutSelector = (metric: string, extra: string[] = []) => `${metric}${selector([...selection._rolloutMatchers(), ...extra])}`;
  const canaryRate = requestMetrics.requestRate(TrafficRole.CANARY, target, window);
  const stableRate = requestMetrics.requestRate(TrafficRole.STABLE, target, window);
  const weight: Query[] = [
    { expr: `100 * max(${rolloutSelector('rollout_info_replicas_updated')}) / max(${rolloutSelector('rollout_info_replicas_desired')})`, legend: 'new-version replicas' },
    // Application metrics select canary and stable by ReplicaSet, the same one outside a release.
    ...(requestMetrics.router === 'application' ? [] : [{
      expr: `100 * ${canaryRate} / (${canaryRate} + ${stableRate})`,
      legend: 'canary requests',
    }]),
  ];

  let id = 0;
  const row = (title: string) => new grafana.RowBuilder(title).id(++id);
  const panel = <P extends PanelBuilder<P>>(builder: P, title: string, span: number, queries: Query[]): P => {
    let p = builder.id(++id).title(title).datasource(DATASOURCE).span(span).height(8);
    queries.forEach((q, i) => {
      const refId = String.fromCharCode(65 + i);
      p = p.withTarget(new prometheus.DataqueryBuilder().refId(refId).datasource(DATASOURCE).expr(q.expr).legendFormat(q.legend));
    });
    return p;
  };
  const series = (title: string, unit: string, span: number, queries: Query[]) =>
    panel(new timeseries.PanelBuilder().unit(unit), title, span, queries);
  const states = (title: string, span: number, queries: Query[]) =>
    panel(new statetimeline.PanelBuilder(), title, span, queries);

  const hashVariable = (name: string, pick: string, label: string) => {
    const replicaSets = `replicaset=~"${escapeString(`${escapeRegex(rollout.name)}-[a-z0-9]+`)}"`;
    const created = `max by (replicaset) (kube_replicaset_created{${eq('namespace', namespace)},${replicaSets}})`;
    const scaled = `(max by (replicaset) (kube_replicaset_spec_replicas{${eq('namespace', namespace)},${replicaSets}}) > 0)`;
    return new grafana.QueryVariableBuilder(name)
      .label(label)
      .datasource(DATASOURCE)
      .query(`query_result(${pick}(1, ${created} and on(replicaset) ${scaled}))`)
      .regex(`/replicaset="${escapeRegex(rollout.name)}-([a-z0-9]+)"/`)
      .refresh(grafana.VariableRefresh.OnTimeRangeChanged);
  };

  const runs = selection._analysisRunMatchers();
  const builder = new grafana.DashboardBuilder(input.title)
    .uid(input.uid)
    .tags(input.tags)
    .editable()
    .refresh('30s')
    .time({ from: 'now-6h', to: 'now' })
    .withVariable(new grafana.DatasourceVariableBuilder('datasource').label('Prometheus').type('prometheus'))
    .withVariable(hashVariable('canary_hash', 'topk', 'Canary ReplicaSet'))
    .withVariable(hashVariable('stable_hash', 'bottomk', 'Stable ReplicaSet'))
    .withRow(row('Release'))
    .withPanel(states('Rollout phase', 12, [{ expr: `max by (phase) (${rolloutSelector('rollout_info')})`, legend: '{{phase}}' }]))
    .withPanel(series('Canary weight (%)', 'percent', 12, weight))
    .withPanel(series('Replicas', 'short', 12, ['desired', 'updated', 'available', 'unavailable'].map((kind) =>
      ({ expr: `max(${rolloutSelector(`rollout_info_replicas_${kind}`)})`, legend: kind }))))
    .withPanel(states('Analysis results', 12, [{
      expr: `max by (name, metric, phase) (analysis_run_metric_phase${selector([...runs, re('phase', 'Successful|Failed|Error|Inconclusive'), eq('dry_run', 'false')])}) == 1`,
      legend: '{{metric}} ({{name}}): {{phase}}',
    }]))
    .withRow(row(`Requests (${requestMetrics.router})`))
    .withPanel(series('Request rate', 'reqps', 8, both((role) => requestMetrics.requestRate(role, target, window))))
    .withPanel(series('Error ratio', 'percentunit', 8, both((role) => requestMetrics.errorRatio(role, target, window))))
    .withPanel(series(`Latency p${input.percentile}`, 's', 8, both((role) => requestMetrics.latency(input.percentile, role, target, window))))
    .withRow(row('Pods'))
    .withPanel(series('CPU (of limit)', 'percentunit', 6, both((role) => PodMetrics.cpuLimitRatio(role, target, window))))
    .withPanel(series('Memory (fullest container, of limit)', 'percentunit', 6, both((role) => PodMetrics.memoryLimitRatio(role, target))))
    .withPanel(series('Ready pods', 'percentunit', 6, both((role) => PodMetrics.readyRatio(role, target))))
    .withPanel(series('Restarts', 'short', 6, both((role) => PodMetrics.restarts(role, target, window))));
  return builder.build();
}

/** `rollout-<namespace>-<name>`, or a hash of it when longer than Grafana's 40 characters. */
function defaultUid(namespace: string, name: string): string {
  const uid = `rollout-${namespace}-${name}`.replace(/[^a-zA-Z0-9_-]/g, '-');
  return uid.length <= 40 ? uid : `rollout-${createHash('sha256').update(`${namespace}/${name}`).digest('hex').slice(0, 32)}`;
}

/** The percentile of the first latency check among the PrometheusAnalysis templates the rollout runs. */
function gatedLatencyPercentile(rollout: IRollout): number | undefined {
  if (!(rollout instanceof RolloutBase)) return undefined;
  const checks = rollout.analysisTemplates.flatMap((t) => (t instanceof PrometheusAnalysis ? t.checks : []));
  return checks.find((c) => c.latencyPercentile !== undefined)?.latencyPercentile;
}
