import { RolloutPlan, RolloutPlans } from '../src';

function blueGreen(fields: any): any {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'aragora', namespace: 'aragora' },
    spec: { replicas: 3, strategy: { blueGreen: { activeService: 'aragora-active', previewService: 'aragora-preview', ...fields } } },
  };
}

const template = (name: string, count: number, interval = '1m') => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'AnalysisTemplate',
  metadata: { name, namespace: 'aragora' },
  spec: { metrics: [{ name: `${name}-metric`, interval, count, successCondition: 'result[0] >= 0.99', provider: { prometheus: { address: 'http://prometheus:9090', query: 'x' } } }] },
});

describe('blue-green', () => {
  test('seed 000 blue-green: manual promotion gate with pre-promotion analysis, then the switch', () => {
    const [plan] = RolloutPlans.fromManifests([
      blueGreen({ autoPromotionEnabled: false, scaleDownDelaySeconds: 30, prePromotionAnalysis: { templates: [{ templateName: 'aragora-canary-analysis' }] } }),
      template('aragora-canary-analysis', 5),
    ]).plans;
    expect(plan.strategy).toBe('blueGreen');
    expect(plan.steps.map((s) => [s.weight, s.manualPromotion, s.minimumSeconds, s.startSeconds])).toEqual([
      [0, true, 240, 0], [100, false, 0, 240], [100, false, 0, 240],
    ]);
    expect(plan.steps[0].actions).toEqual([
      'scale up the new version behind preview Service aragora-preview',
      'pre-promotion analysis aragora-canary-analysis',
      'wait until promoted',
    ]);
    expect(plan.steps[0].analysis?.checks.map((c) => [c.metric, c.count, c.intervalSeconds])).toEqual([['aragora-canary-analysis-metric', 5, 60]]);
    expect(plan.steps[1].actions).toEqual(['switch active Service aragora-active to the new version']);
    expect(plan.steps[2].actions).toEqual(['full promotion: the old version is scaled down after 30s']);
    expect(plan.manualPromotions).toEqual([1]);
    expect(plan.minimumDurationSeconds).toBe(240);
    expect(plan.durationKnown).toBe(true);
    expect(plan.trafficRouting).toBeUndefined();
  });

  test('auto-promotion delay and pre-promotion analysis run at the same time; post-promotion analysis after the switch', () => {
    const templates = [template('pre', 3), template('post', 2, '5m')];
    const slowGate = RolloutPlan.fromManifest(blueGreen({
      autoPromotionSeconds: 600,
      prePromotionAnalysis: { templates: [{ templateName: 'pre' }] },
      postPromotionAnalysis: { templates: [{ templateName: 'post' }] },
    }), { templates });
    expect(slowGate.steps.map((s) => [s.pauseSeconds, s.minimumSeconds])).toEqual([[600, 600], [undefined, 300], [undefined, 0]]);
    expect(slowGate.steps[0].actions[2]).toBe('promote automatically after 10m');
    expect(slowGate.steps[1].actions[1]).toBe('post-promotion analysis post (a failure switches back)');
    expect(slowGate.minimumDurationSeconds).toBe(900);
    expect(slowGate.manualPromotions).toEqual([]);

    const slowAnalysis = RolloutPlan.fromManifest(blueGreen({ autoPromotionSeconds: 60, prePromotionAnalysis: { templates: [{ templateName: 'pre' }] } }), { templates });
    expect(slowAnalysis.steps[0].minimumSeconds).toBe(120);
  });

  test('defaults: automatic promotion as soon as ready, old version scaled down after 30s', () => {
    const plan = RolloutPlan.fromManifest(blueGreen({ previewReplicaCount: 1 }));
    expect(plan.steps[0].actions).toEqual(['scale up the new version to 1 pod behind preview Service aragora-preview', 'promote as soon as ready']);
    expect(plan.steps[2].actions).toEqual(['full promotion: the old version is scaled down after 30s']);
    expect(plan.minimumDurationSeconds).toBe(0);
    expect(plan.notes).toEqual(['the new version gets no production traffic until the active Service switches; then it gets all of it']);
  });

  test('unknown templates make the duration a lower bound; no preview Service is said', () => {
    const plan = RolloutPlan.fromManifest(blueGreen({ previewService: undefined, autoPromotionSeconds: 30, prePromotionAnalysis: { templates: [{ templateName: 'elsewhere' }] } }));
    expect(plan.steps[0].minimumSeconds).toBeUndefined();
    expect(plan.steps[0].notes).toEqual(['duration unknown: template elsewhere not in the input']);
    expect(plan.steps[0].actions[0]).toBe('scale up the new version (no preview Service: not reachable before promotion)');
    expect(plan.durationKnown).toBe(false);
    expect(plan.minimumDurationSeconds).toBe(0);
  });

  test('text and markdown name the gate and the analyses', () => {
    const plan = RolloutPlan.fromManifest(blueGreen({ autoPromotionEnabled: false, prePromotionAnalysis: { templates: [{ templateName: 'pre' }] } }), { templates: [template('pre', 3)] });
    const markdown = plan.toMarkdown();
    expect(markdown).toContain('### Rollout aragora/aragora: blue-green');
    expect(markdown).toContain('Fastest full promotion: 2m, 1 manual promotion (step 1).');
    expect(markdown).toContain('| 1 | 0% | until promoted | pre (≥ 2m) | - | 0s | - |');
    expect(markdown).toContain('| 2 | 100% | - | - | - | 2m + 1 promotion | - |');
    expect(markdown).toContain('- `pre` (pre-promotion):\n  - pre-metric (prometheus): pass if `result[0] >= 0.99`, 3 measurements every 1m, passes after ≥ 2m');
  });
});
