import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { AnalysisCheck } from './analysis-check';
import { AnalysisTemplateBase, AnalysisTemplateBaseProps } from './analysis-template-base';
import { HttpHeader } from './http-header';
import { MetricOptions, renderMeasurement } from './metric-options';
import { QueryTarget } from './query-target';
import { ApplicationRequestMetricsOptions, RequestMetrics } from './request-metrics';
import type { IRollout } from '../rollout/rollout-base';
import { inlineCredential } from '../validation/credentials';
import { wholeSeconds } from '../validation/numbers';
import { RuleViolation, throwViolation } from '../validation/rule-violation';

/** OAuth2 client credentials for Prometheus; the client secret comes from a Secret. */
export interface PrometheusOAuth2 {
  /** Token endpoint. */
  readonly tokenUrl: string;
  /** Client id. */
  readonly clientId: string;
  /** Secret key with the client secret (in the AnalysisRun's namespace). */
  readonly clientSecret: kplus.SecretValue;
  /**
   * Scopes requested.
   * @default - none
   */
  readonly scopes?: string[];
}

/** Inconclusive measurements an indefinitely measuring check tolerates by default. */
const INDEFINITE_INCONCLUSIVE_LIMIT = 2;

/** Properties of a `PrometheusAnalysis`. */
export interface PrometheusAnalysisProps extends AnalysisTemplateBaseProps, MetricOptions {
  /** The checks, one metric each. */
  readonly checks: AnalysisCheck[];
  /**
   * Prometheus URL.
   * @default - the controller's `ARGO_ROLLOUTS_PROMETHEUS_ADDRESS`
   */
  readonly address?: string;
  /**
   * Query timeout (whole seconds).
   * @default - the controller's
   */
  readonly timeout?: Duration;
  /**
   * Skip TLS certificate verification of an https `address`.
   * @default false
   */
  readonly insecure?: boolean;
  /**
   * Headers sent with each query; credentials only with `HttpHeader.fromSecret`
   * (e.g. `Authorization: Bearer <token>`, or `Basic <base64 user:password>`).
   * @default - none
   */
  readonly headers?: HttpHeader[];
  /**
   * OAuth2 client-credentials authentication.
   * @default - none
   */
  readonly oauth2?: PrometheusOAuth2;
  /**
   * The request metrics the request checks query.
   * @default - those of the traffic router of the rollouts that use the template (nginx, Istio),
   * else the application's own metrics (`applicationMetrics`)
   */
  readonly requestMetrics?: RequestMetrics;
  /**
   * Metric and label names of the application's own HTTP metrics, when no router has request metrics.
   * @default - `http_requests_total`, `http_request_duration_seconds`, label `status`
   */
  readonly applicationMetrics?: ApplicationRequestMetricsOptions;
  /**
   * PromQL range of the checks' rates (at least 4 scrape intervals).
   * @default Duration.minutes(2)
   */
  readonly window?: Duration;
  /**
   * How often Prometheus scrapes the metrics the checks read. With the window it decides the
   * default `initialDelay`: a check first measures one window plus one scrape after its analysis
   * starts, once the canary's series cover a whole window.
   * @default Duration.seconds(30)
   */
  readonly scrapeInterval?: Duration;
}

/**
 * An AnalysisTemplate (or ClusterAnalysisTemplate) of Prometheus checks. Request checks query the
 * metrics of the traffic source of the rollouts that use it; pod checks select the canary pods by
 * pod-template hash. Every `{{args.x}}` it uses is declared and supplied by the rollout; each
 * check has an explicit no-data policy; every query must parse with the Prometheus grammar and
 * every condition must be in the supported subset (checked at synth time).
 */
export class PrometheusAnalysis extends AnalysisTemplateBase {
  private readonly props: PrometheusAnalysisProps;
  private readonly users = new Map<IRollout, RequestMetrics>();
  /** The spec rendered for each source of request metrics (props are fixed once constructed). */
  private readonly specs = new Map<RequestMetrics, any>();
  private readonly applicationMetrics: RequestMetrics;

  /** The checks, one metric each. */
  public readonly checks: AnalysisCheck[];

