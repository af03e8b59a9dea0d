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

/** Shapes of credentials that must never be written inline (Slack, GitHub, AWS, bearer/basic auth, URL userinfo). */
const SECRET_PATTERNS = [
  /xox[abposr]-[0-9A-Za-z-]{10,}/, /gh[pousr]_[0-9A-Za-z]{20,}/, /AKIA[0-9A-Z]{16}/, /^(Bearer|Basic) [A-Za-z0-9+/=._-]{8,}$/,
  /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/, /hooks\.slack\.com\/services\/T[0-9A-Z]+\//, /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
];

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
  let objects: any[];
  beforeAll(() => {
    first = synthToFiles(name);
    objects = [...first.values()].flatMap((text) => YAML.parseAllDocuments(text).map((d) => d.toJSON())).filter((o) => o);
  });

  test('synthesises objects that are valid against their schemas', () => {
    expect(objects.length).toBeGreaterThan(0);
    const errors = objects.flatMap((o: any) => schemas.errors(o));
    expect(errors).toEqual([]);
  });

  test('no Secret value, token or password in any manifest', () => {
    expect(objects.filter((o: any) => o.kind === 'Secret' && (o.data || o.stringData))).toEqual([]);
    const leaks: string[] = [];
    const walk = (value: any, at: string) => {
      if (typeof value === 'string') {
        if (SECRET_PATTERNS.some((p) => p.test(value))) leaks.push(`${at}: ${value.slice(0, 60)}`);
      } else if (value && typeof value === 'object') {
        for (const [k, v] of Object.entries(value)) walk(v, `${at}/${k}`);
      }
    };
    objects.forEach((o: any) => walk(o, `${o.kind}/${o.metadata?.name}`));
    expect(leaks).toEqual([]);
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
