/**
 * The `@default` a property documents is what the code does when the property is left out: each
 * case reads the TSDoc from the source and compares it with the synthesised output.
 */
import * as fs from 'fs';
import * as path from 'path';
import {
  AlbTrafficSplit, AnalysisCheck, CanaryRollout, CanaryStep, NginxTrafficSplit, PrometheusAnalysis, WebAnalysis, WebCheck,
} from '../src';
import { find, synth, testChart } from './support/synth';

/** The `@default` text of `property` in `interface` (declared in `file` under src/). */
function documentedDefault(file: string, iface: string, property: string): string {
  const source = fs.readFileSync(path.join(__dirname, '..', 'src', file), 'utf8');
  const start = source.indexOf(`export interface ${iface} `);
  if (start < 0) throw new Error(`no interface ${iface} in ${file}`);
  const body = source.slice(start, source.indexOf('\n}\n', start));
  const match = new RegExp(`/\\*\\*((?:(?!\\*/)[\\s\\S])*?)\\*/\\s*readonly ${property}\\?:`).exec(body);
  const doc = match && /@default ([^\n]*)/.exec(match[1]);
  if (!doc) throw new Error(`no @default for ${iface}.${property}`);
  return doc[1].trim();
}

/** Seconds of a documented `Duration.<unit>(n)`. */
function seconds(text: string): number {
  const m = /^Duration\.(millis|seconds|minutes|hours)\((\d+)\)/.exec(text);
  if (!m) throw new Error(`not a Duration: ${text}`);
  return Number(m[2]) * { millis: 0.001, seconds: 1, minutes: 60, hours: 3600 }[m[1] as 'millis' | 'seconds' | 'minutes' | 'hours'];
}
const literal = (text: string) => JSON.parse(text.replace(/^'(.*)'$/, '"$1"').split(' ')[0]);

function defaults() {
  const chart = testChart('shop');
  const analysis = new PrometheusAnalysis(chart, 'analysis', { checks: [AnalysisCheck.successRate({ atLeast: 0.99 })] });
  const smoke = new WebAnalysis(chart, 'smoke', { checks: [WebCheck.http(), WebCheck.job({ name: 'e2e', image: 'e2e:1' })], count: 1 });
  new CanaryRollout(chart, 'api', {
    metadata: { name: 'api' },
    containers: [{ image: 'api:1', portNumber: 8080 }],
    trafficSplit: new NginxTrafficSplit(chart, 'nginx'),
    autoscaling: { maxReplicas: 4 },
    backgroundAnalysis: { templates: [analysis] },
    steps: [CanaryStep.weight(10), CanaryStep.analysis({ templates: [smoke] })],
  });
  new CanaryRollout(chart, 'web', { metadata: { name: 'web' }, containers: [{ image: 'web:1', portNumber: 8080 }], trafficSplit: new AlbTrafficSplit(chart, 'alb') });
  return synth(chart);
}

describe('documented defaults are the code\'s', () => {
  const objects = defaults();
  const rollout = (name: string) => find(objects, 'Rollout', name).spec;
  const template = (name: string) => objects.find((o) => o.kind === 'AnalysisTemplate' && o.spec.metrics.some((m: any) => m.name === name)).spec.metrics.find((m: any) => m.name === name);

  test.each([
    ['rollout/rollout-base.ts', 'RolloutBaseProps', 'replicas', (d: string) => expect(rollout('web').replicas).toBe(literal(d))],
    ['rollout/rollout-base.ts', 'RolloutBaseProps', 'progressDeadline', (d: string) => expect(rollout('web').progressDeadlineSeconds).toBe(seconds(d))],
    ['rollout/rollout-base.ts', 'RolloutBaseProps', 'progressDeadlineAbort', (d: string) => expect(rollout('web').progressDeadlineAbort).toBe(literal(d))],
    ['rollout/rollout-base.ts', 'RolloutAutoscalingOptions', 'minReplicas', (d: string) => expect(find(objects, 'HorizontalPodAutoscaler').spec.minReplicas).toBe(literal(d))],
    ['analysis/prometheus-analysis.ts', 'PrometheusAnalysisProps', 'window', (d: string) => expect(template('success-rate').provider.prometheus.query).toContain(`[${seconds(d) / 60}m]`)],
    ['analysis/prometheus-analysis.ts', 'PrometheusAnalysisProps', 'scrapeInterval', (d: string) => expect(template('success-rate').initialDelay).toBe(`${120 + seconds(d)}s`)],
    ['analysis/web-analysis.ts', 'HttpCheckOptions', 'path', (d: string) => expect(template('web').provider.web.url).toMatch(new RegExp(`${literal(d)}$`))],
    ['analysis/web-analysis.ts', 'JobCheckOptions', 'activeDeadline', (d: string) => expect(template('e2e').provider.job.spec.activeDeadlineSeconds).toBe(seconds(d))],
    ['traffic/nginx-traffic-split.ts', 'NginxTrafficSplitProps', 'ingressClassName', (d: string) => expect(find(objects, 'Ingress', 'api-stable').spec.ingressClassName).toBe(literal(d))],
    ['traffic/alb-traffic-split.ts', 'AlbTrafficSplitProps', 'ingressClassName', (d: string) => expect(find(objects, 'Ingress', 'web').spec.ingressClassName).toBe(literal(d))],
    ['traffic/alb-traffic-split.ts', 'AlbTrafficSplitProps', 'path', (d: string) => expect(find(objects, 'Ingress', 'web').spec.rules[0].http.paths[0].path).toBe(literal(d))],
  ])('%s %s.%s', (file, iface, property, check) => {
    check(documentedDefault(file, iface, property));
  });

  test('the interval PrometheusAnalysis documents (every minute, until the rollout ends)', () => {
    expect(documentedDefault('analysis/metric-options.ts', 'MetricOptions', 'interval')).toMatch(/^- `PrometheusAnalysis`: Duration\.minutes\(1\) \(measuring until the rollout ends/);
    expect(template('success-rate')).toMatchObject({ interval: '1m' });
    expect(template('success-rate').count).toBeUndefined();
  });
});
