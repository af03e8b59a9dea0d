import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Duration, Testing } from 'cdk8s';
import {
  AnalysisCheck, BlueGreenRollout, CanaryRollout, CanaryStep, IstioTrafficSplit, NginxTrafficSplit, ProgressiveApp, ProgressiveService,
  PrometheusAnalysis, WebAnalysis, WebCheck,
} from '../src';
import { manifestViolations } from '../src/validation/manifest-checks';
import { describeRange, inRange, numberViolation } from '../src/validation/numbers';

describe('the shared number validator', () => {
  test('NaN, infinities and fractions are never integers in range; a check written as x < 0 would pass them', () => {
    for (const bad of [NaN, Infinity, -Infinity, 1.5, -1, '3' as any, undefined as any]) {
      expect([bad, inRange(bad, { min: 0 })]).toEqual([bad, false]);
    }
    expect(inRange(0, { min: 0 })).toBe(true);
    expect(inRange(0.5, { min: 0, max: 1, fraction: true })).toBe(true);
    expect(inRange(NaN, { fraction: true })).toBe(false);
    expect(describeRange({ min: 1, max: 65535 })).toBe('an integer from 1 to 65535');
    expect(numberViolation('replicas', 'spec.replicas', NaN, { min: 0 })).toEqual({
      property: 'replicas', field: 'spec.replicas', message: 'Invalid value: NaN: must be an integer >= 0', allowed: 'an integer >= 0',
    });
    expect(numberViolation('replicas', 'spec.replicas', undefined, { min: 0 })).toBeUndefined();
  });
});

const container = { image: 'shop/api:1.0.0', portNumber: 8080 };

/** The error of synthesising an app built by `build` (construction or validation); nothing is written. */
function refusal(build: (chart: Chart) => void): string {
  const app = Testing.app();
  try {
    build(new Chart(app, 'shop', { namespace: 'shop' }));
    app.synthYaml();
  } catch (e: any) {
    return e.message;
  }
  throw new Error('expected a refusal');
}

const canary = (props: any) => (c: Chart) => new CanaryRollout(c, 'api', { metadata: { name: 'api' }, containers: [container], ...props });
const blueGreen = (props: any) => (c: Chart) => new BlueGreenRollout(c, 'api', { metadata: { name: 'api' }, containers: [container], ...props });
const analysis = (props: any) => (c: Chart) => new PrometheusAnalysis(c, 'analysis', { address: 'http://prometheus:9090', checks: [AnalysisCheck.successRate({ atLeast: 0.99 })], ...props });
const routed = (steps: CanaryStep[]) => (c: Chart) => canary({ steps, trafficSplit: new NginxTrafficSplit(c, 'traffic', { host: 'api.example.com' }) })(c);