  constructor(scope: Construct, id: string, props: PrometheusAnalysisProps) {
    super(scope, id, props);
    this.props = props;
    this.checks = [...props.checks];
    this.applicationMetrics = RequestMetrics.application(props.applicationMetrics);
    if (props.address !== undefined && !/^https?:\/\/[^\s/]+/.test(props.address)) {
      throwViolation(this, { property: 'address', field: 'spec.metrics[].provider.prometheus.address', message: 'prometheus address is not is url format', allowed: 'an http(s) URL, e.g. http://prometheus.monitoring.svc.cluster.local:9090' });
    }
    const credential = props.address === undefined ? undefined : inlineCredential(props.address);
    if (credential) {
      throwViolation(this, { property: 'address', field: 'spec.metrics[].provider.prometheus.address', message: `the address holds ${credential}; secrets are never written into manifests`, allowed: 'an address without credentials, with headers: [HttpHeader.fromSecret(\'Authorization\', ...)] or authentication (OAuth2 with a client secret from a Secret)' });
    }
    if (props.timeout !== undefined && props.timeout.toMilliseconds({ integral: false }) % 1000 !== 0) {
      throwViolation(this, { property: 'timeout', field: 'spec.metrics[].provider.prometheus.timeout', message: `timeout ${props.timeout.toHumanString()} is not whole seconds`, allowed: 'a whole number of seconds' });
    }
    (props.headers ?? []).forEach((header, i) => {
      const problem = header._problem();
      if (problem) throwViolation(this, { property: `headers[${i}]`, field: 'spec.metrics[].provider.prometheus.headers', message: problem, allowed: 'HttpHeader.fromSecret(name, { secret, key }) for credentials' });
    });
    props.checks.forEach((check, i) => {
      const [problem] = check._problems(`checks[${i}]`);
      if (problem) throwViolation(this, problem);
    });
    props.checks.forEach((check, i) => renderMeasurement(this, `checks[${i}]`, check._measurement, props));
  }

  /** @internal */
  public _addUser(rollout: IRollout): void {
    this.register(rollout);
  }

  /** @internal */
  public _checkUse(rollout: IRollout, field: string): RuleViolation[] {
    if (this.props.requestMetrics) return [];
    const mine = this.register(rollout).router;
    // the template renders for its first user: the others must share its router
    const other = [...this.users][0];
    if (other[0] === rollout || other[1].router === mine) return [];
    return [{
      property: field.endsWith('.analysis') ? 'backgroundAnalysis' : field,
      field: `${field}.templates`,
      message: `PrometheusAnalysis "${this.templateName}" follows the traffic source of its rollouts, and rollout "${other[0].name}" uses ${other[1].router} request metrics while "${rollout.name}" uses ${mine}`,
      allowed: 'rollouts with the same traffic router, or one PrometheusAnalysis per router, or an explicit requestMetrics',
    }];
  }

  protected renderSpec(): any {
    return this.render(this.props.requestMetrics ?? [...this.users.values()][0] ?? this.applicationMetrics);
  }

  protected metricProperty(index: number): string {
    return `checks[${index}]`;
  }

  private register(rollout: IRollout): RequestMetrics {
    if (!this.users.has(rollout)) this.users.set(rollout, RequestMetrics.forRollout(rollout, this.props.applicationMetrics));
    return this.props.requestMetrics ?? this.users.get(rollout)!;
  }

  private render(requestMetrics: RequestMetrics): any {
    if (!this.specs.has(requestMetrics)) this.specs.set(requestMetrics, this.renderFor(requestMetrics));
    return this.specs.get(requestMetrics);
  }

  private renderFor(requestMetrics: RequestMetrics): any {
    const p = this.props;
    const context = { requestMetrics, target: QueryTarget.analysisArgs(), window: p.window ?? Duration.minutes(2) };
    const headers = (p.headers ?? []).map((h) => h._render('prometheus-header'));
    const secretArgs: any[] = headers.flatMap((h) => h.arg ?? []);
    let authentication: any;
    if (p.oauth2) {
      const name = 'prometheus-oauth2-client-secret';
      secretArgs.push({ name, valueFrom: { secretKeyRef: { name: p.oauth2.clientSecret.secret.name, key: p.oauth2.clientSecret.key } } });
      authentication = { oauth2: { tokenUrl: p.oauth2.tokenUrl, clientId: p.oauth2.clientId, clientSecret: `{{args.${name}}}`, scopes: p.oauth2.scopes } };
    }
    const scrape = p.scrapeInterval ?? Duration.seconds(30);
    const metrics = p.checks.map((check, i) => {
      const rendered = check._render(context);
      const window = check._window ?? context.window;
      const defaults: MetricOptions = {
        ...p,
        interval: p.interval ?? Duration.minutes(1),
        initialDelay: p.initialDelay ?? Duration.millis(window.toMilliseconds() + scrape.toMilliseconds()),
        // A metric that measures until the rollout ends tolerates a few quiet windows (no requests
        // to the canary) before pausing for a human; one with a count concludes on its own data.
        inconclusiveLimit: p.inconclusiveLimit ?? ((check._measurement.count ?? p.count) === undefined ? INDEFINITE_INCONCLUSIVE_LIMIT : undefined),
      };
      return {
        name: rendered.name,
        ...renderMeasurement(this, `checks[${i}]`, check._measurement, defaults),
        successCondition: rendered.successCondition,
        failureCondition: rendered.failureCondition,
        provider: {
          prometheus: {
            address: p.address,
            query: rendered.query,
            timeout: wholeSeconds(this, 'timeout', 'spec.metrics.provider.prometheus.timeout', p.timeout),
            insecure: p.insecure,
            headers: headers.length > 0 ? headers.map((h) => h.header) : undefined,
            authentication,
          },
        },
      };
    });
    return this.assembleSpec(metrics, secretArgs, p.checks.filter((c) => c._measurement.dryRun ?? p.dryRun).map((c) => c.name));
  }
}
