import { App, Chart, Duration, Testing } from 'cdk8s';
import * as YAML from 'yaml';
import {
  AnalysisArgument, AnalysisTemplateRef, CanaryRollout, CanaryRolloutProps, CanaryStep, ControllerManifests, ControllerPlugin, GatewayApiPlugin,
  GatewayApiTrafficSplit, NotificationService, PluginPlatform, RolloutsController, RolloutsControllerProps, SharedAnalysisTemplate,
} from '../src';
import { constructionError, find, schemas, validationErrors } from './support/synth';

/** An app with the controller in its own chart and a service chart, like seed 001. */
function platform(props: Partial<RolloutsControllerProps> = {}) {
  const app = Testing.app();
  const controllerChart = new Chart(app, 'argo-rollouts', { namespace: 'argo-rollouts' });
  const controller = new RolloutsController(controllerChart, 'controller', { manifests: ControllerManifests.bundled(), ...props });
  const services = new Chart(app, 'services', { namespace: 'shop' });
  return { app, controllerChart, controller, services };
}

function service(chart: Chart, name: string, props: Partial<CanaryRolloutProps> = {}): CanaryRollout {
  return new CanaryRollout(chart, name, {
    metadata: { name },
    containers: [{ image: `shop/${name}:1.0.0`, portNumber: 8080 }],
    ...props,
  });
}

const objectsOf = (chart: Chart) => chart.toJson();

describe('plugins in argo-rollouts-config', () => {
  test('Gateway API plugin: registered by name, location and sha256, with its RBAC bound to the controller', () => {
    const sha256 = 'a'.repeat(64);
    const { app, controllerChart, services } = platform({ plugins: [ControllerPlugin.gatewayApi({ sha256, platform: PluginPlatform.LINUX_ARM64 })] });
    service(services, 'checkout', { trafficSplit: new GatewayApiTrafficSplit(services, 'traffic', { gateways: [{ name: 'public' }] }) });
    expect(validationErrors(app)).toEqual([]);
    const objects = objectsOf(controllerChart);
    const config = find(objects, 'ConfigMap', 'argo-rollouts-config');
    expect(YAML.parse(config.data.trafficRouterPlugins)).toEqual([{
      name: 'argoproj-labs/gatewayAPI',
      location: 'https://github.com/argoproj-labs/rollouts-plugin-trafficrouter-gatewayapi/releases/download/v0.15.0/gatewayapi-plugin-linux-arm64',
      sha256,
    }]);
    expect(Object.keys(config.data)).toEqual(['trafficRouterPlugins']);
    const role = find(objects, 'ClusterRole', 'argo-rollouts-gateway-api-plugin');
    expect(role.metadata.namespace).toBeUndefined();
    expect(role.rules.map((r: any) => [r.apiGroups, r.resources, r.verbs])).toEqual([
      [[''], ['services'], ['get']],
      [['gateway.networking.k8s.io'], ['httproutes', 'grpcroutes', 'tcproutes', 'tlsroutes'], ['get', 'list', 'update', 'patch']],
    ]);
    const binding = find(objects, 'ClusterRoleBinding', 'argo-rollouts-gateway-api-plugin');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'argo-rollouts-gateway-api-plugin' });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'argo-rollouts', namespace: 'argo-rollouts' }]);
    for (const o of objects.filter((x) => x.kind !== 'CustomResourceDefinition')) expect(schemas.errors(o)).toEqual([]);
  });

  test('metric provider and step plugins under their own keys; no Gateway API RBAC without that plugin', () => {
    const { controllerChart } = platform({
      plugins: [
        ControllerPlugin.metricProvider('argoproj-labs/sample-prometheus', { location: 'file:///plugins/metric-prometheus', args: ['-loglevel=debug'] }),
        ControllerPlugin.step('argoproj-labs/sample-step', { location: 'https://example.com/step-plugin' }),
      ],
    });
    const objects = objectsOf(controllerChart);
    const data = find(objects, 'ConfigMap', 'argo-rollouts-config').data;
    expect(YAML.parse(data.metricProviderPlugins)).toEqual([{ name: 'argoproj-labs/sample-prometheus', location: 'file:///plugins/metric-prometheus', args: ['-loglevel=debug'] }]);
    expect(YAML.parse(data.stepPlugins)).toEqual([{ name: 'argoproj-labs/sample-step', location: 'https://example.com/step-plugin' }]);
    expect(data.trafficRouterPlugins).toBeUndefined();
    expect(objects.filter((o) => o.metadata.name === 'argo-rollouts-gateway-api-plugin')).toEqual([]);
  });

  test('errors: the controller\'s plugin name format, location scheme, sha256 digits, a plugin registered twice', () => {
    expect(constructionError(() => platform({ plugins: [ControllerPlugin.trafficRouter('gatewayAPI', { location: 'ftp://x/y' })] })))
      .toBe('[argo-rollouts/controller] plugins: ConfigMap/argo-rollouts-config: plugin repository (gatewayAPI) must be in the format of <namespace>/<name>; '
        + 'gatewayAPI: plugin location must be of http(s) or file scheme, got "ftp://x/y" '
        + '(allowed: plugins named <owner>/<name>, located at http(s):// or file://, with a 64-digit sha256)');
    expect(constructionError(() => platform({ plugins: [ControllerPlugin.gatewayApi({ sha256: 'abc' })] })))
      .toContain('argoproj-labs/gatewayAPI: sha256 must be 64 lower-case hex digits, got "abc"');
    expect(constructionError(() => platform({ plugins: [ControllerPlugin.gatewayApi(), ControllerPlugin.gatewayApi({ version: 'v0.14.0' })] })))
      .toContain('trafficRouterPlugins/argoproj-labs/gatewayAPI is registered twice');
  });
});

