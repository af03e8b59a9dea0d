import { CanaryRollout, NotificationTarget, RolloutNotifications, RolloutNotificationTrigger } from '../src';
import { constructionError, find, schemas, synth, testChart } from './support/synth';

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
        { triggers: [RolloutNotificationTrigger.ROLLOUT_COMPLETED, RolloutNotificationTrigger.ROLLOUT_ABORTED, RolloutNotificationTrigger.ANALYSIS_RUN_FAILED], targets: [NotificationTarget.slack('releases')] },
        { triggers: [RolloutNotificationTrigger.ROLLOUT_ABORTED], targets: [NotificationTarget.slack('aragora-oncall'), NotificationTarget.webhook('pagerduty-bridge')] },
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
    new RolloutNotifications(chart, 'a', { rollout, subscriptions: [{ triggers: [RolloutNotificationTrigger.ROLLOUT_PAUSED], targets: [NotificationTarget.slack('b-team')] }] });
    const second = new RolloutNotifications(chart, 'b', { rollout, subscriptions: [{ triggers: [RolloutNotificationTrigger.ROLLOUT_PAUSED], targets: [NotificationTarget.slack('a-team')] }] });
    expect(second.annotations).toEqual({ 'notifications.argoproj.io/subscribe.on-rollout-paused.slack': 'a-team;b-team' });
    expect(find(objects(chart), 'Rollout').metadata.annotations['notifications.argoproj.io/subscribe.on-rollout-paused.slack']).toBe('a-team;b-team');
  });

  test('every built-in trigger has the controller\'s name and template', () => {
    expect([
      RolloutNotificationTrigger.ROLLOUT_COMPLETED, RolloutNotificationTrigger.ROLLOUT_STEP_COMPLETED, RolloutNotificationTrigger.ROLLOUT_UPDATED,
      RolloutNotificationTrigger.SCALING_REPLICA_SET, RolloutNotificationTrigger.ROLLOUT_ABORTED, RolloutNotificationTrigger.ROLLOUT_PAUSED,
      RolloutNotificationTrigger.ANALYSIS_RUN_RUNNING, RolloutNotificationTrigger.ANALYSIS_RUN_ERROR, RolloutNotificationTrigger.ANALYSIS_RUN_FAILED,
    ].map((t) => [t.name, t.templateName, t.builtIn])).toEqual([
      ['on-rollout-completed', 'rollout-completed', true], ['on-rollout-step-completed', 'rollout-step-completed', true],
      ['on-rollout-updated', 'rollout-updated', true], ['on-scaling-replica-set', 'scaling-replicaset', true],
      ['on-rollout-aborted', 'rollout-aborted', true], ['on-rollout-paused', 'rollout-paused', true],
      ['on-analysis-run-running', 'analysis-run-running', true], ['on-analysis-run-error', 'analysis-run-error', true],
      ['on-analysis-run-failed', 'analysis-run-failed', true],
    ]);
    const resumed = RolloutNotificationTrigger.onEvent('RolloutResumed');
    expect([resumed.name, resumed.templateName, resumed.builtIn]).toEqual(['on-rollout-resumed', 'rollout-resumed', false]);
  });
});

test('deterministic', () => {
  const render = () => {
    const { chart, rollout } = setup();
    new RolloutNotifications(chart, 'n', { rollout, subscriptions: [{ triggers: [RolloutNotificationTrigger.ROLLOUT_ABORTED, RolloutNotificationTrigger.ROLLOUT_COMPLETED], targets: [NotificationTarget.slack('x')] }] });
    return JSON.stringify(synth(chart));
  };
  expect(render()).toBe(render());
});

describe('errors', () => {
  test.each([
    ['a Slack bot token as channel', () => NotificationTarget.slack('xoxb-1234-5678-abcdef'), 'channel looks like a token or URL'],
    ['a webhook URL as channel', () => NotificationTarget.slack('https://hooks.slack.com/services/T000/B000/XXXX'), 'channel looks like a token or URL'],
    ['a token as Slack service', () => NotificationTarget.slack('releases', 'xoxp-123-456'), 'service looks like a token or URL'],
    ['a URL with credentials as webhook', () => NotificationTarget.webhook('https://user:pass@example.com/hook'), 'service looks like a token or URL'],
  ])('%s is refused without echoing it', (_, fn, message) => {
    const error = constructionError(fn);
    expect(error).toContain(`NotificationTarget: ${message}; secrets are never written into manifests: put it in the Secret argo-rollouts-notification-secret`);
    expect(error).not.toMatch(/xox[bp]-|hooks\.slack|user:pass/);
  });

  test.each([
    [() => NotificationTarget.slack('#releases'), 'channel "#releases" is not a Slack channel name or ID'],
    [() => NotificationTarget.webhook('My_Hook'), 'service "My_Hook" is not a service name'],
    [() => NotificationTarget.slack('releases', 'a service'), 'service "a service" is not a service name'],
    [() => RolloutNotificationTrigger.onEvent('rollout-resumed'), '"rollout-resumed" is not an event reason'],
  ])('invalid names: %#', (fn, message) => {
    expect(constructionError(fn)).toContain(message);
  });

  test('a trigger and service too long for an annotation key (found by the fuzz: the API server refuses a name part over 63 characters)', () => {
    const { chart, rollout } = setup();
    const hook = NotificationTarget.webhook('release-announcements-for-the-platform-team');
    expect(constructionError(() => new RolloutNotifications(chart, 'n', { rollout, subscriptions: [{ triggers: [RolloutNotificationTrigger.ANALYSIS_RUN_FAILED], targets: [hook] }] })))
      .toBe('[test/n] subscriptions[0]: metadata.annotations: Invalid value: "notifications.argoproj.io/subscribe.on-analysis-run-failed.release-announcements-for-the-platform-team": name part must be no more than 63 characters (trigger "on-analysis-run-failed", service "release-announcements-for-the-platform-team": the API server refuses the annotation) (allowed: a trigger and service name of at most 52 characters together)');
    const ok = new RolloutNotifications(chart, 'm', { rollout, subscriptions: [{ triggers: [RolloutNotificationTrigger.ROLLOUT_COMPLETED], targets: [NotificationTarget.webhook('a'.repeat(63 - 'subscribe.on-rollout-completed.'.length))] }] });
    expect(Object.keys(ok.annotations)[0].split('/')[1]).toHaveLength(63);
  });

  test('empty subscriptions are refused', () => {
    const { chart, rollout } = setup();
    expect(constructionError(() => new RolloutNotifications(chart, 'n', { rollout, subscriptions: [] }))).toContain('[test/n] subscriptions: metadata.annotations: Required value: no subscription');
    expect(constructionError(() => new RolloutNotifications(chart, 'm', { rollout, subscriptions: [{ triggers: [], targets: [NotificationTarget.slack('x')] }] })))
      .toContain('subscriptions[0]: metadata.annotations: Required value: a subscription needs triggers and targets');
  });
});
