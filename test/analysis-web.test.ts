import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { CanaryRollout, CanaryStep, HttpHeader, HttpMethod, TemplateArgument, WebAnalysis, WebAnalysisProps, WebCheck } from '../src';
import { constructionError, find, schemas, synth, testChart, validationErrors } from './support/synth';

function app(props: Partial<WebAnalysisProps> = {}) {
  const chart = testChart('x0tta6bl4-production');
  const smoke = new WebAnalysis(chart, 'smoke', {
    metadata: { name: 'smoke-test' },
    checks: [WebCheck.http({ path: '/health' }), WebCheck.http({ path: '/metrics' }), WebCheck.http({ path: '/api/v1/status', jsonPath: '{$.status}', successCondition: 'result == "ok"' })],
    count: 1,
    ...props,
  });
  new CanaryRollout(chart, 'proxy-api', {
    metadata: { name: 'proxy-api' },
    containers: [{ image: 'x0tta6bl4/proxy-orchestrator:v1.1.0', portNumber: 8080 }],
    steps: [CanaryStep.weight(5), CanaryStep.analysis({ templates: [smoke] })],
  });
  return chart;
}

describe('WebAnalysis', () => {
  test('HTTP checks call the canary Service; the rollout supplies its name, namespace and port', () => {
    const objects = synth(app());
    for (const o of objects) expect(schemas.errors(o)).toEqual([]);
    const template = find(objects, 'AnalysisTemplate', 'smoke-test');
    expect(template.spec.args).toEqual([{ name: 'canary-service' }, { name: 'namespace' }, { name: 'canary-port' }]);
    expect(template.spec.metrics.map((m: any) => [m.name, m.count, m.provider.web.url])).toEqual([
      ['web-health', 1, 'http://{{args.canary-service}}.{{args.namespace}}.svc.cluster.local:{{args.canary-port}}/health'],
      ['web-metrics', 1, 'http://{{args.canary-service}}.{{args.namespace}}.svc.cluster.local:{{args.canary-port}}/metrics'],
      ['web-api-v1-status', 1, 'http://{{args.canary-service}}.{{args.namespace}}.svc.cluster.local:{{args.canary-port}}/api/v1/status'],
    ]);
    expect(template.spec.metrics[2]).toMatchObject({ successCondition: 'result == "ok"', provider: { web: { jsonPath: '{$.status}' } } });
    expect(find(objects, 'Rollout').spec.strategy.canary.steps[1].analysis.args).toEqual([
      { name: 'canary-service', value: 'proxy-api-canary' },
      { name: 'namespace', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'canary-port', value: '8080' },
    ]);
  });

  test('POST with a JSON body, a secret header and a timeout; a Job check with secure defaults', () => {
    const chart = testChart();
    const secret = kplus.Secret.fromSecretName(chart, 'token', 'smoke-token');
    const objects = synth(app({
      checks: [
        WebCheck.http({ name: 'login', path: '/api/v1/login', method: HttpMethod.POST, jsonBody: { user: 'smoke' }, headers: [HttpHeader.fromSecret('X-Api-Key', { secret, key: 'key' })], timeout: Duration.seconds(5) }),
        WebCheck.job({ name: 'e2e', image: 'x0tta6bl4/smoke:1', args: ['--url', '$(CANARY_URL)'] }),
      ],
    }));
    for (const o of objects) expect(schemas.errors(o)).toEqual([]);
    const template = find(objects, 'AnalysisTemplate');
    expect(template.spec.metrics[0].provider.web).toEqual({
      url: 'http://{{args.canary-service}}.{{args.namespace}}.svc.cluster.local:{{args.canary-port}}/api/v1/login',
      method: 'POST',
      jsonBody: { user: 'smoke' },
      timeoutSeconds: 5,
      headers: [{ key: 'X-Api-Key', value: '{{args.web-header-x-api-key}}' }],
    });
    expect(template.spec.args).toContainEqual({ name: 'web-header-x-api-key', valueFrom: { secretKeyRef: { name: 'smoke-token', key: 'key' } } });
    const job = template.spec.metrics[1].provider.job.spec;
    expect(job.backoffLimit).toBe(0);
    expect(job.template.spec.containers[0].securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, privileged: false, capabilities: { drop: ['ALL'] } });
    expect(job.template.spec.containers[0].env).toEqual([{ name: 'CANARY_URL', value: 'http://{{args.canary-service}}.{{args.namespace}}.svc.cluster.local:{{args.canary-port}}' }]);
    expect(schemas.errors({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: job })).toEqual([]);
  });

  test('errors: provider payload rules, inline credentials, conditions, ports, section C', () => {
    expect(constructionError(() => app({ checks: [WebCheck.http({ body: 'x' })] }))).toMatch(/checks\[0\]: .*check "web": Body\/JSONBody can only be used with POST or PUT WebMetric Method types/);
    expect(constructionError(() => app({ checks: [WebCheck.http({ method: HttpMethod.POST, body: 'x', jsonBody: {} })] }))).toMatch(/use either Body or JSONBody; both cannot exists for WebMetric payload/);
    expect(constructionError(() => app({ checks: [WebCheck.http({ headers: [HttpHeader.of('Authorization', 'Basic abc')] })] }))).toMatch(/header "Authorization" carries a credential/);
    expect(validationErrors(app({ checks: [WebCheck.http({ successCondition: 'result.ok; 1' })] }).node.root as any)).toEqual([expect.stringContaining('checks[0]: spec.metrics[0].successCondition: check "web": condition ";" at 10 is outside the supported condition subset')]);
    expect(validationErrors(app({ checks: [WebCheck.http({ successCondition: "result.major == '1'" })] }).node.root as any)).toEqual([]);
    expect(validationErrors(app({ port: 9090 }).node.root as any)).toContainEqual(expect.stringContaining('WebAnalysis "smoke-test" calls port 9090, which canary Service "proxy-api-canary" does not have (allowed: one of 8080)'));
    expect(validationErrors(app({ count: undefined, interval: Duration.minutes(1) }).node.root as any)).toContainEqual(expect.stringContaining('AnalysisTemplate smoke-test has metric web-health which runs indefinitely'));
    expect(validationErrors(app({ count: 3 }).node.root as any)).toContainEqual(expect.stringContaining('metrics[0]: interval must be specified when count > 1'));
  });
});