describe('cross-construct checks at synth time', () => {
  test('a Gateway API split with no plugin registered', () => {
    const { app, services } = platform();
    service(services, 'checkout', { trafficSplit: new GatewayApiTrafficSplit(services, 'traffic', { gateways: [{ name: 'public' }] }) });
    expect(validationErrors(app)).toEqual([
      '[argo-rollouts/controller] plugins: Rollout "checkout" (services/checkout/Resource): spec.strategy.canary.trafficRouting.plugins.argoproj-labs/gatewayAPI: '
      + 'plugin argoproj-labs/gatewayAPI not configured in configmap (allowed: no trafficRouterPlugins; register it with ControllerPlugin in RolloutsController\'s plugins)',
    ]);
  });

  test('a step plugin and a metric plugin not registered (a traffic router plugin of that name does not count)', () => {
    const { app, services, controllerChart } = platform({ plugins: [ControllerPlugin.trafficRouter('acme/metrics', { location: 'file:///p' })] });
    service(services, 'checkout', { steps: [CanaryStep.plugin('acme/approval', { channel: 'x' })] });
    new SharedAnalysisTemplate(controllerChart, 'vendor-check', {
      name: 'vendor-check',
      spec: { metrics: [{ name: 'score', successCondition: 'result > 0.9', provider: { plugin: { 'acme/metrics': { query: 'score' } } } }] },
    });
    expect(validationErrors(app)).toEqual([
      '[argo-rollouts/controller] plugins: ClusterAnalysisTemplate "vendor-check" (argo-rollouts/vendor-check/Resource): spec.metrics[0].provider.plugin.acme/metrics: '
      + 'plugin acme/metrics not configured in configmap (allowed: no metricProviderPlugins; register it with ControllerPlugin in RolloutsController\'s plugins)',
      '[argo-rollouts/controller] plugins: Rollout "checkout" (services/checkout/Resource): spec.strategy.canary.steps[0].plugin.name: '
      + 'plugin acme/approval not configured in configmap (allowed: no stepPlugins; register it with ControllerPlugin in RolloutsController\'s plugins)',
    ].sort());
  });

  test('the plugin also defined by GatewayApiPlugin: two owners of argo-rollouts-config', () => {
    const { app, controllerChart } = platform({ plugins: [ControllerPlugin.gatewayApi()] });
    new GatewayApiPlugin(controllerChart, 'plugin');
    const errors = validationErrors(app);
    expect(errors).toContain('[argo-rollouts/controller] RolloutsController: ConfigMap/argo-rollouts-config: ConfigMap "argo-rollouts-config" is also defined at argo-rollouts/plugin/Config/Resource '
      + '(allowed: one owner: configure it through RolloutsController (plugins: ControllerPlugin.gatewayApi() instead of GatewayApiPlugin, for argo-rollouts-config))');
    expect(errors).toContain('[argo-rollouts/controller] RolloutsController: ClusterRole/argo-rollouts-gateway-api-plugin: ClusterRole "argo-rollouts-gateway-api-plugin" is also defined at argo-rollouts/plugin/GatewayApiPluginRole '
      + '(allowed: one owner: configure it through RolloutsController (plugins: ControllerPlugin.gatewayApi() instead of GatewayApiPlugin, for argo-rollouts-config))');
  });

  test('a same-named ConfigMap in another namespace is not a conflict', () => {
    const { app, services } = platform();
    new GatewayApiPlugin(services, 'plugin', { namespace: 'shop', rbac: false });
    expect(validationErrors(app)).toEqual([]);
  });
});

