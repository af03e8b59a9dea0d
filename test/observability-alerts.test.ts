import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { AlertSeverity, CanaryRollout, CanaryStep, RolloutAlerts, RolloutAlertsProps, RolloutSelection } from '../src';
import { constructionError, find, schemas, synth, testChart, validationErrors } from './support/synth';
import { promqlSyntaxError } from '../src/analysis/promql';

const NS = 'data-platform';

function rollout(chart = testChart(NS), name = 'portal', pause = Duration.minutes(2)): CanaryRollout {
  // Service names are DNS-1035 labels: a dotted rollout name needs Services named otherwise
  const service = (role: string) => (name.includes('.') ? new kplus.Service(chart, `${name}-${role}`, { metadata: { name: `${name.replace(/\./g, '-')}-${role}` }, ports: [{ port: 8080 }] }) : undefined);
  return new CanaryRollout(chart, name, {
    metadata: { name },
    stableService: service('stable'),
    canaryService: service('canary'),
    containers: [{ image: 'hmco/portal:1.0.0', portNumber: 8080 }],
    steps: [CanaryStep.weight(20), CanaryStep.pause(pause), CanaryStep.weight(60), CanaryStep.pauseUntilPromoted()],
  });
}

/** Synthesises alerts for one rollout (plus props) and returns the PrometheusRule. */
function rule(props: RolloutAlertsProps = {}, scope: 'rollout' | 'namespace' | 'all' = 'rollout', rolloutName = 'portal'): any {
  const chart = testChart(NS);
  const r = rollout(chart, rolloutName);
  const s = scope === 'rollout' ? RolloutSelection.one(r) : scope === 'namespace' ? RolloutSelection.inNamespace(NS) : RolloutSelection.all();
  new RolloutAlerts(chart, 'alerts', { rollouts: s, ...props });
  const objects = synth(chart);
  for (const o of objects) expect(schemas.errors(o)).toEqual([]);
  return find(objects, 'PrometheusRule');
}

const byName = (prometheusRule: any, alert: string) => prometheusRule.spec.groups[0].rules.find((r: any) => r.alert === alert);

// ---- promtool ---------------------------------------------------------------------------------

interface Series { readonly series: string; readonly values: string }
interface Expected { readonly labels: Record<string, string>; readonly value?: string }
interface Case { readonly series: Series[]; readonly at: string; readonly alert: string; readonly expected: Expected[] }

/** `rollout_info{namespace=..,name=..,phase=..}` and friends. */
const s = (metric: string, labels: Record<string, string>, values: string): Series =>
  ({ series: `${metric}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',')}}`, values });

/** Expands the rule's annotation templates the way Prometheus does for the labels we expect. */
function expand(text: string, labels: Record<string, string>, value = ''): string {
  return text.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, l) => labels[l] ?? '').replace(/\{\{ \$value \}\}/g, value);
}

