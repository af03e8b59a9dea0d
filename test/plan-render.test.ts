// @xmldom/xmldom is installed (through cdk8s-cli) but not yet a direct devDependency.
// eslint-disable-next-line import/no-extraneous-dependencies
import { DOMParser } from '@xmldom/xmldom';
import { RolloutPlan, RolloutPlans } from '../src';

function canary(name: string, steps: any[], fields: any = {}): any {
  return { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', metadata: { name, namespace: 'shop' }, spec: { replicas: 4, strategy: { canary: { steps, ...fields } } } };
}

const routed = canary('web', [
  { setHeaderRoute: { name: 'beta', match: [{ headerName: 'x-group', headerValue: { regex: 'beta|qa' } }] } },
  { setWeight: 10 },
  { pause: { duration: '2m' } },
  { analysis: { templates: [{ templateName: 'smoke' }] } },
  { setWeight: 50 },
  { pause: {} },
], { trafficRouting: { istio: { virtualService: { name: 'web' } }, managedRoutes: [{ name: 'beta' }] }, analysis: { templates: [{ templateName: 'errors' }] } });

const smoke = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'AnalysisTemplate',
  metadata: { name: 'smoke', namespace: 'shop' },
  spec: { metrics: [{ name: 'health', initialDelay: '30s', interval: '30s', count: 3, successCondition: 'result == "ok" || result == "degraded"', provider: { web: { url: 'http://web-canary/health' } } }] },
};

/** Parses XML, collecting every warning and error. */
function xmlErrors(xml: string): string[] {
  const errors: string[] = [];
  const doc = new DOMParser({ onError: (level, message) => errors.push(`${level}: ${message}`) }).parseFromString(xml, 'image/svg+xml');
  if (doc.documentElement?.nodeName !== 'svg') errors.push(`root element ${doc.documentElement?.nodeName}`);
  return errors;
}

describe('markdown', () => {
  const plan = RolloutPlan.fromManifest(routed, { templates: [smoke] });
  const markdown = plan.toMarkdown();
  const tableLines = markdown.split('\n').filter((l) => l.startsWith('|'));

  test('a table with one row per step and the same number of cells in every line', () => {
    expect(tableLines[0]).toBe('| # | Traffic | Wait | Analysis | Routes | Reached after | Spec steps | What happens |');
    expect(tableLines).toHaveLength(2 + plan.steps.length);
    // Pipes inside cells (the route regex) are escaped, so every row has 8 cells.
    for (const line of tableLines) expect(line.split(/(?<!\\)\|/).length - 2).toBe(8);
    expect(tableLines[2]).toBe('| 1 | 10% | 2m | background | header beta: x-group regex "beta\\|qa" | 0s | 0-2 | set header route beta, set weight 10%, pause 2m |');
    expect(tableLines[3]).toBe('| 2 | 10% | - | smoke (≥ 1m 30s) + background | header beta: x-group regex "beta\\|qa" | 2m | 3 | analysis smoke |');
    expect(tableLines[4]).toBe('| 3 | 50% | until promoted | background | header beta: x-group regex "beta\\|qa" | 3m 30s | 4-5 | set weight 50%, pause until promoted |');
    expect(tableLines[5]).toBe('| 4 | 100% | - | - | - | 3m 30s + 1 promotion | - | full promotion: the canary becomes stable |');
  });

  test('heading, total, checks and notes', () => {
    expect(markdown.startsWith('### Rollout shop/web: canary with istio traffic routing\n\nFastest full promotion: 3m 30s, 1 manual promotion (step 3).')).toBe(true);
    expect(markdown).toContain('- `smoke` (step 2):\n  - health (web): pass if `result == "ok" || result == "degraded"`, 3 measurements every 30s, first after 30s, passes after ≥ 1m 30s');
    expect(markdown).toContain('- `errors` (background): not in the input, checks and duration unknown');
    expect(markdown).toContain('- background analysis errors runs from step 0 until full promotion; a failure aborts the update');
  });
});