describe('notifications', () => {
  const slack = NotificationService.slack({ username: 'rollouts' });
  const webhook = NotificationService.webhook('deploy-log', {
    url: 'https://deploy-log.internal/events',
    headers: [{ name: 'Content-Type', value: 'application/json' }, { name: 'Authorization', secretKey: 'deploy-log-token', secretPrefix: 'Bearer ' }],
  });

  test('services reference the Secret by key; the built-in catalogue is kept; custom triggers and templates are added', () => {
    const { app, controllerChart, controller, services } = platform({
      notifications: {
        services: [slack, webhook],
        templates: { 'rollout-degraded': { message: 'Rollout {{.rollout.metadata.name}} is degraded', webhook: { 'deploy-log': { method: 'POST', body: '{"rollout": "{{.rollout.metadata.name}}"}' } } } },
        triggers: [{ name: 'on-rollout-degraded', send: ['rollout-degraded'], when: "rollout.status.phase == 'Degraded'" }],
        defaultTriggers: ['on-rollout-aborted'],
      },
    });
    service(services, 'checkout', {
      metadata: {
        name: 'checkout',
        annotations: {
          'notifications.argoproj.io/subscribe.on-rollout-aborted.slack': 'shop-alerts',
          'notifications.argoproj.io/subscribe.on-rollout-degraded.deploy-log': '',
          'notifications.argoproj.io/subscribe.slack': 'shop-deploys',
        },
      },
    });
    expect(validationErrors(app)).toEqual([]);
    const objects = objectsOf(controllerChart);
    const config = find(objects, 'ConfigMap', 'argo-rollouts-notification-configmap');
    expect(config.metadata.namespace).toBe('argo-rollouts');
    expect(YAML.parse(config.data['service.slack'])).toEqual({ token: '$slack-token', username: 'rollouts' });
    expect(YAML.parse(config.data['service.webhook.deploy-log'])).toEqual({
      url: 'https://deploy-log.internal/events',
      headers: [{ name: 'Content-Type', value: 'application/json' }, { name: 'Authorization', value: 'Bearer $deploy-log-token' }],
    });
    expect(YAML.parse(config.data['trigger.on-rollout-degraded'])).toEqual([{ send: ['rollout-degraded'], when: "rollout.status.phase == 'Degraded'" }]);
    expect(YAML.parse(config.data['template.rollout-degraded']).webhook['deploy-log'].method).toBe('POST');
    expect(YAML.parse(config.data.defaultTriggers)).toEqual(['on-rollout-aborted']);
    expect(YAML.parse(config.data['trigger.on-rollout-step-completed'])).toEqual([{ send: ['rollout-step-completed'] }]);
    expect(Object.keys(config.data).filter((k) => k.startsWith('trigger.')).length).toBe(10);
    expect(Object.keys(config.data).filter((k) => k.startsWith('template.')).length).toBe(10);
    expect(controller.notificationSecretKeys).toEqual(['deploy-log-token', 'slack-token']);
    const secret = find(objects, 'Secret', 'argo-rollouts-notification-secret');
    expect(secret.data).toBeUndefined();
    expect(schemas.errors(config)).toEqual([]);
  });

  test('externalSecret leaves the Secret to another tool; builtInCatalogue: false drops the release triggers', () => {
    const { controllerChart } = platform({ notifications: { externalSecret: true, builtInCatalogue: false, services: [slack] } });
    const objects = objectsOf(controllerChart);
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    expect(Object.keys(find(objects, 'ConfigMap', 'argo-rollouts-notification-configmap').data)).toEqual(['service.slack']);
  });

  test('a Slack subscription with no Slack service; an unknown trigger; the short form without default triggers', () => {
    const { app, services } = platform();
    service(services, 'checkout', {
      metadata: { name: 'checkout', annotations: { 'notifications.argoproj.io/subscribe.on-rollout-finished.slack': 'shop', 'notifications.argoproj.io/subscribe.slack': 'shop' } },
    });
    const at = 'Rollout "checkout" (services/checkout/Resource): metadata.annotations';
    expect(validationErrors(app)).toEqual([
      `[argo-rollouts/controller] notifications.services: ${at}["notifications.argoproj.io/subscribe.on-rollout-finished.slack"]: notification service 'slack' is not configured `
      + '(allowed: no service; add NotificationService.slack() to RolloutsController\'s notifications.services)',
      `[argo-rollouts/controller] notifications.triggers: ${at}["notifications.argoproj.io/subscribe.on-rollout-finished.slack"]: trigger 'on-rollout-finished' is not configured `
      + '(allowed: one of ["on-analysis-run-error","on-analysis-run-failed","on-analysis-run-running","on-rollout-aborted","on-rollout-completed","on-rollout-paused",'
      + '"on-rollout-step-completed","on-rollout-updated","on-scaling-replica-set"])',
      `[argo-rollouts/controller] notifications.services: ${at}["notifications.argoproj.io/subscribe.slack"]: notification service 'slack' is not configured `
      + '(allowed: no service; add NotificationService.slack() to RolloutsController\'s notifications.services)',
      `[argo-rollouts/controller] notifications.defaultTriggers: ${at}["notifications.argoproj.io/subscribe.slack"]: subscription to 'slack' without a trigger needs defaultTriggers, `
      + 'and none are configured (allowed: a subscribe.<trigger>.<service> annotation, or notifications.defaultTriggers)',
    ]);
  });

  test('errors: an inline credential header, a bad Secret key, a trigger sending a missing template, an unknown default trigger, a service twice', () => {
    const { app } = platform({
      notifications: {
        services: [
          NotificationService.webhook('hook', { url: 'hook.internal', headers: [{ name: 'Authorization', value: 'Bearer s3cr3t' }] }),
          NotificationService.slack({ tokenKey: 'slack token' }),
          NotificationService.slack(),
        ],
        triggers: [{ name: 'on-rollout-degraded', send: ['rollout-degraded'] }],
        defaultTriggers: ['on-rollout-done'],
      },
    });
    const prefix = '[argo-rollouts/controller] notifications: ConfigMap/argo-rollouts-notification-configmap: ';
    const allowed = ' (allowed: services, templates and triggers that reference each other)';
    expect(validationErrors(app)).toEqual([
      'service.webhook.hook: url must be http(s), got "hook.internal"',
      'service.webhook.hook: header "Authorization" carries a credential: give its secretKey (a key of argo-rollouts-notification-secret), not its value',
      'service.slack: "slack token" is not a valid Secret key (letters, digits, \'-\', \'_\', \'.\')',
      'service.slack: configured twice',
      'trigger.on-rollout-degraded: template \'rollout-degraded\' is not configured',
      'defaultTriggers: trigger \'on-rollout-done\' is not configured',
    ].map((m) => prefix + m + allowed));
  });
});

