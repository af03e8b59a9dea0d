import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { AnalysisArgument } from './analysis-argument';
import { AnalysisTemplateBase, AnalysisTemplateBaseProps } from './analysis-template-base';
import { HttpHeader } from './http-header';
import { MetricOptions, renderMeasurement } from './metric-options';
import { TARGET_ARGS } from './query-target';
import type { IRollout } from '../rollout/rollout-base';
import { inlineCredential } from '../validation/credentials';
import { PORT_RANGE, checkNumber } from '../validation/numbers';
import { RuleViolation, throwViolation } from '../validation/rule-violation';

/** The argument with the canary Service port the checks call. */
const CANARY_PORT = 'canary-port';

/** HTTP methods of the web provider. */
export enum HttpMethod {
  GET = 'GET',
  POST = 'POST',
  PUT = 'PUT',
}

/** Options of `WebCheck.http`. */
export interface HttpCheckOptions extends MetricOptions {
  /**
   * Metric name.
   * @default - `web` plus the path, e.g. `web-health`
   */
  readonly name?: string;
  /**
   * Path on the canary Service (`http://<canary>.<namespace>.svc.cluster.local:<port><path>`).
   * @default '/'
   */
  readonly path?: string;
  /**
   * A full URL instead (may use `{{args.x}}`).
   * @default - the canary Service and `path`
   */
  readonly url?: string;
  /**
   * Method.
   * @default HttpMethod.GET
   */
  readonly method?: HttpMethod;
  /**
   * Headers; credentials only with `HttpHeader.fromSecret`.
   * @default - none
   */
  readonly headers?: HttpHeader[];
  /**
   * Request body (POST or PUT; not with jsonBody).
   * @default - none
   */
  readonly body?: string;
  /**
   * JSON request body (POST or PUT; not with body).
   * @default - none
   */
  readonly jsonBody?: any;
  /**
   * JSONPath of the value the conditions test, e.g. `{$.status}`.
   * @default - the whole body
   */
  readonly jsonPath?: string;
  /**
   * Request timeout (whole seconds).
   * @default - the controller's 10 seconds
   */
  readonly timeout?: Duration;
  /**
   * Skip TLS certificate verification (a self-signed certificate on an internal endpoint).
   * @default false
   */
  readonly insecure?: boolean;
  /**
   * Condition on the result, in the supported subset (e.g. `result == "ok"`).
   * @default - any 2xx answer succeeds (non-2xx is a measurement error)
   */
  readonly successCondition?: string;
  /**
   * Failure condition on the result, in the supported subset.
   * @default - none
   */
  readonly failureCondition?: string;
}

/** The Job container's env: `env`, plus `CANARY_URL` when asked for or mentioned. */
function renderEnv(options: JobCheckOptions, baseUrl: string): any[] | undefined {
  const mentioned = [...(options.command ?? []), ...(options.args ?? [])].some((a) => a.includes('CANARY_URL'));
  const env = Object.entries(options.env ?? {}).map(([name, value]) => ({ name, value }));
  if (options.canaryUrl ?? mentioned) env.push({ name: 'CANARY_URL', value: baseUrl });
  return env.length > 0 ? env : undefined;
}

/** Options of `WebCheck.job`. */
export interface JobCheckOptions extends MetricOptions {
  /** Metric name. */
  readonly name: string;
  /** Container image. */
  readonly image: string;
  /**
   * Entrypoint.
   * @default - the image's
   */
  readonly command?: string[];
  /**
   * Arguments (may use `{{args.x}}`; `$(CANARY_URL)` is the canary Service's base URL).
   * @default - none
   */
  readonly args?: string[];
  /**
   * Give the container `CANARY_URL`, the canary Service's base URL. The template then needs the
   * rollout's `canary-service`, `namespace` and `canary-port` args; without it the Job stands
   * alone (any template, any caller, no args).
   * @default - true when `command` or `args` mention CANARY_URL, else false
   */
  readonly canaryUrl?: boolean;
  /**
   * Environment variables of the container (values may use `{{args.x}}`).
   * @default - none
   */
  readonly env?: { [name: string]: string };
  /**
   * Time the Job may run.
   * @default Duration.minutes(5)
   */
  readonly activeDeadline?: Duration;
}