describe('checks that stand alone', () => {
  test('a check with its own URL and a Job that does not use CANARY_URL need no args: runnable by name from anywhere', () => {
    const chart = testChart('platform');
    new WebAnalysis(chart, 'deps', {
      metadata: { name: 'dependencies-up' },
      checks: [
        WebCheck.http({ name: 'status-page', url: 'https://status.example.com/api/health', jsonPath: '{$.status}', successCondition: 'result == "up"' }),
        WebCheck.job({ name: 'db-migrated', image: 'migrate/check:1', command: ['/check', '--db', 'orders'], env: { DB_HOST: 'orders-db.platform' } }),
      ],
      count: 1,
    });
    const template = find(synth(chart), 'AnalysisTemplate', 'dependencies-up');
    expect(template.spec.args).toBeUndefined();
    expect(template.spec.metrics[1].provider.job.spec.template.spec.containers[0].env).toEqual([{ name: 'DB_HOST', value: 'orders-db.platform' }]);
  });

  test('CANARY_URL when the Job asks for it or mentions it; then the rollout supplies the canary args', () => {
    const chart = testChart('shop');
    const smoke = new WebAnalysis(chart, 'smoke', {
      checks: [
        WebCheck.job({ name: 'explicit', image: 'smoke:1', command: ['/smoke.sh'], canaryUrl: true }),
        WebCheck.job({ name: 'mentioned', image: 'smoke:1', command: ['sh', '-c', 'curl -f "$CANARY_URL/health"'] }),
        WebCheck.job({ name: 'opted-out', image: 'smoke:1', args: ['$(CANARY_URL)'], canaryUrl: false }),
      ],
      count: 1,
    });
    new CanaryRollout(chart, 'shop', { containers: [{ image: 'shop:2', portNumber: 8080 }], steps: [CanaryStep.weight(10), CanaryStep.analysis({ templates: [smoke] })] });
    const objects = synth(chart);
    const envs = find(objects, 'AnalysisTemplate').spec.metrics.map((m: any) => m.provider.job.spec.template.spec.containers[0].env);
    const url = { name: 'CANARY_URL', value: 'http://{{args.canary-service}}.{{args.namespace}}.svc.cluster.local:{{args.canary-port}}' };
    expect(envs).toEqual([[url], [url], undefined]);
    expect(find(objects, 'Rollout').spec.strategy.canary.steps[1].analysis.args.map((a: any) => a.name)).toEqual(['canary-service', 'namespace', 'canary-port']);
  });

  test('a template that needs args and that nothing in the app runs is refused, unless its callers supply them', () => {
    const chart = testChart('shop');
    new WebAnalysis(chart, 'smoke', { metadata: { name: 'smoke' }, checks: [WebCheck.http({ path: '/health' })], count: 1 });
    expect(validationErrors(chart.node.root as any)).toEqual([
      '[test/smoke] checks: spec.args: AnalysisTemplate "smoke" needs args canary-service, namespace, canary-port, and no rollout or experiment of this app runs it: run by name without them, its AnalysisRun fails with "args.canary-service was not resolved" (allowed: run it from a rollout or experiment of this app (they supply the args), checks that need no args (WebCheck.http with url, WebCheck.job without CANARY_URL), or externalArgs: true when whoever runs it passes them)',
    ]);
    const other = testChart('shop');
    new WebAnalysis(other, 'smoke', { metadata: { name: 'smoke' }, checks: [WebCheck.http({ path: '/health' })], count: 1, externalArgs: true });
    expect(validationErrors(other.node.root as any)).toEqual([]);
  });
});

