import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import * as YAML from 'yaml';
import {
  AnalysisCheck, ArgoCdApplication, CanaryRollout, ControllerManifests, ControllerPlugin, HttpHeader, NotificationService,
  PrometheusAnalysis, RolloutAlerts, RolloutsController, WebAnalysis, WebCheck,
} from '../src';
import { constructionError, find, validationErrors } from './support/synth';
import { inlineCredential, inlineHeaderCredential, isCredentialName } from '../src/validation/credentials';

describe('the credential detector', () => {
  test.each([
    ['http://admin:s3cret@prometheus:9090', 'user:password@'],
    ['https://ghp_token@github.com/acme/deploy.git', 'user:password@'],
    ['http://prometheus:9090/?token=abc123', 'query parameter "token"'],
    ['https://hook.example.com/x?foo=1&access_token=abc', 'query parameter "access_token"'],
    ['https://api.example.com/check?apikey=abc', 'query parameter "apikey"'],
    ['https://api.example.com/check?api_key=abc', 'query parameter "api_key"'],
    ['https://storage.example.com/o?X-Amz-Signature=abc', 'query parameter "X-Amz-Signature"'],
    ['https://hooks.slack.com/services/T000/B000/XXXX', 'Slack webhook'],
    ['use xoxb-1234567890-abcdef to post', 'Slack token'],
    ['ghp_abcdefghijklmnopqrstuvwxyz0123', 'GitHub token'],
    ['AKIAABCDEFGHIJKLMNOP', 'AWS access key'],
    ['Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NSJ9.abc', 'JSON web token'],
    ['Bearer abcdefgh12345678', 'Authorization credential'],
    ['-----BEGIN RSA PRIVATE KEY-----', 'private key'],
  ])('finds %s', (value, what) => {
    expect(inlineCredential(value)).toContain(what);
  });

  test.each([
    'http://prometheus.monitoring.svc.cluster.local:9090',
    'https://github.com/acme/deploy.git',
    'ssh://git@github.com/acme/deploy.git',
    'https://api.example.com/check?page=2&sort=asc',
    'https://api.example.com/check?token={{args.api-token}}',
    'https://{{args.user}}:{{args.password}}@api.example.com/',
    'Bearer {{args.token}}',
    'The update of {{ $labels.namespace }}/{{ $labels.name }} was aborted',
    'sum(rate(http_requests_total{service="api"}[5m]))',
    'Basic authentication is required; Token expiration is one hour',
    'https://wiki.example.com/search?author=platform',
  ])('accepts %s', (value) => {
    expect(inlineCredential(value)).toBeUndefined();
  });

  test('header and key names that carry credentials, beyond Authorization', () => {
    for (const name of ['Authorization', 'Proxy-Authorization', 'Cookie', 'X-Api-Key', 'X-Auth-Token', 'Private-Token', 'X-Access-Token', 'Api-Key', 'X-Key', 'client_secret', 'Password', 'X-Signature']) {
      expect([name, isCredentialName(name)]).toEqual([name, true]);
    }
    for (const name of ['Content-Type', 'Accept', 'X-Request-Id', 'User-Agent', 'Keep-Alive', 'Monkey', 'author', 'X-Author']) {
      expect([name, isCredentialName(name)]).toEqual([name, false]);
    }
    expect(inlineHeaderCredential('X-Auth-Token', 'abc')).toBe('header "X-Auth-Token" carries a credential');
    expect(inlineHeaderCredential('Authorization', 'Bearer {{args.token}}')).toBeUndefined();
    expect(inlineHeaderCredential('Authorization', '$deploy-token')).toBeUndefined();
  });
});

function chart() {
  const app = Testing.app();
  return { app, chart: new Chart(app, 'shop', { namespace: 'shop' }) };
}
const container = { image: 'shop/api:1.0.0', portNumber: 8080 };
const checks = [AnalysisCheck.successRate({ atLeast: 0.99 })];

