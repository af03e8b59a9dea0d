import { App, Duration, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  AnalysisArgument, AnalysisCheck, CanaryRollout, CanaryStep, Experiment, ExperimentSpecRef, PrometheusAnalysis, WebAnalysis, WebCheck,
} from '../src';
import { FixedTrafficSplit } from './support/doubles';
import { constructionError, find, schemas, synth, testChart, validationErrors } from './support/synth';

const container = { image: 'shop/api:2.0.0', portNumber: 8080 };
const errorsOf = (chart: any) => validationErrors(chart.node.root as App);

describe('CanaryStep.experiment', () => {
  test('templates from the stable and canary pod specs, replicas, weight, selector and metadata, duration, analyses with args', () => {
    const chart = testChart('shop');
    const smoke = new WebAnalysis(chart, 'smoke', { metadata: { name: 'smoke' }, checks: [WebCheck.http({ url: 'http://{{args.host}}/health' })], count: 1 });
    new CanaryRollout(chart, 'api', {
      metadata: { name: 'api' },
      containers: [container],
      trafficSplit: new FixedTrafficSplit({ istio: { virtualService: { name: 'api', routes: ['primary'] } } }),
      steps: [
        CanaryStep.experiment({
          templates: [
            { name: 'baseline', specRef: ExperimentSpecRef.STABLE, replicas: 2, weight: 5 },
            { name: 'candidate', specRef: ExperimentSpecRef.CANARY, selector: { app: 'api-candidate' }, metadata: { labels: { app: 'api-candidate', role: 'candidate' } }, service: true },
          ],
          duration: Duration.minutes(10),
          analyses: [{ name: 'smoke', template: smoke, args: [AnalysisArgument.value('host', 'api-candidate')], requiredForCompletion: true }],
          dryRunMetrics: ['web'],
          analysisRunLabels: { team: 'shop' },
          scaleDownDelay: Duration.seconds(60),
        }),
        CanaryStep.weight(50),
      ],
    });
    const objects = synth(chart);
    for (const o of objects) expect(schemas.errors(o)).toEqual([]);
    expect(find(objects, 'Rollout').spec.strategy.canary.steps[0]).toEqual({
      experiment: {
        templates: [
          { name: 'baseline', specRef: 'stable', replicas: 2, weight: 5 },
          { name: 'candidate', specRef: 'canary', selector: { matchLabels: { app: 'api-candidate' } }, metadata: { labels: { app: 'api-candidate', role: 'candidate' } }, service: {} },
        ],
        duration: '10m',
        analyses: [{ name: 'smoke', templateName: 'smoke', args: [{ name: 'host', value: 'api-candidate' }], requiredForCompletion: true }],
        dryRun: [{ metricName: 'web' }],
        analysisRunMetadata: { labels: { team: 'shop' } },
        scaleDownDelaySeconds: 60,
      },
    });
  });

  test('baseline vs canary in one call: the analysis compares the two experiment ReplicaSets', () => {
    const chart = testChart('shop');
    const compare = new PrometheusAnalysis(chart, 'compare', { metadata: { name: 'compare' }, checks: [AnalysisCheck.canaryVsStable({ percentile: 95, maxSlowdown: 0.1 })], count: 5 });
    new CanaryRollout(chart, 'api', {
      metadata: { name: 'api' },
      containers: [container],
      steps: [CanaryStep.weight(10), CanaryStep.baselineVsCanary({ analysis: compare, duration: Duration.minutes(15), replicas: 2 })],
    });
    const objects = synth(chart);
    const experiment = find(objects, 'Rollout').spec.strategy.canary.steps[1].experiment;
    expect(experiment.templates).toEqual([{ name: 'baseline', specRef: 'stable', replicas: 2 }, { name: 'canary', specRef: 'canary', replicas: 2 }]);
    expect(experiment.duration).toBe('15m');
    const args = Object.fromEntries(experiment.analyses[0].args.map((a: any) => [a.name, a.value ?? a.valueFrom]));
    expect(args['stable-hash']).toBe('{{templates.baseline.podTemplateHash}}');
    expect(args['canary-hash']).toBe('{{templates.canary.podTemplateHash}}');
    expect(args.namespace).toEqual({ fieldRef: { fieldPath: 'metadata.namespace' } });
    const required = find(objects, 'AnalysisTemplate').spec.args.map((a: any) => a.name);
    for (const name of required) expect(Object.keys(args)).toContain(name);
  });

  test('errors: weight without traffic routing (rule 33), repeated and empty template names, empty selector, missing args', () => {
    const chart = testChart('shop');
    const smoke = new WebAnalysis(chart, 'smoke', { metadata: { name: 'smoke' }, checks: [WebCheck.http({ url: 'http://{{args.host}}/health' })], count: 1 });
    new CanaryRollout(chart, 'api', {
      metadata: { name: 'api' },
      containers: [container],
      steps: [CanaryStep.experiment({
        templates: [
          { name: 'a', specRef: ExperimentSpecRef.CANARY, weight: 10 },
          { name: 'a', specRef: ExperimentSpecRef.STABLE, selector: {} },
          { name: '', specRef: ExperimentSpecRef.STABLE },
        ],
        analyses: [{ name: 'smoke', template: smoke }],
        dryRunMetrics: ['latency.*'],
      })],
    });
    expect(errorsOf(chart)).toEqual([
      '[test/api] steps[0]: spec.strategy.steps[0].experiment.templates[0].weight: Invalid value: 10: Experiment template weight cannot be set unless TrafficRouting is enabled (allowed: a rollout with a trafficSplit)',
      "[test/api] steps[0].experiment.templates[1].name: spec.strategy.canary.steps[0].experiment.templates[1].name: Experiment has repeated template name 'a' in templates (allowed: unique template names)",
      '[test/api] steps[0].experiment.templates[2].name: spec.strategy.canary.steps[0].experiment.templates[2].name: Experiment has empty template name at index 2 (allowed: a non-empty name)',
      '[test/api] steps[0].experiment.templates[1].selector: spec.strategy.canary.steps[0].experiment.templates[1].selector: This experiment is selecting all pods at index 1. A non-empty selector is required. (allowed: at least one label)',
      '[test/api] steps[0].experiment.analyses: spec.strategy.canary.steps[0].experiment.analyses: Invalid value: "smoke": args.host was not resolved (allowed: args that include \'host\' (required by smoke))',
      "[test/api] steps[0].experiment.dryRunMetrics: spec.strategy.canary.steps[0].experiment.dryRun[0]: dryRun[0]: Rule didn't match any metric name(s) (allowed: one of web)",
    ]);
  });
});

