import { Duration } from 'cdk8s';
import { escapeString, isLabelName, isMetricName, promqlDuration } from './promql';
import { QueryTarget, TrafficRole } from './query-target';
import type { IRollout } from '../rollout/rollout-base';

/** Options of `RequestMetrics.nginx`. */
export interface NginxRequestMetricsOptions {
  /**
   * The label with the Ingress's namespace. Prometheus moves the metric's own `namespace` label to
   * `exported_namespace` when the scrape target has one (a ServiceMonitor without `honorLabels`).
   * @default 'exported_namespace'
   */
  readonly namespaceLabel?: string;
}

/** Options of `RequestMetrics.istio`. */
export interface IstioRequestMetricsOptions {
  /**
   * Which proxy reports: `destination` (server side, sees every caller) or `source`. Never both (double count).
   * @default 'destination'
   */
  readonly reporter?: string;
}

/** Unit of a latency histogram. */
export enum LatencyUnit {
  SECONDS = 'seconds',
  MILLISECONDS = 'milliseconds',
}

/** Options of `RequestMetrics.application`: the application's own HTTP metrics. */
export interface ApplicationRequestMetricsOptions {
  /**
   * Request counter.
   * @default 'http_requests_total'
   */
  readonly requestsMetric?: string;
  /**
   * Latency histogram, without `_bucket`.
   * @default 'http_request_duration_seconds'
   */
  readonly latencyHistogram?: string;
  /**
   * Unit of the latency histogram.
   * @default LatencyUnit.SECONDS
   */
  readonly latencyUnit?: LatencyUnit;
  /**
   * Label with the HTTP status code (`code` for promhttp, `status_code` for express-prom-bundle).
   * @default 'status'
   */
  readonly statusLabel?: string;
  /**
   * Status values that count as errors (a regular expression; `5.*` also matches `5xx` classes).
   * @default '5.*'
   */
  readonly errorStatusRegex?: string;
  /**
   * Label with the pod's namespace.
   * @default 'namespace'
   */
  readonly namespaceLabel?: string;
  /**
   * Label with the pod name; pods are selected as `<rollout>-<hash>-<suffix>`.
   * @default 'pod'
   */
  readonly podLabel?: string;
  /**
   * Select pods by this label instead of by name, when the scrape copies the pod's
   * `rollouts-pod-template-hash` label (ServiceMonitor `podTargetLabels`: `rollouts_pod_template_hash`).
   * @default - by pod name
   */
  readonly podTemplateHashLabel?: string;
}

interface Family {
  readonly router: string;
  readonly counter: string;
  readonly histogram: string;
  readonly divisor: number;
  readonly statusLabel: string;
  readonly errorRegex: string;
  readonly selector: (role: TrafficRole, target: QueryTarget) => string;
}

/**
 * The request metrics of one traffic source (ingress-nginx, Istio, or the application's own HTTP
 * metrics) as PromQL, per role (canary or stable). Analysis checks and dashboards use the same
 * queries, so what gates a release is what the dashboard shows.
 *
 * Ratios are fractions (0-1); latencies are in seconds whatever the histogram's unit. A ratio over
 * a window without requests is NaN, and without series is empty: the "no data" that checks handle.
 */
export class RequestMetrics {
  /**
   * ingress-nginx controller metrics. The canary is `ingress=<stable ingress>, canary!=""` and the
   * stable `canary=""` (canary requests carry the stable Ingress's name); `status!~"5.*"` works with
   * and without `--report-status-classes`.
   */
  public static nginx(options: NginxRequestMetricsOptions = {}): RequestMetrics {
    const namespaceLabel = checkedLabel('namespaceLabel', options.namespaceLabel ?? 'exported_namespace');
    return new RequestMetrics({
      router: 'nginx',
      counter: 'nginx_ingress_controller_requests',
      histogram: 'nginx_ingress_controller_request_duration_seconds',
      divisor: 1,
      statusLabel: 'status',
      errorRegex: '5.*',
      selector: (role, target) => `${namespaceLabel}="${target._exact('namespace')}",ingress="${target._exact('ingressName')}",canary${role === TrafficRole.CANARY ? '!=' : '='}""`,
    });
  }

  /** Istio standard metrics, by destination Service (host-level split); latency histogram in ms. */
  public static istio(options: IstioRequestMetricsOptions = {}): RequestMetrics {
    const reporter = options.reporter ?? 'destination';
    if (reporter !== 'destination' && reporter !== 'source') {
      throw new Error(`RequestMetrics.istio: reporter "${reporter}" is not one of destination, source`);
    }
    return new RequestMetrics({
      router: 'istio',
      counter: 'istio_requests_total',
      histogram: 'istio_request_duration_milliseconds',
      divisor: 1000,
      statusLabel: 'response_code',
      errorRegex: '5.*',
      selector: (role, target) => `reporter="${reporter}",destination_service_namespace="${target._exact('namespace')}",destination_service_name="${target._exact(role === TrafficRole.CANARY ? 'canaryService' : 'stableService')}"`,
    });
  }

