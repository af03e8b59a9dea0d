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
      '[test/api] steps[0].experiment.dryRunMetrics[0]: spec.strategy.canary.steps[0].experiment.dryRun[0]: analysis "smoke": dryRun[0]: Rule didn\'t match any metric name(s) (allowed: a name or regular expression (matched anywhere in the name) matching one of web)',
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

describe('experiment template Services and measurement retention', () => {
  const trafficSplit = () => new FixedTrafficSplit({ istio: { virtualService: { name: 'api', routes: ['primary'] } } });

  test('a step template\'s Service by name; weight alone still gets the controller\'s default Service', () => {
    const chart = testChart('shop');
    new CanaryRollout(chart, 'api', {
      metadata: { name: 'api' },
      containers: [container],
      trafficSplit: trafficSplit(),
      steps: [CanaryStep.experiment({
        templates: [
          { name: 'preview', specRef: ExperimentSpecRef.CANARY, serviceName: 'api-preview', weight: 5 },
          { name: 'baseline', specRef: ExperimentSpecRef.STABLE, service: true },
          { name: 'plain', specRef: ExperimentSpecRef.STABLE, selector: { app: 'plain' } },
        ],
        duration: Duration.minutes(5),
      })],
    });
    const objects = synth(chart);
    for (const o of objects) expect(schemas.errors(o)).toEqual([]);
    const templates = find(objects, 'Rollout').spec.strategy.canary.steps[0].experiment.templates;
    expect(templates.map((t: any) => [t.name, t.service])).toEqual([['preview', { name: 'api-preview' }], ['baseline', {}], ['plain', undefined]]);
  });

  test('step template Service names: API server name rule, unique, not a Service of the app, not with service false', () => {
    const chart = testChart('shop');
    new CanaryRollout(chart, 'api', {
      metadata: { name: 'api' },
      containers: [container],
      trafficSplit: trafficSplit(),
      steps: [CanaryStep.experiment({
        templates: [
          { name: 'a', specRef: ExperimentSpecRef.CANARY, serviceName: 'Api_Preview' },
          { name: 'b', specRef: ExperimentSpecRef.CANARY, selector: { app: 'b' }, serviceName: 'api-exp' },
          { name: 'c', specRef: ExperimentSpecRef.STABLE, selector: { app: 'c' }, serviceName: 'api-exp' },
          { name: 'd', specRef: ExperimentSpecRef.STABLE, selector: { app: 'd' }, serviceName: 'api-stable' },
          { name: 'e', specRef: ExperimentSpecRef.STABLE, selector: { app: 'e' }, serviceName: 'api-e', service: false },
        ],
        duration: Duration.minutes(5),
      })],
    });
    const at = (i: number) => `[test/api] steps[0].experiment.templates[${i}].serviceName: spec.strategy.canary.steps[0].experiment.templates[${i}].service.name: `;
    expect(errorsOf(chart)).toEqual([
      `${at(4)}serviceName is set but service is false (allowed: serviceName with service true or unset)`,
      `${at(0)}Invalid value: "Api_Preview": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?') (allowed: a DNS-1035 label of at most 63 characters)`,
      `${at(2)}service api-exp already exists and is not owned by experiment template c (template b creates it) (allowed: a Service name unique among the templates)`,
      `${at(3)}service api-stable already exists and is not owned by experiment template d (the app writes it: test/api/StableService/Resource) (allowed: a name no Service of the app has in the namespace)`,
    ].sort());
  });

  function experimentApp() {
    const chart = testChart('shop');
    const next = new kplus.Deployment(chart, 'next', { metadata: { name: 'api-next' }, containers: [container] });
    const smoke = new WebAnalysis(chart, 'smoke', { metadata: { name: 'smoke' }, checks: [WebCheck.http({ url: 'http://api-next/health' })], count: 1 });
    return { chart, next, smoke };
  }

  test('Experiment: measurementRetention and a template Service by name', () => {
    const { chart, next, smoke } = experimentApp();
    new Experiment(chart, 'exp', {
      metadata: { name: 'trial' },
      templates: [{ name: 'candidate', workload: next, serviceName: 'trial-candidate' }],
      duration: Duration.minutes(10),
      analyses: [{ name: 'smoke', template: smoke }],
      // unanchored, as the controller matches: 'we' matches metric 'web'
      measurementRetention: [{ metricName: 'we', limit: 50 }],
    });
    const objects = synth(chart);
    for (const o of objects) expect(schemas.errors(o)).toEqual([]);
    const exp = find(objects, 'Experiment', 'trial');
    expect(exp.spec.measurementRetention).toEqual([{ metricName: 'we', limit: 50 }]);
    expect(exp.spec.templates[0].service).toEqual({ name: 'trial-candidate' });
  });

  test('Experiment: a retention limit below 1 is refused at construction', () => {
    const { chart, next } = experimentApp();
    expect(constructionError(() => new Experiment(chart, 'exp', { templates: [{ name: 'c', workload: next }], measurementRetention: [{ metricName: 'web', limit: 0 }] })))
      .toBe('[test/exp] measurementRetention[0].limit: spec.measurementRetention[0].limit: Invalid value: 0: must be an integer from 1 to 2147483647 (allowed: an integer from 1 to 2147483647)');
  });

  test('Experiment: each retention and dry-run rule must match a metric of every analysis, once; "*" is no rule for the controller', () => {
    const { chart, next, smoke } = experimentApp();
    const compare = new PrometheusAnalysis(chart, 'compare', { metadata: { name: 'compare' }, checks: [AnalysisCheck.canaryVsStable()], count: 3 });
    new Experiment(chart, 'exp', {
      metadata: { name: 'trial' },
      templates: [{ name: 'c', workload: next }],
      analyses: [{ name: 'smoke', template: smoke }, { name: 'compare', template: compare, args: [AnalysisArgument.value('namespace', 'shop'), AnalysisArgument.value('rollout-name', 'api'), AnalysisArgument.value('stable-hash', 'a'), AnalysisArgument.value('canary-hash', 'b')] }],
      measurementRetention: [{ metricName: 'web', limit: 5 }, { metricName: 'web', limit: 10 }],
      dryRunMetrics: ['*'],
    });
    const errors = errorsOf(chart);
    const metrics = compare.metricNames.join(', ');
    expect(errors).toContain(`[test/exp] measurementRetention[0]: spec.measurementRetention[0]: analysis "compare": measurementRetention[0]: Rule didn't match any metric name(s) (allowed: a name or regular expression (matched anywhere in the name) matching one of ${metrics})`);
    expect(errors).toContain('[test/exp] measurementRetention: spec.measurementRetention: analysis "smoke": two Measurement Retention metric rules have the same name \'web\' (allowed: each metric name once, counting the rules of template smoke)');
    expect(errors).toContain('[test/exp] dryRunMetrics[0]: spec.dryRun[0]: analysis "smoke": dryRun[0]: Rule didn\'t match any metric name(s) (allowed: a name or regular expression (matched anywhere in the name) matching one of web)');
    expect(errors.filter((e) => e.includes('measurementRetention[0]: Rule'))).toHaveLength(1);
  });

  test('Experiment: a template Service needs a container port (final JSON), and its name must not be an app Service', () => {
    const { chart, next } = experimentApp();
    const worker = new kplus.Deployment(chart, 'worker', { metadata: { name: 'worker' }, containers: [{ image: 'shop/worker:1.0.0' }] });
    const svc = new kplus.Service(chart, 'svc', { metadata: { name: 'api-next' }, ports: [{ port: 8080 }] });
    svc.selectLabel('app', 'api');
    new Experiment(chart, 'exp', {
      metadata: { name: 'trial' },
      templates: [{ name: 'worker', workload: worker, service: true }, { name: 'next', workload: next, serviceName: 'api-next' }],
    });
    const errors = errorsOf(chart);
    expect(errors).toContain('[test/exp] templates[0].service: spec.templates[0].service: template "worker" has a Service, but none of its containers declares a port, so the controller creates no Service (allowed: a workload whose containers declare ports, or no service)');
    expect(errors).toContain('[test/exp] templates[1].serviceName: spec.templates[1].service.name: service api-next already exists and is not owned by experiment template next (the app writes it: test/svc/Resource) (allowed: a name no Service of the app has in the namespace)');
  });
});
