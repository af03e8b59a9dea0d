import { Chart, Testing } from 'cdk8s';
import {
  AnalysisArgument, AnalysisCheck, AnalysisTemplateRef, CanaryRollout, PrometheusAnalysis,
} from '../src';
import { validationErrors } from './support/synth';
import { argumentPositions } from '../src/analysis/analysis-run-checks';

const container = { image: 'shop/api:1.0.0', portNumber: 8080 };

function app() {
  const a = Testing.app();
  return { app: a, chart: new Chart(a, 'shop', { namespace: 'shop' }) };
}

const custom = (chart: Chart, query: string, dryRun = false) => new PrometheusAnalysis(chart, 'analysis', {
  metadata: { name: 'errors' },
  address: 'http://prometheus:9090',
  checks: [
    AnalysisCheck.promql({ name: 'errors', query, successCondition: 'result[0] < 1', dryRun }),
    AnalysisCheck.successRate({ atLeast: 0.99 }),
  ],
});

describe('argument values substituted into queries', () => {
  test('positions follow the lexer: double, single and back-quoted strings, or bare', () => {
    const positions = argumentPositions('sum(x{a="{{args.a}}",b=\'{{args.b}}\',c=`{{args.c}}`,d="\\"{{args.e}}"}[5m]) > {{args.w}}');
    expect([...positions].map(([name, ps]) => [name, ps.map((p) => p.where)])).toEqual([
      ['a', ['a double-quoted string']], ['b', ['a single-quoted string']], ['c', ['a back-quoted string']],
      ['e', ['a double-quoted string']], ['w', ['the query itself (outside any string)']],
    ]);
  });

  test.each([
    ['a value that closes the string: the gate would always pass', 'x"} or vector(1) or up{job="', 'inside a double-quoted string'],
    ['a backslash that escapes the closing quote', 'x\\', 'inside a double-quoted string'],
  ])('%s is refused', (_, value) => {
    const { app: a, chart } = app();
    const analysis = custom(chart, 'sum(rate(http_requests_total{job="{{args.job}}",status=~"5.."}[5m]))');
    new CanaryRollout(chart, 'api', {
      metadata: { name: 'api' },
      containers: [container],
      backgroundAnalysis: { templates: [analysis], args: [AnalysisArgument.value('job', value)] },
    });
    expect(validationErrors(a)).toEqual([
      '[shop/api] backgroundAnalysis.args: spec.strategy.canary.analysis.args[job]: the value of args.job would change the query of metric "errors" of errors: '
      + 'it stands in a double-quoted string, and the controller substitutes values verbatim (allowed: a value without ", \\ or line breaks)',
    ]);
  });

  test('a bare position takes numbers, durations and names only', () => {
    const { app: a, chart } = app();
    const analysis = custom(chart, 'sum(rate(http_requests_total{job="api"}[5m])) > {{args.threshold}}');
    new CanaryRollout(chart, 'api', {
      metadata: { name: 'api' },
      containers: [container],
      backgroundAnalysis: { templates: [analysis], args: [AnalysisArgument.value('threshold', '0 or vector(1)')] },
    });
    expect(validationErrors(a).join('\n')).toContain('it stands in the query itself (outside any string)');
  });

  test('safe values pass, and values the controller resolves (valueFrom) cannot be judged at synth', () => {
    const { app: a, chart } = app();
    const analysis = custom(chart, 'sum(rate(http_requests_total{job="{{args.job}}",env="{{args.env}}"}[5m])) > {{args.threshold}}');
    new CanaryRollout(chart, 'api', {
      metadata: { name: 'api' },
      containers: [container],
      backgroundAnalysis: {
        templates: [analysis],
        args: [AnalysisArgument.value('job', 'shop/api-1.2 (blue)'), AnalysisArgument.value('threshold', '0.5'), AnalysisArgument.fieldRef('env', "metadata.labels['env']")],
      },
    });
    expect(validationErrors(a)).toEqual([]);
  });
});

