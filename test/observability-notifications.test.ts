import * as YAML from 'yaml';
import { CanaryRollout, NotificationTarget, NotificationTrigger, RolloutNotificationConfig, RolloutNotifications } from '../src';
import { schemas } from './observability-schemas';
import { constructionError, find, synth, testChart } from './support/synth';

function setup(namespace = 'aragora') {
  const chart = testChart(namespace);
  const rollout = new CanaryRollout(chart, 'aragora', { metadata: { name: 'aragora' }, containers: [{ image: 'aragora/aragora:v1.1.0', portNumber: 8080 }] });
  return { chart, rollout };
}

function objects(chart: any): any[] {
  const all = synth(chart);
  for (const o of all) expect(schemas.errors(o)).toEqual([]);
  return all;
}

describe('annotations', () => {
  test('one annotation per trigger and service; recipients joined with ;', () => {
    const { chart, rollout } = setup();
    new RolloutNotifications(chart, 'notify', {
      rollout,
      subscriptions: [
        { triggers: [NotificationTrigger.ROLLOUT_COMPLETED, NotificationTrigger.ROLLOUT_ABORTED, NotificationTrigger.ANALYSIS_RUN_FAILED], targets: [NotificationTarget.slack('releases')] },
        { triggers: [NotificationTrigger.ROLLOUT_ABORTED], targets: [NotificationTarget.slack('aragora-oncall'), NotificationTarget.webhook('pagerduty-bridge')] },
      ],
    });
    const annotations = find(objects(chart), 'Rollout').metadata.annotations;
    expect(annotations).toEqual({
      'notifications.argoproj.io/subscribe.on-rollout-completed.slack': 'releases',
      'notifications.argoproj.io/subscribe.on-rollout-aborted.slack': 'aragora-oncall;releases',
      'notifications.argoproj.io/subscribe.on-analysis-run-failed.slack': 'releases',
      'notifications.argoproj.io/subscribe.on-rollout-aborted.pagerduty-bridge': '',
    });
  });

  test('two constructs on one rollout merge recipients', () => {
    const { chart, rollout } = setup();
    new RolloutNotifications(chart, 'a', { rollout, subscriptions: [{ triggers: [NotificationTrigger.ROLLOUT_PAUSED], targets: [NotificationTarget.slack('b-team')] }] });
    const second = new RolloutNotifications(chart, 'b', { rollout, subscriptions: [{ triggers: [NotificationTrigger.ROLLOUT_PAUSED], targets: [NotificationTarget.slack('a-team')] }] });
    expect(second.annotations).toEqual({ 'notifications.argoproj.io/subscribe.on-rollout-paused.slack': 'a-team;b-team' });
    expect(find(objects(chart), 'Rollout').metadata.annotations['notifications.argoproj.io/subscribe.on-rollout-paused.slack']).toBe('a-team;b-team');
  });

  test('every built-in trigger has the controller\'s name and template', () => {
    expect([
      NotificationTrigger.ROLLOUT_COMPLETED, NotificationTrigger.ROLLOUT_STEP_COMPLETED, NotificationTrigger.ROLLOUT_UPDATED,
      NotificationTrigger.SCALING_REPLICA_SET, NotificationTrigger.ROLLOUT_ABORTED, NotificationTrigger.ROLLOUT_PAUSED,
      NotificationTrigger.ANALYSIS_RUN_RUNNING, NotificationTrigger.ANALYSIS_RUN_ERROR, NotificationTrigger.ANALYSIS_RUN_FAILED,
    ].map((t) => [t.name, t.templateName, t.builtIn])).toEqual([
      ['on-rollout-completed', 'rollout-completed', true], ['on-rollout-step-completed', 'rollout-step-completed', true],
      ['on-rollout-updated', 'rollout-updated', true], ['on-scaling-replica-set', 'scaling-replicaset', true],
      ['on-rollout-aborted', 'rollout-aborted', true], ['on-rollout-paused', 'rollout-paused', true],
      ['on-analysis-run-running', 'analysis-run-running', true], ['on-analysis-run-error', 'analysis-run-error', true],
      ['on-analysis-run-failed', 'analysis-run-failed', true],
    ]);
    const resumed = NotificationTrigger.onEvent('RolloutResumed');
    expect([resumed.name, resumed.templateName, resumed.builtIn]).toEqual(['on-rollout-resumed', 'rollout-resumed', false]);
  });
});