describe('shared ClusterAnalysisTemplates', () => {
  const successRate = {
    args: [{ name: 'service-name' }],
    metrics: [{
      name: 'success-rate',
      interval: '1m',
      failureLimit: 3,
      successCondition: 'result[0] >= 0.95',
      provider: { prometheus: { address: 'http://prometheus.monitoring:9090', query: 'sum(rate(http_requests_total{service="{{args.service-name}}",status!~"5.."}[2m])) / sum(rate(http_requests_total{service="{{args.service-name}}"}[2m]))' } },
    }],
  };

  test('raw templates next to the controller, referenced by name from another namespace', () => {
    const { app, controllerChart, controller, services } = platform();
    const template = new SharedAnalysisTemplate(controllerChart, 'success-rate', { name: 'success-rate', spec: successRate });
    expect([template.clusterScope, template.requiredArgs, template.metricNames, template.indefiniteMetrics]).toEqual([true, ['service-name'], ['success-rate'], ['success-rate']]);
    service(services, 'checkout', { backgroundAnalysis: { templates: [template], args: [AnalysisArgument.value('service-name', 'checkout')] } });
    expect(validationErrors(app)).toEqual([]);
    const cat = find(objectsOf(controllerChart), 'ClusterAnalysisTemplate', 'success-rate');
    expect(cat.metadata.namespace).toBeUndefined();
    expect(cat.spec).toEqual(successRate);
    expect(schemas.errors(cat)).toEqual([]);
    expect(find(objectsOf(services), 'Rollout').spec.strategy.canary.analysis.templates).toEqual([{ templateName: 'success-rate', clusterScope: true }]);
    expect(controller.sharedTemplates).toEqual([]);
  });

  test('sharedTemplates: looked up by name; an external one declared by reference; a missing one is an error', () => {
    const { app, controllerChart, services } = platform();
    const latency = new SharedAnalysisTemplate(controllerChart, 'latency', { name: 'latency', spec: { metrics: [{ name: 'p95', count: 5, interval: '1m', successCondition: 'result[0] < 1', provider: { prometheus: { address: 'http://p:9090', query: 'vector(1)' } } }] } });
    const controller = RolloutsController.of(app)!;
    expect(controller).toBeDefined();
    const external = AnalysisTemplateRef.fromName('error-rate', { clusterScope: true });
    const app2 = platform({ sharedTemplates: [latency, external] });
    expect(app2.controller.sharedTemplate('latency')).toBe(latency);
    expect(constructionError(() => app2.controller.sharedTemplate('latncy')))
      .toBe('[argo-rollouts/controller] sharedTemplates: metadata.name: no shared template named "latncy" (allowed: one of ["latency","error-rate"])');
    service(app2.services, 'checkout', { backgroundAnalysis: { templates: [external] } });
    expect(validationErrors(app2.app)).toEqual([]);

    service(services, 'checkout', {
      steps: [CanaryStep.weight(20), CanaryStep.analysis({ templates: [AnalysisTemplateRef.fromName('sucess-rate', { clusterScope: true })] }), CanaryStep.pause(Duration.minutes(1))],
    });
    expect(validationErrors(app)).toEqual([
      '[argo-rollouts/controller] sharedTemplates: Rollout "checkout" (services/checkout/Resource): spec.strategy: clusteranalysistemplate.argoproj.io "sucess-rate" not found '
      + '(allowed: one of ["latency"]; or declare it in RolloutsController\'s sharedTemplates (AnalysisTemplateRef.fromName(\'sucess-rate\', { clusterScope: true }) if it is installed elsewhere))',
    ]);
  });

  test('errors: a namespaced template as shared, a raw template without metrics', () => {
    expect(constructionError(() => platform({ sharedTemplates: [AnalysisTemplateRef.fromName('success-rate')] })))
      .toBe('[argo-rollouts/controller] sharedTemplates: kind: AnalysisTemplate "success-rate" is namespaced: rollouts in other namespaces cannot use it (allowed: ClusterAnalysisTemplates (clusterScope: true))');
    expect(constructionError(() => new SharedAnalysisTemplate(new Chart(new App(), 'c'), 'empty', { name: 'empty', spec: { args: [] } })))
      .toBe('[c/empty] spec: spec.metrics: Required value: at least one metric (allowed: a spec with metrics)');
  });
});