/** One fault at a time: [what, build, expected construct path and property, allowed values]. */
const sweep: Array<[string, (c: Chart) => void, string, string]> = [];
for (const bad of [NaN, Infinity, 1.5, -1]) {
  sweep.push(
    [`replicas ${bad}`, canary({ replicas: bad }), '[shop/api] replicas', 'an integer >= 0'],
    [`revisionHistoryLimit ${bad}`, canary({ revisionHistoryLimit: bad }), '[shop/api] revisionHistoryLimit', 'an integer >= 0'],
    [`autoscaling.maxReplicas ${bad}`, canary({ autoscaling: { maxReplicas: bad } }), '[shop/api] autoscaling.maxReplicas', 'an integer >= 1'],
    [`weight step ${bad}`, routed([CanaryStep.weight(bad)]), '[shop/api] steps[0]', '0 to 100'],
    [`canaryScaleReplicas ${bad}`, routed([CanaryStep.canaryScaleReplicas(bad)]), '[shop/api] steps[0]', 'an integer >= 0'],
    [`count ${bad}`, analysis({ count: bad, interval: Duration.minutes(1) }), '[shop/analysis] checks[0].count', 'an integer >= 0'],
    [`inconclusiveLimit ${bad}`, analysis({ inconclusiveLimit: bad }), '[shop/analysis] checks[0].inconclusiveLimit', 'an integer >= 0'],
    [`consecutiveErrorLimit ${bad}`, analysis({ consecutiveErrorLimit: bad }), '[shop/analysis] checks[0].consecutiveErrorLimit', 'an integer >= 0'],
    [`ProgressiveService replicas ${bad}`, (c) => new ProgressiveService(c, 'svc', { metadata: { name: 'svc' }, containers: [container], replicas: bad }), '[shop/svc] replicas', 'an integer >= 0'],
    [`startingStep ${bad}`, canary({ backgroundAnalysis: { templates: [], startingStep: bad } }), '[shop/api] backgroundAnalysis.startingStep', 'an integer >= 0'],
    [`scaleDownDelayRevisionLimit ${bad}`, blueGreen({ scaleDownDelayRevisionLimit: bad }), '[shop/api] scaleDownDelayRevisionLimit', 'an integer >= 0'],
  );
}
for (const bad of [0, 65536, NaN, 80.5]) {
  sweep.push(
    [`container port ${bad}`, canary({ containers: [{ ...container, portNumber: bad }] }), '[shop/api] containers[0].portNumber', 'an integer from 1 to 65535'],
    [`servicePorts ${bad}`, canary({ servicePorts: [{ port: bad, targetPort: 8080 }] }), '[shop/api] servicePorts[0].port', 'an integer from 1 to 65535'],
    [`nginx port ${bad}`, (c) => new NginxTrafficSplit(c, 'traffic', { host: 'api.example.com', port: bad }), '[shop/traffic] port', 'an integer from 1 to 65535'],
    [`istio port ${bad}`, (c) => new IstioTrafficSplit(c, 'traffic', { port: bad }), '[shop/traffic] port', 'an integer from 1 to 65535'],
    [`web analysis port ${bad}`, (c) => new WebAnalysis(c, 'smoke', { checks: [WebCheck.http()], port: bad }), '[shop/smoke] port', 'an integer from 1 to 65535'],
  );
}
sweep.push(
  ['HPA minimum 0', canary({ autoscaling: { minReplicas: 0, maxReplicas: 3 } }), '[shop/api] autoscaling.minReplicas', 'an integer >= 1'],
  ['HPA maximum below minimum', canary({ autoscaling: { minReplicas: 3, maxReplicas: 2 } }), '[shop/api] autoscaling.maxReplicas', 'an integer >= 3'],
  ['HPA CPU target 0', canary({ autoscaling: { maxReplicas: 3, targetCpuUtilizationPercent: 0 } }), '[shop/api] autoscaling.targetCpuUtilizationPercent', 'an integer >= 1'],
  ['previewReplicaCount 0.5', blueGreen({ previewReplicaCount: 0.5 }), '[shop/api] previewReplicaCount', 'an integer >= 1'],
  ['minPodsPerReplicaSet 0', canary({ minPodsPerReplicaSet: 0 }), '[shop/api] minPodsPerReplicaSet', 'an integer >= 1'],
  ['canaryScaleWeight 101', routed([CanaryStep.canaryScaleWeight(101)]), '[shop/api] steps[0]', 'an integer from 0 to 100'],
  ['sub-second minReady', canary({ minReady: Duration.millis(500) }), '[shop/api] minReady', 'whole seconds'],
  ['sub-second progressDeadline', canary({ progressDeadline: Duration.millis(600500) }), '[shop/api] progressDeadline', 'whole seconds'],
  ['sub-second scaleDownDelay', blueGreen({ scaleDownDelay: Duration.millis(1500) }), '[shop/api] scaleDownDelay', 'whole seconds'],
  ['sub-second Prometheus timeout', analysis({ timeout: Duration.millis(0.5) }), '[shop/analysis] timeout', 'whole number of seconds'],
  ['Infinity in a cdk8s-plus prop (its own message names no property)', canary({ terminationGracePeriod: Duration.seconds(Infinity) }),
    '[shop/api] terminationGracePeriod', 'whole seconds'],
);

test('the final manifest of every library object: non-finite numbers anywhere, with their JSON path', () => {
  expect(manifestViolations({ kind: 'Rollout', metadata: { name: 'api' }, spec: { replicas: NaN, template: { spec: { x: [1, Infinity] } } } })).toEqual([
    { property: 'spec.replicas', field: 'Rollout/api spec.replicas', message: 'Invalid value: NaN: not a finite number', allowed: 'a finite number' },
    { property: 'spec.template.spec.x[1]', field: 'Rollout/api spec.template.spec.x[1]', message: 'Invalid value: Infinity: not a finite number', allowed: 'a finite number' },
  ]);
});

describe('numbers out of range are refused, naming the construct path, the property and the allowed values', () => {
  test.each(sweep)('%s', (_, build, prefix, allowed) => {
    const message = refusal(build);
    const line = message.split('\n').map((l) => l.trim()).find((l) => l.startsWith(prefix));
    expect([message, line]).toEqual([message, expect.stringContaining('allowed:')]);
    expect(line).toContain(allowed);
  });

  test('NaN is never written as .nan; nothing is written at all', () => {
    for (const createApp of [(outdir: string) => new App({ outdir }), (outdir: string) => new ProgressiveApp({ outdir })]) {
      const outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'numbers-')), 'dist');
      const app = createApp(outdir);
      canary({ replicas: NaN })(new Chart(app, 'shop', { namespace: 'shop' }));
      expect(() => app.synth()).toThrow(/\[shop\/api\] replicas: spec\.replicas: Invalid value: NaN: must be an integer/);
      expect(fs.existsSync(outdir) ? fs.readdirSync(outdir) : []).toEqual([]);
    }
  });
});