describe('the rollout\'s dryRunMetrics', () => {
  const rollout = (chart: Chart, templates: any[], dryRunMetrics: string[]) => new CanaryRollout(chart, 'api', {
    metadata: { name: 'api' }, containers: [container], backgroundAnalysis: { templates, dryRunMetrics },
  });

  test('a name that matches no metric of the templates', () => {
    const { app: a, chart } = app();
    rollout(chart, [custom(chart, 'sum(rate(errors_total[5m]))')], ['latency', 'err.*']);
    expect(validationErrors(a)).toEqual([
      '[shop/api] backgroundAnalysis.dryRunMetrics[0]: spec.strategy.canary.analysis.dryRun[0]: dryRun[0]: Rule didn\'t match any metric name(s) (allowed: a name or regular expression matching one of errors, success-rate)',
    ]);
  });

  test('matched as the controller does (regexp.MatchString): anywhere in the name, and "*" matches nothing', () => {
    const { app: a, chart } = app();
    rollout(chart, [custom(chart, 'sum(rate(errors_total[5m]))')], ['err', '*']);
    expect(validationErrors(a)).toEqual([
      '[shop/api] backgroundAnalysis.dryRunMetrics[1]: spec.strategy.canary.analysis.dryRun[1]: dryRun[1]: Rule didn\'t match any metric name(s) (allowed: a name or regular expression matching one of errors, success-rate)',
    ]);
  });

  test('a metric the template already runs in dry-run mode', () => {
    const { app: a, chart } = app();
    rollout(chart, [custom(chart, 'sum(rate(errors_total[5m]))', true)], ['errors']);
    expect(validationErrors(a)).toEqual([
      '[shop/api] backgroundAnalysis.dryRunMetrics: spec.strategy.canary.analysis.templates: Invalid value: "templateNames: [errors]": two Dry-Run metric rules have the same name \'errors\' '
      + '(allowed: each metric name once, counting the templates\' own dryRun rules)',
    ]);
  });

  test('a template referenced by name only may hold the metric: not refused', () => {
    const { app: a, chart } = app();
    rollout(chart, [custom(chart, 'sum(rate(errors_total[5m]))'), AnalysisTemplateRef.fromName('shared')], ['latency']);
    expect(validationErrors(a)).toEqual([]);
  });
});

describe('the rollout\'s measurementRetention', () => {
  const rollout = (chart: Chart, measurementRetention: any[]) => new CanaryRollout(chart, 'api', {
    metadata: { name: 'api' },
    containers: [container],
    backgroundAnalysis: { templates: [custom(chart, 'sum(rate(errors_total[5m]))')], measurementRetention },
  });

  test('rendered on the analysis; rules match anywhere in the name', () => {
    const { chart } = app();
    rollout(chart, [{ metricName: 'success', limit: 30 }, { metricName: 'errors', limit: 100 }]);
    const ro = Testing.synth(chart).find((o) => o.kind === 'Rollout');
    expect(ro.spec.strategy.canary.analysis.measurementRetention).toEqual([{ metricName: 'success', limit: 30 }, { metricName: 'errors', limit: 100 }]);
  });

  test('a rule matching no metric, a rule twice, a limit below 1', () => {
    const { app: a, chart } = app();
    rollout(chart, [{ metricName: 'latency', limit: 10 }, { metricName: 'errors', limit: 0 }, { metricName: 'errors', limit: 5 }]);
    expect(validationErrors(a)).toEqual([
      '[shop/api] backgroundAnalysis.measurementRetention: spec.strategy.canary.analysis.templates: Invalid value: "templateNames: [errors]": two Measurement Retention metric rules have the same name \'errors\' (allowed: each metric name once, counting the templates\' own measurementRetention rules)',
      '[shop/api] backgroundAnalysis.measurementRetention[0]: spec.strategy.canary.analysis.measurementRetention[0]: measurementRetention[0]: Rule didn\'t match any metric name(s) (allowed: a name or regular expression matching one of errors, success-rate)',
      '[shop/api] backgroundAnalysis.measurementRetention[1].limit: spec.strategy.canary.analysis.measurementRetention[1].limit: Invalid value: 0: must be an integer from 1 to 2147483647 (allowed: an integer from 1 to 2147483647)',
    ]);
  });
});