describe('arguments in full', () => {
  test('template args: a default, a Secret key in a URL and a Job argument, a field of the caller; web insecure, timeout, method, body, jsonPath', () => {
    const chart = testChart('shop');
    const apiKey = kplus.Secret.fromSecretName(chart, 'api-key', 'status-api');
    const smoke = new WebAnalysis(chart, 'smoke', {
      metadata: { name: 'smoke' },
      args: [
        TemplateArgument.withDefault('region', 'eu-west-1'),
        TemplateArgument.fromSecret('api-key', { secret: apiKey, key: 'key' }),
        TemplateArgument.fromField('team', "metadata.labels['team']"),
      ],
      checks: [
        WebCheck.http({
          name: 'status',
          url: 'https://status.internal/{{args.region}}?key={{args.api-key}}',
          method: HttpMethod.POST,
          body: '{"team":"{{args.team}}"}',
          jsonPath: '{$.status}',
          successCondition: 'result == "ok"',
          timeout: Duration.seconds(5),
          insecure: true,
        }),
        WebCheck.job({ name: 'e2e', image: 'e2e:1', args: ['--key', '{{args.api-key}}'] }),
      ],
      count: 1,
    });
    new CanaryRollout(chart, 'shop', { containers: [{ image: 'shop:2', portNumber: 8080 }], steps: [CanaryStep.weight(10), CanaryStep.analysis({ templates: [smoke] })] });
    const objects = synth(chart);
    for (const o of objects) expect(schemas.errors(o)).toEqual([]);
    const template = find(objects, 'AnalysisTemplate');
    expect(template.spec.args).toEqual([
      { name: 'region', value: 'eu-west-1' },
      { name: 'api-key', valueFrom: { secretKeyRef: { name: 'status-api', key: 'key' } } },
      { name: 'team', valueFrom: { fieldRef: { fieldPath: "metadata.labels['team']" } } },
    ]);
    expect(template.spec.metrics[0].provider.web).toEqual({
      url: 'https://status.internal/{{args.region}}?key={{args.api-key}}',
      method: 'POST',
      body: '{"team":"{{args.team}}"}',
      jsonPath: '{$.status}',
      timeoutSeconds: 5,
      insecure: true,
    });
    // Nothing is required: the rollout passes no args.
    expect(find(objects, 'Rollout').spec.strategy.canary.steps[1].analysis.args).toBeUndefined();
  });

  test('a required template arg must be passed by the rollout', () => {
    const chart = testChart('shop');
    const smoke = new WebAnalysis(chart, 'smoke', {
      metadata: { name: 'smoke' },
      args: [TemplateArgument.required('tenant'), TemplateArgument.withDefault('region', 'eu-west-1')],
      checks: [WebCheck.http({ url: 'https://status.internal/{{args.region}}/{{args.tenant}}' })],
      count: 1,
    });
    new CanaryRollout(chart, 'shop', { containers: [{ image: 'shop:2', portNumber: 8080 }], steps: [CanaryStep.weight(10), CanaryStep.analysis({ templates: [smoke] })] });
    expect(validationErrors(chart.node.root as any)).toEqual([
      '[test/shop] spec.strategy.canary.steps[1].analysis: spec.strategy.canary.steps[1].analysis.templates: Invalid value: "templateNames: [smoke]": args.tenant was not resolved (allowed: args that include \'tenant\' (required by smoke))',
    ]);
  });

  test('an argument declared twice is refused', () => {
    const chart = testChart('shop');
    expect(constructionError(() => new WebAnalysis(chart, 'smoke', {
      args: [TemplateArgument.withDefault('region', 'a'), TemplateArgument.withDefault('region', 'b')],
      checks: [WebCheck.http({ url: 'https://x/{{args.region}}' })],
    }))).toBe("[test/smoke] args: spec.args: argument 'region' declared twice (allowed: one declaration per argument name)");
  });
});