interface WebCheckSpec {
  readonly name: string;
  readonly options: MetricOptions;
  readonly problems: string[];
  readonly provider: (baseUrl: string) => any;
  readonly successCondition?: string;
  readonly failureCondition?: string;
}

function wholeSecondsProblem(property: string, duration: Duration | undefined): string[] {
  const millis = duration?.toMilliseconds({ integral: false });
  return millis === undefined || (Number.isFinite(millis) && millis >= 0 && millis % 1000 === 0) ? [] : [`${property}: ${duration!.toHumanString()} is not a whole number of seconds`];
}

/** One metric of a `WebAnalysis`: an HTTP request (web provider) or a Job. */
export class WebCheck {
  /** An HTTP request; a non-2xx answer or a failed condition fails it. */
  public static http(options: HttpCheckOptions = {}): WebCheck {
    const path = options.path ?? '/';
    const method = options.method ?? HttpMethod.GET;
    const problems: string[] = [];
    if (options.body !== undefined && options.jsonBody !== undefined) problems.push('use either Body or JSONBody; both cannot exists for WebMetric payload');
    if ((options.body !== undefined || options.jsonBody !== undefined) && method === HttpMethod.GET) problems.push('Body/JSONBody can only be used with POST or PUT WebMetric Method types');
    if (!path.startsWith('/')) problems.push(`path "${path}" does not start with /`);
    if (options.timeout && options.timeout.toMilliseconds({ integral: false }) % 1000 !== 0) problems.push(`timeout: ${options.timeout.toHumanString()} is not whole seconds (timeoutSeconds)`);
    const credential = options.url === undefined ? undefined : inlineCredential(options.url);
    if (credential) problems.push(`url holds ${credential}; secrets are never written into manifests: send it in a header from a Secret (HttpHeader.fromSecret), which the template reads with valueFrom.secretKeyRef`);
    for (const header of options.headers ?? []) {
      const problem = header._problem();
      if (problem) problems.push(problem);
    }
    const slug = path.replace(/[^a-zA-Z0-9]+/g, '-').replace(/^-|-$/g, '');
    return new WebCheck({
      name: options.name ?? (slug ? `web-${slug}` : 'web'),
      options,
      problems,
      successCondition: options.successCondition,
      failureCondition: options.failureCondition,
      provider: (baseUrl) => {
        const headers = (options.headers ?? []).map((h) => h._render('web-header'));
        return {
          web: {
            url: options.url ?? `${baseUrl}${path}`,
            method: options.method,
            headers: headers.length > 0 ? headers.map((h) => h.header) : undefined,
            body: options.body,
            jsonBody: options.jsonBody,
            jsonPath: options.jsonPath,
            timeoutSeconds: options.timeout && options.timeout.toMilliseconds({ integral: false }) / 1000,
            insecure: options.insecure,
          },
          secretArgs: headers.flatMap((h) => h.arg ?? []),
        };
      },
    });
  }

  /**
   * A Job for what an HTTP request cannot check (a script, a CLI); it passes when the Job succeeds.
   * The container runs with the restricted pod-security defaults (non-root, read-only root
   * filesystem, no privilege escalation, no capabilities); it gets `CANARY_URL` when it uses it.
   */
  public static job(options: JobCheckOptions): WebCheck {
    return new WebCheck({
      name: options.name,
      options,
      problems: wholeSecondsProblem('activeDeadline', options.activeDeadline),
      provider: (baseUrl) => ({
        job: {
          spec: {
            backoffLimit: 0,
            activeDeadlineSeconds: (options.activeDeadline ?? Duration.minutes(5)).toMilliseconds({ integral: false }) / 1000,
            template: {
              spec: {
                restartPolicy: 'Never',
                automountServiceAccountToken: false,
                securityContext: { runAsNonRoot: true, runAsUser: 65534, seccompProfile: { type: 'RuntimeDefault' } },
                containers: [{
                  name: 'check',
                  image: options.image,
                  command: options.command,
                  args: options.args,
                  env: renderEnv(options, baseUrl),
                  resources: { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m', memory: '64Mi' } },
                  securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, privileged: false, capabilities: { drop: ['ALL'] } },
                }],
              },
            },
          },
        },
        secretArgs: [],
      }),
    });
  }