describe('notification ConfigMap', () => {
  test('services by Secret reference, a template and a trigger per subscribed trigger', () => {
    const { chart, rollout } = setup();
    const config = new RolloutNotificationConfig(chart, 'config');
    new RolloutNotifications(chart, 'notify', {
      rollout,
      config,
      subscriptions: [
        { triggers: [NotificationTrigger.ROLLOUT_COMPLETED, NotificationTrigger.ROLLOUT_ABORTED], targets: [NotificationTarget.slack('releases')] },
        { triggers: [NotificationTrigger.ROLLOUT_ABORTED, NotificationTrigger.onEvent('RolloutResumed')], targets: [NotificationTarget.webhook('deploy-log', { urlSecretKey: 'deploy-log-url' })] },
      ],
    });
    const cm = find(objects(chart), 'ConfigMap', 'argo-rollouts-notification-configmap');
    expect(cm.metadata.namespace).toBe('argo-rollouts');
    expect(Object.keys(cm.data)).toEqual([
      'service.slack', 'service.webhook.deploy-log',
      'template.rollout-aborted', 'template.rollout-completed', 'template.rollout-resumed',
      'trigger.on-rollout-aborted', 'trigger.on-rollout-completed', 'trigger.on-rollout-resumed',
    ]);
    expect(YAML.parse(cm.data['service.slack'])).toEqual({ token: '$slack-token' });
    expect(YAML.parse(cm.data['service.webhook.deploy-log'])).toEqual({ url: '$deploy-log-url', headers: [{ name: 'Content-Type', value: 'application/json' }] });
    expect(YAML.parse(cm.data['trigger.on-rollout-resumed'])).toEqual([{ send: ['rollout-resumed'] }]);

    const aborted = YAML.parse(cm.data['template.rollout-aborted']);
    expect(aborted.message).toBe('Rollout {{.rollout.metadata.name}} was aborted.');
    expect(JSON.parse(aborted.slack.attachments)[0]).toMatchObject({ title: '{{.rollout.metadata.namespace}}/{{.rollout.metadata.name}}', color: '#e01e5a' });
    expect(aborted.webhook['deploy-log'].method).toBe('POST');
    expect(JSON.parse(aborted.webhook['deploy-log'].body)).toMatchObject({ event: 'on-rollout-aborted', rollout: '{{.rollout.metadata.name}}' });
    // slack only subscribed to completed: no webhook part there
    expect(YAML.parse(cm.data['template.rollout-completed']).webhook).toBeUndefined();
    // no secret value anywhere
    expect(JSON.stringify(cm)).not.toMatch(/xox|https?:/);
  });

  test('deterministic', () => {
    const render = () => {
      const { chart, rollout } = setup();
      const config = new RolloutNotificationConfig(chart, 'config', { metadata: { namespace: 'aragora' } });
      new RolloutNotifications(chart, 'n', { rollout, config, subscriptions: [{ triggers: [NotificationTrigger.ROLLOUT_ABORTED, NotificationTrigger.ROLLOUT_COMPLETED], targets: [NotificationTarget.slack('x')] }] });
      return JSON.stringify(synth(chart));
    };
    expect(render()).toBe(render());
  });
});

describe('errors', () => {
  test.each([
    ['a Slack bot token as channel', () => NotificationTarget.slack('xoxb-1234-5678-abcdef'), 'channel looks like a token or URL'],
    ['a webhook URL as channel', () => NotificationTarget.slack('https://hooks.slack.com/services/T000/B000/XXXX'), 'channel looks like a token or URL'],
    ['a token as Secret key', () => NotificationTarget.slack('releases', { tokenSecretKey: 'xoxp-123-456' }), 'tokenSecretKey looks like a token or URL'],
    ['a URL with credentials as Secret key', () => NotificationTarget.webhook('hook', { urlSecretKey: 'https://user:pass@example.com/hook' }), 'urlSecretKey looks like a token or URL'],
  ])('%s is refused without echoing it', (_, fn, message) => {
    const error = constructionError(fn);
    expect(error).toContain(`NotificationTarget: ${message}; secrets are never written into manifests: put it in the Secret argo-rollouts-notification-secret`);
    expect(error).not.toMatch(/xox[bp]-|hooks\.slack|user:pass/);
  });

  test.each([
    [() => NotificationTarget.slack('#releases'), 'channel "#releases" is not a Slack channel name or ID'],
    [() => NotificationTarget.webhook('My_Hook'), 'name "My_Hook" is not a service name'],
    [() => NotificationTarget.slack('releases', { tokenSecretKey: 'a key' }), 'tokenSecretKey "a key" is not a Secret key'],
    [() => NotificationTrigger.onEvent('rollout-resumed'), '"rollout-resumed" is not an event reason'],
  ])('invalid names: %#', (fn, message) => {
    expect(constructionError(fn)).toContain(message);
  });

  test('a custom trigger without a config would be "not configured" at run time', () => {
    const { chart, rollout } = setup();
    expect(constructionError(() => new RolloutNotifications(chart, 'n', { rollout, subscriptions: [{ triggers: [NotificationTrigger.onEvent('RolloutResumed')], targets: [NotificationTarget.slack('x')] }] })))
      .toContain("[test/n] subscriptions[0].triggers: data.trigger.on-rollout-resumed: trigger 'on-rollout-resumed' is not configured (allowed: built-in triggers, or pass a RolloutNotificationConfig to define it)");
  });

  test('empty subscriptions are refused', () => {
    const { chart, rollout } = setup();
    expect(constructionError(() => new RolloutNotifications(chart, 'n', { rollout, subscriptions: [] }))).toContain('subscriptions: metadata.annotations: Required value: no subscription');
    expect(constructionError(() => new RolloutNotifications(chart, 'm', { rollout, subscriptions: [{ triggers: [], targets: [NotificationTarget.slack('x')] }] })))
      .toContain('subscriptions[0]: metadata.annotations: Required value: a subscription needs triggers and targets');
  });

  test('one service configured two ways is refused', () => {
    const { chart, rollout } = setup();
    const config = new RolloutNotificationConfig(chart, 'config');
    new RolloutNotifications(chart, 'a', { rollout, config, subscriptions: [{ triggers: [NotificationTrigger.ROLLOUT_ABORTED], targets: [NotificationTarget.slack('x')] }] });
    expect(constructionError(() => new RolloutNotifications(chart, 'b', { rollout, config, subscriptions: [{ triggers: [NotificationTrigger.ROLLOUT_ABORTED], targets: [NotificationTarget.slack('y', { tokenSecretKey: 'other-token' })] }] })))
      .toContain('[test/config] targets: data.service.slack: service service.slack is configured twice, differently');
  });
});
