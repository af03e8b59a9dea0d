import { Duration } from 'cdk8s';
import { AnalysisTemplateRef, CanaryStep, EnvironmentProfile, ProgressiveService } from '../src';
import { find, schemas, synth, testChart } from './support/synth';

const steps = (profile: EnvironmentProfile) => profile.steps.map((s) => s._render(undefined as any, 0).json);

describe('EnvironmentProfile presets (seed 004 steps, seed 003 thresholds)', () => {
  test('dev: straight to 100%, no thresholds', () => {
    const dev = EnvironmentProfile.dev();
    expect(dev.name).toBe('dev');
    expect(steps(dev)).toEqual([{ setWeight: 100 }]);
    expect(dev.thresholds).toEqual({});
    expect(dev.progressive).toBe(true);
  });

  test('staging: 50% for 5 minutes; 97% success, p95 300ms, CPU 75%, memory 80%', () => {
    const staging = EnvironmentProfile.staging();
    expect(steps(staging)).toEqual([{ setWeight: 50 }, { pause: { duration: '5m' } }]);
    expect(staging.thresholds).toEqual({
      minSuccessRate: 0.97,
      maxLatencyP95: Duration.millis(300),
      maxCpuUtilization: 0.75,
      maxMemoryUtilization: 0.80,
      minReadyRatio: 0.99,
      failuresToAbort: 2,
      resourceFailuresToAbort: 1,
    });
  });

  test('production: 10/25/50/75 with 10/10/15/10-minute pauses; 99% success, p95 200ms; manual blue-green promotion', () => {
    const prod = EnvironmentProfile.production();
    expect(steps(prod)).toEqual([
      { setWeight: 10 }, { pause: { duration: '10m' } }, { setWeight: 25 }, { pause: { duration: '10m' } },
      { setWeight: 50 }, { pause: { duration: '15m' } }, { setWeight: 75 }, { pause: { duration: '10m' } },
    ]);
    expect(prod.thresholds.minSuccessRate).toBe(0.99);
    expect(prod.thresholds.maxLatencyP95!.toMilliseconds()).toBe(200);
    expect(prod.thresholds.minReadyRatio).toBe(0.999);
    expect(prod.blueGreen()).toEqual({ autoPromotionEnabled: false, scaleDownDelay: Duration.minutes(5) });
  });
});

describe('overrides', () => {
  test('seed 003 staging: weights 10/25/50 with 3/5/10-minute pauses, thresholds kept', () => {
    const staging = EnvironmentProfile.staging({ weights: [10, 25, 50], pauses: [Duration.minutes(3), Duration.minutes(5), Duration.minutes(10)] });
    expect(steps(staging)).toEqual([
      { setWeight: 10 }, { pause: { duration: '3m' } }, { setWeight: 25 }, { pause: { duration: '5m' } }, { setWeight: 50 }, { pause: { duration: '10m' } },
    ]);
    expect(staging.thresholds.minSuccessRate).toBe(0.97);
  });

  test('one pause for every weight', () => {
    expect(steps(EnvironmentProfile.custom('qa', { weights: [20, 60], pauses: [Duration.minutes(2)] }))).toEqual([
      { setWeight: 20 }, { pause: { duration: '2m' } }, { setWeight: 60 }, { pause: { duration: '2m' } },
    ]);
  });

  test('thresholds merge field by field; undefined does not erase a preset value', () => {
    const prod = EnvironmentProfile.production({ thresholds: { maxLatencyP95: Duration.millis(500), minSuccessRate: undefined } });
    expect(prod.thresholds.maxLatencyP95!.toMilliseconds()).toBe(500);
    expect(prod.thresholds.minSuccessRate).toBe(0.99);
    expect(prod.thresholds.maxCpuUtilization).toBe(0.70);
  });

  test('seed 003 dev: no progressive delivery gives a plain Deployment through the switch', () => {
    const chart = testChart('dev');
    new ProgressiveService(chart, 'backend', {
      metadata: { name: 'backend' },
      containers: [{ image: 'backend:1', portNumber: 8000 }],
      delivery: EnvironmentProfile.dev({ progressive: false }).canaryDelivery(),
    });
    expect(synth(chart).map((o) => o.kind).sort()).toEqual(['Deployment', 'Service']);
  });
});

describe('profiles in a ProgressiveService', () => {
  test('canaryDelivery puts the profile\'s steps in the Rollout next to the user\'s options', () => {
    const chart = testChart('prod');
    new ProgressiveService(chart, 'myapp', {
      metadata: { name: 'myapp' },
      containers: [{ image: 'myapp:1', portNumber: 8080 }],
      delivery: EnvironmentProfile.staging().canaryDelivery({ backgroundAnalysis: { templates: [AnalysisTemplateRef.fromName('success-rate')] } }),
    });
    const objects = synth(chart);
    const canary = find(objects, 'Rollout').spec.strategy.canary;
    expect(canary.steps).toEqual([{ setWeight: 50 }, { pause: { duration: '5m' } }]);
    expect(canary.analysis.templates).toEqual([{ templateName: 'success-rate' }]);
    for (const o of objects) expect(schemas.errors(o)).toEqual([]);
  });

  test('explicit steps win over the profile\'s', () => {
    expect(EnvironmentProfile.production().canary({ steps: [CanaryStep.pauseUntilPromoted()] }).steps).toHaveLength(1);
  });

  test('blueGreenDelivery: production waits for promotion and keeps the old version 5 minutes', () => {
    const chart = testChart('prod');
    new ProgressiveService(chart, 'myapp', {
      metadata: { name: 'myapp' },
      containers: [{ image: 'myapp:1', portNumber: 8080 }],
      delivery: EnvironmentProfile.production().blueGreenDelivery(),
    });
    expect(find(synth(chart), 'Rollout').spec.strategy.blueGreen).toEqual({
      activeService: 'myapp', previewService: 'myapp-preview', autoPromotionEnabled: false, scaleDownDelaySeconds: 300,
    });
  });
});

describe('EnvironmentProfile errors', () => {
  test('pauses that do not match the weights', () => {
    expect(() => EnvironmentProfile.production({ weights: [10, 50] })).toThrow(
      'EnvironmentProfile "production": pauses: 4 pauses for 2 weights (allowed: one pause per weight, one for all weights, or none)');
  });

  test('a weight outside 0-100', () => {
    expect(() => EnvironmentProfile.custom('qa', { weights: [10, 150] })).toThrow(
      'EnvironmentProfile "qa": weights[1]: SetWeight needs to be between 0 and 100, got 150 (allowed: integers from 0 to 100)');
  });

  test('a percentage where a fraction is expected', () => {
    expect(() => EnvironmentProfile.staging({ thresholds: { minSuccessRate: 99 } })).toThrow(
      'EnvironmentProfile "staging": thresholds.minSuccessRate: 99 is not a fraction (allowed: 0 to 1 (0.99 for 99%))');
    expect(() => EnvironmentProfile.staging({ thresholds: { maxCpuUtilization: -0.1 } })).toThrow(
      'EnvironmentProfile "staging": thresholds.maxCpuUtilization: -0.1 is not a fraction (allowed: 0 to 1 (0.99 for 99%))');
  });

  test('failure limits must be positive integers', () => {
    expect(() => EnvironmentProfile.production({ thresholds: { failuresToAbort: 0 } })).toThrow(
      'EnvironmentProfile "production": thresholds.failuresToAbort: 0 (allowed: an integer >= 1)');
  });
});
