import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import * as YAML from 'yaml';
import { CanaryRollout, CanarySteps, NginxTrafficSplit } from '../src';
import { schemas } from './support/synth';

/**
 * Output guarantees for every example app (examples/<name>/main.ts exporting `buildApp(outdir)`):
 * each object validates against its schema with unknown fields as errors, two synths are
 * byte-identical, and adding an unrelated service changes no other file.
 */
const examplesDir = path.join(__dirname, '..', 'examples');
const examples = fs.readdirSync(examplesDir).filter((name) => fs.existsSync(path.join(examplesDir, name, 'main.ts'))).sort();

function synthToFiles(name: string, addUnrelated = false): Map<string, string> {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `${name}-`));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const app: App = require(path.join(examplesDir, name, 'main.ts')).buildApp(outdir);
  if (addUnrelated) {
    const chart = new Chart(app, 'zz-unrelated', { namespace: 'unrelated' });
    new CanaryRollout(chart, 'other', {
      metadata: { name: 'other' },
      containers: [{ image: 'registry.example.com/other:1.0.0', portNumber: 9090 }],
      trafficSplit: new NginxTrafficSplit(chart, 'traffic', { host: 'other.example.com' }),
      steps: CanarySteps.progressive(),
    });
  }
  app.synth();
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.set(path.relative(outdir, full), fs.readFileSync(full, 'utf8'));
    }
  };
  walk(outdir);
  fs.rmSync(outdir, { recursive: true, force: true });
  return files;
}

test('there is an example per seed team so far', () => {
  expect(examples).toContain('seed-001-hmco-portal');
});

describe.each(examples)('example %s', (name) => {
  let first: Map<string, string>;
  beforeAll(() => {
    first = synthToFiles(name);
  });

  test('synthesises objects that are valid against their schemas', () => {
    const objects = [...first.values()].flatMap((text) => YAML.parseAllDocuments(text).map((d) => d.toJSON())).filter((o) => o);
    expect(objects.length).toBeGreaterThan(0);
    const errors = objects.flatMap((o: any) => schemas.errors(o));
    expect(errors).toEqual([]);
  });

  test('adding an unrelated service changes no other file', () => {
    const withOther = synthToFiles(name, true);
    for (const [file, text] of first) expect(withOther.get(file)).toBe(text);
    expect(withOther.size).toBe(first.size + 1);
  });

  test('is deterministic: a second synth is byte-identical', () => {
    const second = synthToFiles(name);
    expect([...second.keys()]).toEqual([...first.keys()]);
    for (const [file, text] of first) expect(second.get(file)).toBe(text);
  });
});
