import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { CanaryRollout, CanaryStep, HttpHeader, HttpMethod, WebAnalysis, WebAnalysisProps, WebCheck } from '../src';
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