  private constructor(private readonly spec: WebCheckSpec) {}

  /** The metric name. */
  public get name(): string {
    return this.spec.name;
  }

  /** @internal */
  public _spec(): WebCheckSpec {
    return this.spec;
  }
}

/** Properties of a `WebAnalysis`. */
export interface WebAnalysisProps extends AnalysisTemplateBaseProps, MetricOptions {
  /** The checks, one metric each. */
  readonly checks: WebCheck[];
  /**
   * Port of the canary Service the checks call.
   * @default - the canary Service's first port
   */
  readonly port?: number;
}

/**
 * Smoke tests as an AnalysisTemplate: HTTP checks (web provider) aimed at the canary Service, and
 * Job checks for anything else. The rollout supplies the canary Service, namespace and port to
 * checks that call it; checks with their own `url` (and Jobs without `CANARY_URL`) need no args.
 */
export class WebAnalysis extends AnalysisTemplateBase {
  private readonly props: WebAnalysisProps;

  constructor(scope: Construct, id: string, props: WebAnalysisProps) {
    super(scope, id, props);
    checkNumber(this, 'port', 'spec.args[canary-port]', props.port, PORT_RANGE);
    this.props = props;
    props.checks.forEach((check, i) => {
      const [problem] = check._spec().problems;
      if (problem) throwViolation(this, { property: `checks[${i}]${/^(url|timeout|activeDeadline)\b/.test(problem) ? `.${problem.split(/[: ]/)[0]}` : ''}`, field: 'spec.metrics[].provider.web', message: `check "${check.name}": ${problem}`, allowed: 'see WebCheck.http options' });
      renderMeasurement(this, `checks[${i}]`, check._spec().options, props);
    });
  }

  public argumentsFor(rollout: IRollout): AnalysisArgument[] {
    const port = this.props.port ?? rollout.canaryService.ports[0]?.port;
    const needsPort = this.requiredArgs.includes(CANARY_PORT);
    return [...super.argumentsFor(rollout), ...(needsPort && port !== undefined ? [AnalysisArgument.value(CANARY_PORT, String(port))] : [])];
  }

  /** @internal */
  public _checkUse(rollout: IRollout, field: string): RuleViolation[] {
    const ports = rollout.canaryService.ports.map((p) => p.port);
    if (this.props.port === undefined || ports.includes(this.props.port)) return [];
    return [{ property: field, field: `${field}.templates`, message: `WebAnalysis "${this.templateName}" calls port ${this.props.port}, which canary Service "${rollout.canaryService.name}" does not have`, allowed: `one of ${ports.join(', ')}` }];
  }

  protected renderSpec(): any {
    const baseUrl = `http://{{args.${TARGET_ARGS.canaryService}}}.{{args.${TARGET_ARGS.namespace}}}.svc.cluster.local:{{args.${CANARY_PORT}}}`;
    const secretArgs: any[] = [];
    const metrics = this.props.checks.map((check, i) => {
      const spec = check._spec();
      const { secretArgs: secrets, ...provider } = spec.provider(baseUrl);
      secretArgs.push(...secrets.filter((a: any) => !secretArgs.some((s) => s.name === a.name)));
      return {
        name: spec.name,
        ...renderMeasurement(this, `checks[${i}]`, spec.options, this.props),
        successCondition: spec.successCondition,
        failureCondition: spec.failureCondition,
        provider,
      };
    });
    return this.assembleSpec(metrics, secretArgs, this.props.checks.filter((c) => c._spec().options.dryRun ?? this.props.dryRun).map((c) => c.name));
  }

  protected metricProperty(index: number): string {
    return `checks[${index}]`;
  }
}