/** Writes the rule group and one promtool test per case; returns promtool's output, throwing on failure. */
function promtool(prometheusRule: any, cases: Case[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollout-alerts-'));
  try {
    const group = prometheusRule.spec.groups[0];
    fs.writeFileSync(path.join(dir, 'rules.json'), JSON.stringify({ groups: prometheusRule.spec.groups }));
    const tests = cases.map((c) => {
      const alertRule = group.rules.find((r: any) => r.alert === c.alert);
      return {
        interval: '1m',
        input_series: c.series,
        alert_rule_test: [{
          eval_time: c.at,
          alertname: c.alert,
          exp_alerts: c.expected.map((e) => {
            const labels = { ...alertRule.labels, ...e.labels };
            const annotations = Object.entries(alertRule.annotations).map(([k, v]) => [k, expand(v as string, labels, e.value)]);
            return { exp_labels: labels, exp_annotations: Object.fromEntries(annotations) };
          }),
        }],
      };
    });
    fs.writeFileSync(path.join(dir, 'test.json'), JSON.stringify({ rule_files: ['rules.json'], evaluation_interval: '1m', tests }));
    try {
      return execFileSync('promtool', ['check', 'rules', 'rules.json'], { cwd: dir, encoding: 'utf8' })
        + execFileSync('promtool', ['test', 'rules', 'test.json'], { cwd: dir, encoding: 'utf8' });
    } catch (e: any) {
      throw new Error(`promtool failed:\n${e.stdout}\n${e.stderr}`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const portal = { namespace: NS, name: 'portal' };
const info = (phase: string, values: string, labels = portal) => s('rollout_info', { ...labels, strategy: 'canary', traffic_router: '', phase }, values);
const metricPhase = (run: string, phase: string, values: string, extra: Record<string, string> = {}) =>
  s('analysis_run_metric_phase', { namespace: NS, name: run, metric: 'success-rate', type: 'Prometheus', dry_run: 'false', phase, ...extra }, values);

describe('promtool', () => {
  test('every alert fires on its failure series and stays quiet on healthy ones (one-rollout scope)', () => {
    const out = promtool(rule({ labels: { team: 'data' } }), [
      // aborted: fires after 1m; other rollouts and namespaces, and a completed portal, stay quiet
      { alert: 'RolloutAborted', at: '5m', series: [info('Abort', '1x20')], expected: [{ labels: portal }] },
      { alert: 'RolloutAborted', at: '5m', series: [info('Completed', '1x20'), info('Abort', '1x20', { namespace: NS, name: 'portal-v2' }), info('Abort', '1x20', { namespace: 'other', name: 'portal' })], expected: [] },
      { alert: 'RolloutAborted', at: '30s', series: [info('Abort', '1x20')], expected: [] },
      // degraded: Abort, Timeout, InvalidSpec, after 5m
      ...['Abort', 'Timeout', 'InvalidSpec'].map((phase) => ({ alert: 'RolloutDegraded', at: '10m', series: [info(phase, '1x20')], expected: [{ labels: portal }] })),
      { alert: 'RolloutDegraded', at: '10m', series: [info('Paused', '1x20'), info('Error', '1x20', { namespace: NS, name: 'mlflow' })], expected: [] },
      // stalled: progressing for 30m
      { alert: 'RolloutStalled', at: '40m', series: [info('Progressing', '1x60')], expected: [{ labels: portal }] },
      { alert: 'RolloutStalled', at: '20m', series: [info('Progressing', '1x60')], expected: [] },
      // paused too long: 1h default (the rollout's longest timed pause is 2m)
      { alert: 'RolloutPausedTooLong', at: '70m', series: [info('Paused', '1x90')], expected: [{ labels: portal }] },
      { alert: 'RolloutPausedTooLong', at: '50m', series: [info('Paused', '1x90')], expected: [] },
      // analysis failed: background and step runs of portal, for 30 minutes after the failure
      {
        alert: 'RolloutAnalysisFailed',
        at: '5m',
        series: [metricPhase('portal-6b4f9c7d8-3', 'Failed', '0 0 0 1x60')],
        expected: [{ labels: { namespace: NS, name: 'portal-6b4f9c7d8-3', metric: 'success-rate', phase: 'Failed', rollout: 'portal' } }],
      },
      {
        alert: 'RolloutAnalysisFailed',
        at: '5m',
        series: [metricPhase('portal-6b4f9c7d8-3-4', 'Error', '0 0 0 1x60')],
        expected: [{ labels: { namespace: NS, name: 'portal-6b4f9c7d8-3-4', metric: 'success-rate', phase: 'Error', rollout: 'portal' } }],
      },
      { alert: 'RolloutAnalysisFailed', at: '40m', series: [metricPhase('portal-6b4f9c7d8-3', 'Failed', '0 0 0 1x60')], expected: [] },
      {
        alert: 'RolloutAnalysisFailed',
        at: '5m',
        series: [
          metricPhase('portal-6b4f9c7d8-3', 'Successful', '0 0 0 1x60'),
          metricPhase('portal-6b4f9c7d8-3', 'Failed', '0x60'),
          metricPhase('portal-6b4f9c7d8-4', 'Failed', '0 0 0 1x60', { dry_run: 'true' }),
          metricPhase('portal-v2-6b4f9c7d8-1', 'Failed', '0 0 0 1x60'),
        ],
        expected: [],
      },
      // inconclusive
      {
        alert: 'RolloutAnalysisInconclusive',
        at: '5m',
        series: [metricPhase('portal-6b4f9c7d8-3-2', 'Inconclusive', '0 0 1x60')],
        expected: [{ labels: { namespace: NS, name: 'portal-6b4f9c7d8-3-2', metric: 'success-rate', phase: 'Inconclusive', rollout: 'portal' } }],
      },
      { alert: 'RolloutAnalysisInconclusive', at: '5m', series: [metricPhase('portal-6b4f9c7d8-3-2', 'Inconclusive', '0x60')], expected: [] },
      // replicas unavailable for 15m
      { alert: 'RolloutReplicasUnavailable', at: '20m', series: [s('rollout_info_replicas_unavailable', portal, '2x30')], expected: [{ labels: portal, value: '2' }] },
      { alert: 'RolloutReplicasUnavailable', at: '20m', series: [s('rollout_info_replicas_unavailable', portal, '0x30')], expected: [] },
    ]);
    expect(out).toContain('SUCCESS');
  });

  test('namespace scope: every rollout of the namespace, run names split back into rollout names', () => {
    const other = { namespace: NS, name: 'mlflow' };
    const out = promtool(rule({}, 'namespace'), [
      { alert: 'RolloutAborted', at: '5m', series: [info('Abort', '1x20', other), info('Abort', '1x20', { namespace: 'other', name: 'x' })], expected: [{ labels: other }] },
      {
        alert: 'RolloutAnalysisFailed',
        at: '5m',
        series: [metricPhase('api-v2-5c8d7f9b4-12-3', 'Failed', '0 0 1x60')],
        expected: [{ labels: { namespace: NS, name: 'api-v2-5c8d7f9b4-12-3', metric: 'success-rate', phase: 'Failed', rollout: 'api-v2' } }],
      },
      {
        alert: 'RolloutAnalysisFailed',
        at: '5m',
        series: [metricPhase('web-5c8d7f9b4-2-pre', 'Failed', '0 0 1x60')],
        expected: [{ labels: { namespace: NS, name: 'web-5c8d7f9b4-2-pre', metric: 'success-rate', phase: 'Failed', rollout: 'web' } }],
      },
    ]);
    expect(out).toContain('SUCCESS');
  });

  test('controller down: fires when the controller target is down or gone, quiet when up', () => {
    const out = promtool(rule({}, 'all'), [
      { alert: 'ArgoRolloutsControllerDown', at: '10m', series: [s('up', { job: 'argo-rollouts-metrics', instance: 'a' }, '0x20')], expected: [{ labels: {} }] },
      { alert: 'ArgoRolloutsControllerDown', at: '10m', series: [s('up', { job: 'other', instance: 'a' }, '1x20')], expected: [{ labels: {} }] },
      { alert: 'ArgoRolloutsControllerDown', at: '10m', series: [s('up', { job: 'argo-rollouts-metrics', instance: 'a' }, '1x20')], expected: [] },
    ]);
    expect(out).toContain('SUCCESS');
  });

  test('a rollout name with regex characters is escaped', () => {
    const out = promtool(rule({}, 'rollout', 'portal.v2'), [
      {
        alert: 'RolloutAnalysisFailed',
        at: '5m',
        series: [metricPhase('portal.v2-6b4f9c7d8-3', 'Failed', '0 0 1x60')],
        expected: [{ labels: { namespace: NS, name: 'portal.v2-6b4f9c7d8-3', metric: 'success-rate', phase: 'Failed', rollout: 'portal.v2' } }],
      },
      { alert: 'RolloutAnalysisFailed', at: '5m', series: [metricPhase('portalxv2-6b4f9c7d8-3', 'Failed', '0 0 1x60')], expected: [] },
    ]);
    expect(out).toContain('SUCCESS');
  });
});

// ---- fields ------------------------------------------------------------------------------------

describe('fields', () => {
  test('default set for one rollout: severities, for, labels, annotations; every expr parses', () => {
    const r = rule({ labels: { team: 'data' }, runbookUrl: 'https://runbooks.example/rollouts' });
    const rules = r.spec.groups[0].rules;
    expect(r.metadata.namespace).toBe(NS);
    expect(r.spec.groups[0].name).toBe('argo-rollouts');
    expect(rules.map((x: any) => [x.alert, x.labels.severity, x.for])).toEqual([
      ['RolloutAborted', 'critical', '1m'],
      ['RolloutDegraded', 'warning', '5m'],
      ['RolloutStalled', 'warning', '30m'],
      ['RolloutPausedTooLong', 'warning', '1h'],
      ['RolloutAnalysisFailed', 'critical', undefined],
      ['RolloutAnalysisInconclusive', 'warning', undefined],
      ['RolloutReplicasUnavailable', 'warning', '15m'],
    ]);
    for (const x of rules) {
      expect(promqlSyntaxError(x.expr)).toBeUndefined();
      expect(x.labels.team).toBe('data');
      expect(x.annotations.runbook_url).toBe('https://runbooks.example/rollouts');
    }
    expect(byName(r, 'RolloutAborted').expr).toBe('max by (namespace, name) (rollout_info{namespace="data-platform",name="portal",phase="Abort"}) == 1');
    expect(byName(r, 'RolloutDegraded').expr).toContain('phase=~"Abort|Timeout|InvalidSpec"');
    expect(byName(r, 'RolloutAnalysisFailed').expr).toContain('name=~"(portal)-[a-z0-9]+-[0-9]+');
  });

  test('namespace scope is the default in a chart with a namespace; all rollouts without one', () => {
    const chart = testChart(NS);
    new RolloutAlerts(chart, 'alerts');
    expect(byName(find(synth(chart), 'PrometheusRule'), 'RolloutAborted').expr).toBe('max by (namespace, name) (rollout_info{namespace="data-platform",phase="Abort"}) == 1');

    const bare = Testing.chart();
    const all = new RolloutAlerts(bare, 'alerts');
    expect(all.rollouts.description).toBe('all rollouts');
    const rules = Testing.synth(bare)[0].spec.groups[0].rules;
    expect(byName({ spec: { groups: [{ rules }] } }, 'RolloutAborted').expr).toBe('max by (namespace, name) (rollout_info{phase="Abort"}) == 1');
    expect(byName({ spec: { groups: [{ rules }] } }, 'ArgoRolloutsControllerDown').expr).toBe('absent(up{job="argo-rollouts-metrics"} == 1)');
  });

  test('severity, pendingFor and enabled per alert; controller job; group name; window', () => {
    const r = rule({
      aborted: { severity: AlertSeverity.WARNING, pendingFor: Duration.seconds(90) },
      stalled: { enabled: false },
      controllerDown: { enabled: true, severity: AlertSeverity.INFO },
      controllerJob: 'rollouts',
      groupName: 'portal-release',
      analysisAlertWindow: Duration.hours(2),
    });
    expect(r.spec.groups[0].name).toBe('portal-release');
    expect(byName(r, 'RolloutAborted')).toMatchObject({ for: '90s', labels: { severity: 'warning' } });
    expect(byName(r, 'RolloutStalled')).toBeUndefined();
    expect(byName(r, 'ArgoRolloutsControllerDown')).toMatchObject({ expr: 'absent(up{job="rollouts"} == 1)', labels: { severity: 'info' } });
    expect(byName(r, 'RolloutAnalysisFailed').expr).toContain('offset 2h');
  });

  test('paused too long defaults to 15 minutes more than a long timed pause', () => {
    const chart = testChart(NS);
    const r = rollout(chart, 'portal', Duration.hours(2));
    new RolloutAlerts(chart, 'alerts', { rollouts: RolloutSelection.one(r) });
    expect(byName(find(synth(chart), 'PrometheusRule'), 'RolloutPausedTooLong').for).toBe('135m');
  });

  test('deterministic', () => {
    expect(JSON.stringify(rule())).toBe(JSON.stringify(rule()));
  });
});

// ---- errors ------------------------------------------------------------------------------------

describe('errors', () => {
  test.each(['severity', 'alertname', 'bad-label', '__name'])('label %s is refused', (label) => {
    const chart = testChart(NS);
    expect(constructionError(() => new RolloutAlerts(chart, 'alerts', { labels: { [label]: 'x' } })))
      .toContain(`[test/alerts] labels: spec.groups[0].rules[].labels.${label}: invalid alert label name "${label}"`);
  });

  test('an empty group name is refused', () => {
    expect(constructionError(() => new RolloutAlerts(testChart(NS), 'alerts', { groupName: ' ' })))
      .toContain('groupName: spec.groups[0].name: Required value: empty rule group name');
  });

  test('pausedTooLong shorter than the rollout\'s own timed pause fails synth', () => {
    const chart = testChart(NS);
    const r = rollout(chart, 'portal', Duration.minutes(30));
    new RolloutAlerts(chart, 'alerts', { rollouts: RolloutSelection.one(r), pausedTooLong: { pendingFor: Duration.minutes(20) } });
    expect(validationErrors(chart.node.root as any)).toEqual([
      expect.stringContaining('pausedTooLong.pendingFor: spec.groups[0].rules[RolloutPausedTooLong].for: 20m would fire during every release: rollout portal in data-platform pauses 1800s at spec.strategy.canary.steps[1].pause (allowed: a duration longer than 1800s)'),
    ]);
  });
});
