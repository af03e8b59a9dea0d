/**
 * Queries the Prometheus grammar accepts but Prometheus refuses (zero durations, regular
 * expressions RE2 does not compile), and alert labels and runbook URLs Prometheus would expand as
 * templates: the library refuses each at synth time, and `promtool check rules` is the judge that
 * our verdict (accept / refuse) is Prometheus's own.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing, Chart } from 'cdk8s';
import { stringify } from 'yaml';
import { AnalysisCheck, PrometheusAnalysis, RolloutAlerts } from '../src';
import { constructionError, validationErrors } from './support/synth';
import { promqlSemanticError, promqlSyntaxError, re2Error } from '../src/analysis/promql';

const PROMTOOL = process.env.PROMTOOL ?? 'promtool';

beforeAll(() => {
  const probe = spawnSync(PROMTOOL, ['--version']);
  if (probe.error || probe.status !== 0) {
    throw new Error(`promtool is required (apt-get install prometheus; CI installs it): ${probe.error?.message ?? probe.stderr}`);
  }
});

/** promtool's verdict on each query: undefined when it accepts it, else its error. */
function promtoolVerdicts(queries: string[]): Array<string | undefined> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'promql-'));
  try {
    return queries.map((expr, i) => {
      const file = path.join(dir, `q${i}.yml`);
      fs.writeFileSync(file, stringify({ groups: [{ name: 'g', rules: [{ record: 'r', expr }] }] }));
      const run = spawnSync(PROMTOOL, ['check', 'rules', file], { encoding: 'utf8' });
      return run.status === 0 ? undefined : `${run.stdout}${run.stderr}`;
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const refused = [
  'rate(http_requests_total[0h])',
  'rate(http_requests_total[0m0s])',
  'rate(http_requests_total[5m] offset 0h)',
  'http_requests_total offset 0s',
  'max_over_time(rate(http_requests_total[5m])[1h:0s])',
  'http_requests_total{status=~"(?=5)..."}',
  'http_requests_total{status=~"(?!2)..."}',
  'http_requests_total{status=~"(?<=x)5.."}',
  'http_requests_total{status=~"(5)\\\\1"}',
  'http_requests_total{status=~"5{3,1}"}',
  'http_requests_total{status=~"5(.."}',
  'http_requests_total{status=~"5**"}',
  'http_requests_total{status=~"\\\\Z5"}',
  "http_requests_total{status!~'(?>5)'}",
  'http_requests_total{status=~"5{1001}"}',
];
const accepted = [
  'rate(http_requests_total[5m])',
  'rate(http_requests_total[5m] offset 1h)',
  'rate(http_requests_total[1h0m])',
  'max_over_time(rate(http_requests_total[5m])[1h:30s])',
  'http_requests_total{status=~"5.."}',
  'http_requests_total{status=~"(?i)5xx|error"}',
  'http_requests_total{status=~"(?P<code>5)\\\\d\\\\d"}',
  'http_requests_total{status=~"5\\\\d{2}"}',
  'http_requests_total{path=~"/api/[a-z]+/\\\\w*"}',
  'http_requests_total{status=~"[[:digit:]]{3}"}',
  'http_requests_total{status=~"\\\\123"}',
  'http_requests_total{status="[0h]"}',
  'http_requests_total{status=~"(?:5|4)..",path="(?=x)"}',
  'sum(rate(http_requests_total{service="{{args.service}}"}[5m]))',
];

test('the library refuses what promtool refuses and accepts what it accepts', () => {
  const queries = [...refused, ...accepted];
  const promtool = promtoolVerdicts(queries.map((q) => q.replace(/\{\{args\.[^}]+\}\}/g, 'arg')));
  const ours = queries.map((q) => promqlSyntaxError(q));
  const disagreements = queries.flatMap((q, i) => ((promtool[i] === undefined) === (ours[i] === undefined) ? []
    : [`${q}: promtool ${promtool[i] ?? 'accepts'}, library ${ours[i] ?? 'accepts'}`]));
  expect(promtool.filter((v) => v === undefined)).toHaveLength(accepted.length);
  expect(disagreements).toEqual([]);
  expect(refused.map((q) => promqlSemanticError(q) !== undefined)).toEqual(refused.map(() => true));
});

test('messages say what Prometheus says', () => {
  expect(promqlSemanticError('rate(x[0h])')).toBe('[0h]: duration must be greater than 0');
  expect(promqlSemanticError('x offset 0s')).toBe('offset 0s: duration must be greater than 0');
  expect(re2Error('(?=a)')).toBe('invalid or unsupported Perl syntax: `(?=`');
  expect(re2Error('(a)\\1')).toBe('invalid escape sequence: `\\1`');
  expect(re2Error('a{2,1}')).toBe('invalid repeat count: `{2,1}`');
});

describe('refused at synth, naming the construct path and property', () => {
  const app = () => {
    const a = Testing.app();
    return { app: a, chart: new Chart(a, 'shop', { namespace: 'shop' }) };
  };

  test('a custom query with a zero window', () => {
    const { app: a, chart } = app();
    new PrometheusAnalysis(chart, 'analysis', {
      address: 'http://prometheus:9090',
      checks: [AnalysisCheck.promql({ name: 'errors', query: 'sum(rate(errors_total[0m]))', successCondition: 'result[0] < 1' })],
    });
    expect(validationErrors(a)).toEqual([expect.stringMatching(/^\[shop\/analysis\] checks\[0\]: .*PromQL \[0m\]: duration must be greater than 0 \(allowed: /)]);
  });

  test('an error status regex RE2 cannot compile', () => {
    const { app: a, chart } = app();
    new PrometheusAnalysis(chart, 'analysis', {
      address: 'http://prometheus:9090',
      checks: [AnalysisCheck.promql({ name: 'errors', query: 'sum(rate(http_requests_total{status=~"(?!2)\\\\d+"}[5m]))', successCondition: 'result[0] < 1' })],
    });
    expect(validationErrors(a)).toEqual([expect.stringMatching(/^\[shop\/analysis\] checks\[0\]: .*error parsing regexp: invalid or unsupported Perl syntax/)]);
  });

  test('{{ in alert labels and the runbook URL: Prometheus expands them as templates (promtool refuses them)', () => {
    expect(constructionError(() => new RolloutAlerts(app().chart, 'alerts', { labels: { team: '{{ platform' } })))
      .toMatch(/^\[shop\/alerts\] labels: spec\.groups\[0\]\.rules\[\]\.labels\.team: .*Prometheus expands \{\{ as a template.*\(allowed: /);
    expect(constructionError(() => new RolloutAlerts(app().chart, 'alerts', { runbookUrl: 'https://wiki.example.com/{{ $labels.name' })))
      .toMatch(/^\[shop\/alerts\] runbookUrl: spec\.groups\[0\]\.rules\[\]\.annotations\.runbook_url: .*Prometheus expands \{\{ as a template/);
    const rule = (labels: any, annotations: any) => ({ groups: [{ name: 'g', rules: [{ alert: 'A', expr: 'up', labels, annotations }] }] });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alerts-'));
    const file = path.join(dir, 'r.yml');
    fs.writeFileSync(file, stringify(rule({ team: '{{ platform' }, { runbook_url: 'https://wiki.example.com/{{ $labels.name' })));
    const run = spawnSync(PROMTOOL, ['check', 'rules', file], { encoding: 'utf8' });
    fs.rmSync(dir, { recursive: true, force: true });
    expect(run.status).not.toBe(0);
    expect(`${run.stdout}${run.stderr}`).toMatch(/label "team": template/);
  });
});