describe('text', () => {
  test('columns are aligned', () => {
    const text = RolloutPlan.fromManifest(routed, { templates: [smoke] }).toText();
    const lines = text.split('\n');
    const header = lines.findIndex((l) => l.startsWith('#  '));
    const wait = lines[header].indexOf('Wait');
    expect(lines[header + 1].startsWith('-  -------  ')).toBe(true);
    for (const row of lines.slice(header + 2, header + 6)) expect(row[wait - 1]).toBe(' ');
    expect(lines[header + 4].slice(wait, wait + 14)).toBe('until promoted');
    expect(text).toContain('Rollout shop/web: canary with istio traffic routing');
  });
});

describe('json', () => {
  test('plain data, stable across runs', () => {
    const plans = RolloutPlans.fromManifests([routed, smoke, canary('api', [{ setWeight: 50 }, { pause: { duration: 60 } }])]);
    const json = JSON.parse(JSON.stringify(plans.toJson()));
    expect(json.map((p: any) => [p.name, p.minimumDurationSeconds, p.manualPromotions])).toEqual([['web', 210, [3]], ['api', 60, []]]);
    expect(json[0].steps[1].analysis.checks[0]).toEqual({
      template: 'smoke',
      metric: 'health',
      provider: 'web',
      successCondition: 'result == "ok" || result == "degraded"',
      initialDelaySeconds: 30,
      intervalSeconds: 30,
      count: 3,
      minimumSeconds: 90,
    });
    expect(json[0].backgroundAnalysis).toEqual({ templates: ['errors'], checks: [], missingTemplates: ['errors'], startingStep: 0 });
    const again = () => JSON.stringify(RolloutPlans.fromManifests([routed, smoke]).toJson());
    expect(again()).toBe(again());
  });
});

describe('svg', () => {
  const plans = RolloutPlans.fromManifests([routed, smoke, canary('a&b', [{ setWeight: 30 }, { pause: { duration: '10m' } }])]);
  const svg = plans.toSvg();

  test('well-formed SVG, one panel per rollout, text escaped', () => {
    expect(xmlErrors(svg)).toEqual([]);
    const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
    expect(doc.documentElement!.getAttribute('xmlns')).toBe('http://www.w3.org/2000/svg');
    expect(doc.getElementsByTagName('polyline').length).toBe(2);
    expect(svg).toContain('shop/a&amp;b: canary');
    expect(svg).not.toContain('a&b');
  });

  test('draws the weights, the pause, the analysis window and the manual promotion gate', () => {
    const doc = new DOMParser().parseFromString(RolloutPlan.fromManifest(routed, { templates: [smoke] }).toSvg(), 'image/svg+xml');
    const titles = Array.from(doc.getElementsByTagName('title')).map((t) => t.textContent);
    expect(titles).toEqual(expect.arrayContaining(['pause 2m', 'analysis smoke ≥ 1m 30s', 'waits for a person to promote', 'background analysis: errors']));
    const points = doc.getElementsByTagName('polyline')[0].getAttribute('points')!.split(' ').map((p) => p.split(',').map(Number));
    // Weight 0 at the start, then 10%, 50% and 100% (y = 214 - weight * 1.5).
    expect([...new Set(points.map(([, y]) => y))]).toEqual([214, 199, 139, 64]);
    // x never goes back: time only moves forward.
    for (let i = 1; i < points.length; i++) expect(points[i][0]).toBeGreaterThanOrEqual(points[i - 1][0]);
    expect(points[points.length - 1][0]).toBeCloseTo(960 - 24, 0);
  });

  test('deterministic', () => {
    expect(RolloutPlans.fromManifests([routed, smoke]).toSvg()).toBe(RolloutPlans.fromManifests([routed, smoke]).toSvg());
  });

  test('a plan with no known time still spans the axis', () => {
    const doc = new DOMParser().parseFromString(RolloutPlan.fromManifest(canary('x', [])).toSvg(), 'image/svg+xml');
    const points = doc.getElementsByTagName('polyline')[0].getAttribute('points')!.split(' ');
    expect(points[points.length - 1]).toBe('936,64');
  });
});