describe('Experiment', () => {
  function experimentApp() {
    const chart = testChart('shop');
    const current = new kplus.Deployment(chart, 'current', { metadata: { name: 'api' }, containers: [{ image: 'shop/api:1.9.0', portNumber: 8080 }] });
    const next = new kplus.Deployment(chart, 'next', { metadata: { name: 'api-next' }, containers: [container] });
    const compare = new PrometheusAnalysis(chart, 'compare', { metadata: { name: 'compare' }, checks: [AnalysisCheck.canaryVsStable()], count: 3 });
    return { chart, current, next, compare };
  }

  test('templates from any workload, duration, progress deadline, analyses with their args; the workloads\' labels are not copied', () => {
    const { chart, current, next, compare } = experimentApp();
    new Experiment(chart, 'exp', {
      metadata: { name: 'api-v2-trial' },
      templates: [{ name: 'baseline', workload: current, replicas: 2 }, { name: 'candidate', workload: next, minReady: Duration.seconds(30), service: true }],
      duration: Duration.minutes(20),
      progressDeadline: Duration.minutes(5),
      scaleDownDelay: Duration.seconds(0),
      analysisRunLabels: { trial: 'v2' },
      analyses: [{
        name: 'compare',
        template: compare,
        args: [
          AnalysisArgument.fieldRef('namespace', 'metadata.namespace'),
          AnalysisArgument.value('rollout-name', 'api'),
          AnalysisArgument.value('stable-hash', '{{templates.baseline.podTemplateHash}}'),
          AnalysisArgument.value('canary-hash', '{{templates.candidate.podTemplateHash}}'),
        ],
      }],
    });
    const objects = synth(chart);
    for (const o of objects) expect(schemas.errors(o)).toEqual([]);
    const exp = find(objects, 'Experiment', 'api-v2-trial');
    expect(exp.apiVersion).toBe('argoproj.io/v1alpha1');
    expect(exp.spec).toMatchObject({ duration: '20m', progressDeadlineSeconds: 300, scaleDownDelaySeconds: 0, analysisRunMetadata: { labels: { trial: 'v2' } } });
    expect(exp.spec.templates.map((t: any) => [t.name, t.replicas, t.minReadySeconds, t.selector, t.template.metadata.labels, t.service])).toEqual([
      ['baseline', 2, undefined, { matchLabels: { 'app.kubernetes.io/name': 'api-v2-trial-baseline' } }, { 'app.kubernetes.io/name': 'api-v2-trial-baseline' }, undefined],
      ['candidate', undefined, 30, { matchLabels: { 'app.kubernetes.io/name': 'api-v2-trial-candidate' } }, { 'app.kubernetes.io/name': 'api-v2-trial-candidate' }, {}],
    ]);
    expect(exp.spec.templates[1].template.spec.containers[0].image).toBe('shop/api:2.0.0');
    expect(exp.spec.analyses[0]).toMatchObject({ name: 'compare', templateName: 'compare' });
  });

  test('section D with the controller\'s texts: repeated names, same selectors, minReady past the deadline, missing selector, missing args', () => {
    const { chart, current, next, compare } = experimentApp();
    const exp = new Experiment(chart, 'exp', {
      metadata: { name: 'trial' },
      templates: [
        { name: 'x', workload: current, selector: { app: 'trial' }, minReady: Duration.minutes(11) },
        { name: 'x', workload: next, selector: { app: 'trial' } },
        { name: 'y', workload: next },
      ],
      analyses: [{ name: 'compare', template: compare }],
    });
    exp.apiObject.addJsonPatch(JsonPatch.remove('/spec/templates/2/selector'));
    const errors = errorsOf(chart);
    expect(errors).toContain('[test/exp] templates[0].minReady: spec.templates[0].minReadySeconds: MinReadySeconds cannot be longer than ProgressDeadlineSeconds. Check template index 0 (allowed: at most 600 seconds)');
    expect(errors).toContain('[test/exp] templates[1].name: spec.templates[1].name: Experiment trial has repeated template name \'x\' in templates (allowed: unique template names)');
    expect(errors).toContain('[test/exp] templates[1].selector: spec.templates[1].selector: template "x" has the same selector as template "x" (allowed: a selector unique among the templates)');
    expect(errors).toContain("[test/exp] templates[2].selector: spec.templates[2].selector: Rollout has missing field '.Spec.Templates[2].Selector' (allowed: a selector)");
    expect(errors).toContain('[test/exp] analyses: spec.analyses: Invalid value: "compare": args.namespace was not resolved (allowed: args that include \'namespace\' (required by compare))');
  });

  test('at least one template', () => {
    const chart = testChart('shop');
    expect(constructionError(() => new Experiment(chart, 'exp', { templates: [] }))).toBe('[test/exp] templates: spec.templates: Required value: at least one template (allowed: one or more templates)');
  });
});