  /** The application's own HTTP metrics, selected by the pods of the canary or stable ReplicaSet. */
  public static application(options: ApplicationRequestMetricsOptions = {}): RequestMetrics {
    const counter = checkedMetric('requestsMetric', options.requestsMetric ?? 'http_requests_total');
    const histogram = checkedMetric('latencyHistogram', options.latencyHistogram ?? 'http_request_duration_seconds');
    const statusLabel = checkedLabel('statusLabel', options.statusLabel ?? 'status');
    const namespaceLabel = checkedLabel('namespaceLabel', options.namespaceLabel ?? 'namespace');
    const podLabel = checkedLabel('podLabel', options.podLabel ?? 'pod');
    const hashLabel = options.podTemplateHashLabel === undefined ? undefined : checkedLabel('podTemplateHashLabel', options.podTemplateHashLabel);
    return new RequestMetrics({
      router: 'application',
      counter,
      histogram,
      divisor: options.latencyUnit === LatencyUnit.MILLISECONDS ? 1000 : 1,
      statusLabel,
      errorRegex: escapeString(options.errorStatusRegex ?? '5.*'),
      selector: (role, target) => {
        const hash = role === TrafficRole.CANARY ? 'canaryHash' : 'stableHash';
        const pods = hashLabel
          ? `${hashLabel}=~"${target._regex(hash)}"`
          : `${podLabel}=~"${target._regex('rolloutName')}-${target._regex(hash)}-[a-z0-9]+"`;
        return `${namespaceLabel}="${target._exact('namespace')}",${pods}`;
      },
    });
  }

  /**
   * The request metrics of a rollout's traffic router: nginx or Istio (host-level split), else the
   * application's own metrics (no router, Gateway API, or an Istio subset-level split, whose
   * Service labels are the same for canary and stable).
   */
  public static forRollout(rollout: IRollout, application: ApplicationRequestMetricsOptions = {}): RequestMetrics {
    const metrics = rollout.routerMetrics;
    if (metrics?.router === 'nginx') return RequestMetrics.nginx();
    if (metrics?.router === 'istio' && metrics.canarySubset === undefined) return RequestMetrics.istio();
    return RequestMetrics.application(application);
  }

  private constructor(private readonly family: Family) {}

  /** The traffic source: `nginx`, `istio` or `application`. */
  public get router(): string {
    return this.family.router;
  }

  /** The label matchers (without braces) that select the role's requests. */
  public selector(role: TrafficRole, target: QueryTarget): string {
    return this.family.selector(role, target);
  }

  /** Requests per second. */
  public requestRate(role: TrafficRole, target: QueryTarget, window: Duration): string {
    return `sum(rate(${this.family.counter}{${this.selector(role, target)}}[${promqlDuration(window)}]))`;
  }

  /** Fraction of requests answered with a success status (by default any status but the error ones, 5xx). */
  public successRatio(role: TrafficRole, target: QueryTarget, window: Duration, statuses?: SuccessStatuses): string {
    return statuses?._regex ? this.ratio(role, target, window, '=~', statuses._regex) : this.ratio(role, target, window, '!~');
  }

  /** Fraction of requests answered with an error status (by default 5xx; else every status but the success ones). */
  public errorRatio(role: TrafficRole, target: QueryTarget, window: Duration, statuses?: SuccessStatuses): string {
    return statuses?._regex ? this.ratio(role, target, window, '!~', statuses._regex) : this.ratio(role, target, window, '=~');
  }

  /** The latency percentile (e.g. 99), in seconds. */
  public latency(percentile: number, role: TrafficRole, target: QueryTarget, window: Duration): string {
    if (!(percentile > 0 && percentile < 100)) throw new Error(`RequestMetrics.latency: percentile ${percentile} is not between 0 and 100 (exclusive)`);
    const quantile = `histogram_quantile(${percentile / 100}, sum by (le) (rate(${this.family.histogram}_bucket{${this.selector(role, target)}}[${promqlDuration(window)}])))`;
    return this.family.divisor === 1 ? quantile : `${quantile} / ${this.family.divisor}`;
  }

  /**
   * A ratio over all requests. The numerator falls back to 0 when no request had (or lacked) an
   * error status, so a canary answering only errors, or none, is 0, not "no data"; the ratio is
   * still empty without any series and NaN without any request.
   */
  private ratio(role: TrafficRole, target: QueryTarget, window: Duration, op: string, regex?: string): string {
    const f = this.family;
    const selector = this.selector(role, target);
    const range = promqlDuration(window);
    return `(sum(rate(${f.counter}{${selector},${f.statusLabel}${op}"${regex ?? f.errorRegex}"}[${range}])) or vector(0)) / sum(rate(${f.counter}{${selector}}[${range}]))`;
  }
}

/** Which HTTP statuses count as success for success-rate and error-rate checks. */
export class SuccessStatuses {
  /** Every status but 5xx (the traffic source's error statuses): a 404 is the client's error, not the canary's. */
  public static non5xx(): SuccessStatuses {
    return new SuccessStatuses(undefined);
  }

  /** 2xx only: redirects and client errors count against the canary too. */
  public static only2xx(): SuccessStatuses {
    return new SuccessStatuses('2.*');
  }

  /** Statuses matching a regular expression (RE2, whole value), e.g. `[23].*`. */
  public static matching(regex: string): SuccessStatuses {
    return new SuccessStatuses(escapeString(regex));
  }

  private constructor(
    /** The regular expression of success statuses, or undefined for "not an error status". @internal */
    public readonly _regex: string | undefined,
  ) {}
}

function checkedMetric(property: string, name: string): string {
  if (!isMetricName(name)) throw new Error(`RequestMetrics: ${property} "${name}" is not a Prometheus metric name (allowed: [a-zA-Z_:][a-zA-Z0-9_:]*)`);
  return name;
}

function checkedLabel(property: string, name: string): string {
  if (!isLabelName(name)) throw new Error(`RequestMetrics: ${property} "${name}" is not a Prometheus label name (allowed: [a-zA-Z_][a-zA-Z0-9_]*, not starting with __)`);
  return name;
}
