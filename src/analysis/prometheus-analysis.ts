import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { AnalysisCheck } from './analysis-check';
import { AnalysisTemplateBase, AnalysisTemplateBaseProps } from './analysis-template-base';
import { conditionError, ResultType } from './condition';
import { HttpHeader } from './http-header';
import { MetricOptions, renderMeasurement } from './metric-options';
import { promqlSyntaxError } from './promql';
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

  constructor(scope: Construct, id: string, props: PrometheusAnalysisProps) {
    super(scope, id, props);
    this.props = props;
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
  public _checkUse(rollout: IRollout, field: string): RuleViolation[] {
    if (this.props.requestMetrics) return [];
    const mine = this.register(rollout).router;
    const other = [...this.users].find(([r, m]) => r !== rollout && m.router !== mine);
    if (!other) return [];
    return [{
      property: field.endsWith('.analysis') ? 'backgroundAnalysis' : field,
      field: `${field}.templates`,
      message: `PrometheusAnalysis "${this.templateName}" follows the traffic source of its rollouts, and rollout "${other[0].name}" uses ${other[1].router} request metrics while "${rollout.name}" uses ${mine}`,
      allowed: 'rollouts with the same traffic router, or one PrometheusAnalysis per router, or an explicit requestMetrics',
    }];
  }

  protected argumentsNeededBy(rollout: IRollout): string[] {
    return (this.render(this.register(rollout)).args ?? []).filter((a: any) => a.valueFrom === undefined).map((a: any) => a.name);
  }

  protected renderSpec(): any {
    return this.render(this.props.requestMetrics ?? [...this.users.values()][0] ?? this.applicationMetrics);
  }

  protected validateSpec(spec: any): RuleViolation[] {
    return (spec.metrics ?? []).flatMap((metric: any, i: number) => {
      const problems: RuleViolation[] = [];
      const add = (field: string, message: string, allowed: string) =>
        problems.push({ property: `checks[${i}]`, field: `spec.metrics[${i}].${field}`, message: `check "${metric.name}": ${message}`, allowed });
      const query = metric.provider?.prometheus?.query;
      if (query !== undefined) {
        const error = promqlSyntaxError(query);
        if (error) add('provider.prometheus.query', `PromQL ${error}`, 'a query the Prometheus grammar accepts');
      }
      for (const field of ['successCondition', 'failureCondition']) {
        if (metric[field] === undefined) continue;
        const error = conditionError(metric[field], ResultType.VECTOR);
        if (error) add(field, `condition ${error}`, 'result[i], len(result), isNaN(), numbers, comparisons, &&, ||, ! (a vector result needs result[0])');
      }
      return problems;
    });
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
    const defaults: MetricOptions = { ...p, interval: p.interval ?? Duration.minutes(1) };
    const metrics = p.checks.map((check, i) => {
      const rendered = check._render(context);
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
            headers: headers.length > 0 ? headers.map((h) => h.header) : undefined,
            authentication,
          },
        },
      };
    });
    return this.assembleSpec(metrics, secretArgs, p.checks.filter((c) => c._measurement.dryRun ?? p.dryRun).map((c) => c.name));
  }
}