describe('props that can carry a credential refuse it, naming the construct path and property', () => {
  test('Prometheus address: user:password@ and ?token=', () => {
    expect(constructionError(() => new PrometheusAnalysis(chart().chart, 'analysis', { address: 'http://admin:pw@prometheus:9090', checks })))
      .toMatch(/^\[shop\/analysis\] address: spec\.metrics\[\]\.provider\.prometheus\.address: the address holds a URL with user:password@ .*secrets are never written.*\(allowed: an address without credentials/);
    expect(constructionError(() => new PrometheusAnalysis(chart().chart, 'analysis', { address: 'http://prometheus:9090/?access_token=abc', checks })))
      .toMatch(/^\[shop\/analysis\] address: .*query parameter "access_token"/);
  });

  test('Prometheus and web check headers: any token-like name, not only Authorization', () => {
    expect(constructionError(() => new PrometheusAnalysis(chart().chart, 'analysis', { address: 'http://prometheus:9090', checks, headers: [HttpHeader.of('X-Auth-Token', 'abc')] })))
      .toMatch(/^\[shop\/analysis\] headers\[0\]: .*header "X-Auth-Token" carries a credential; its value must not be inline \(allowed: HttpHeader\.fromSecret/);
    expect(constructionError(() => new WebAnalysis(chart().chart, 'smoke', { checks: [WebCheck.http({ path: '/health', headers: [HttpHeader.of('Private-Token', 'abc')] })] })))
      .toMatch(/^\[shop\/smoke\] checks\[0\]: .*header "Private-Token" carries a credential/);
  });

  test('web check URL: credentials in the URL', () => {
    expect(constructionError(() => new WebAnalysis(chart().chart, 'smoke', { checks: [WebCheck.http({ url: 'https://status.example.com/check?apikey=abc' })] })))
      .toMatch(/^\[shop\/smoke\] checks\[0\]\.url: .*url holds a URL with a credential in its query parameter "apikey".*HttpHeader\.fromSecret/);
  });

  test('Argo CD repo URL: a token as the user', () => {
    expect(constructionError(() => new ArgoCdApplication(chart().chart, 'app', { repoUrl: 'https://x-access-token:ghs_abc@github.com/acme/deploy.git', path: 'dist' })))
      .toMatch(/^\[shop\/app\] repoUrl: spec\.source\.repoURL: the URL carries credentials; secrets are never written into manifests \(found a URL with user:password@/);
  });

  test('plugin location and webhook URL of the controller', () => {
    expect(constructionError(() => new RolloutsController(chart().chart, 'controller', {
      manifests: ControllerManifests.bundled(),
      plugins: [ControllerPlugin.metricProvider('acme/metrics', { location: 'https://user:pw@plugins.example.com/metrics' })],
    }))).toMatch(/^\[shop\/controller\] plugins: .*acme\/metrics: location holds a URL with user:password@/);
    const second = chart();
    new RolloutsController(second.chart, 'controller', {
      manifests: ControllerManifests.bundled(),
      notifications: { services: [NotificationService.webhook('deploy-log', { url: 'https://deploy-log.example.com/events?token=abc' })] },
    });
    expect(validationErrors(second.app).join('\n')).toContain('service.webhook.deploy-log: url holds a URL with a credential in its query parameter "token": put the URL in argo-rollouts-notification-secret and give its key as urlSecretKey');
  });

  test('free text and escape hatches: the final manifest of every library object is checked', () => {
    const { app, chart: c } = chart();
    const rollout = new CanaryRollout(c, 'api', { metadata: { name: 'api' }, containers: [container] });
    rollout.containers[0].env.addVariable('DATABASE_URL', kplus.EnvValue.fromValue('postgres://app:hunter2@db:5432/app'));
    new RolloutAlerts(c, 'alerts', { runbookUrl: 'https://wiki.example.com/runbook?token=abc' });
    const errors = validationErrors(app).join('\n');
    expect(errors).toContain('[shop/api] spec.template.spec.containers[0].env[0].value: Rollout/api spec.template.spec.containers[0].env[0].value: holds a URL with user:password@');
    expect(errors).toMatch(/\[shop\/alerts\] spec\.groups\[0\]\.rules\[\d+\]\.annotations\.runbook_url: .*query parameter "token"/);
  });
});

describe('the Secret-reference forms', () => {
  test('a webhook whose URL is itself a secret: url: $key of argo-rollouts-notification-secret', () => {
    const { app, chart: c } = chart();
    new RolloutsController(c, 'controller', {
      manifests: ControllerManifests.bundled(),
      notifications: { services: [NotificationService.webhook('teams', { urlSecretKey: 'teams-webhook-url' })] },
    });
    expect(validationErrors(app)).toEqual([]);
    const config = find(c.toJson(), 'ConfigMap', 'argo-rollouts-notification-configmap');
    expect(YAML.parse(config.data['service.webhook.teams'])).toEqual({ url: '$teams-webhook-url' });
  });

  test('a webhook needs exactly one of url, urlSecretKey', () => {
    const { app, chart: c } = chart();
    new RolloutsController(c, 'controller', {
      manifests: ControllerManifests.bundled(),
      notifications: { services: [NotificationService.webhook('teams', {})] },
    });
    expect(validationErrors(app).join('\n')).toContain('service.webhook.teams: needs exactly one of url, urlSecretKey');
  });

  test('headers from a Secret are accepted whatever their name', () => {
    const secret = kplus.Secret.fromSecretName(chart().chart, 's', 'prometheus-auth');
    const { app, chart: c } = chart();
    new PrometheusAnalysis(c, 'analysis', {
      address: 'http://prometheus:9090',
      checks,
      headers: [HttpHeader.fromSecret('X-Auth-Token', { secret, key: 'token' })],
      externalArgs: true, // no rollout in this app: whoever runs it supplies the target args
    });
    expect(validationErrors(app)).toEqual([]);
  });
});
