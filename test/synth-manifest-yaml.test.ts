import { Yaml } from 'cdk8s';
import * as YAML from 'yaml';
import { goYamlReadsOtherwise, GO_YAML_UNREADABLE } from '../src/synth/go-yaml';
import { ManifestYaml } from '../src/synth/manifest-yaml';

/** Strings whose quoting the YAML library decides for YAML 1.1 reasons (booleans, numbers, indicators...). */
const trickyStrings = [
  'plain', 'hmco/portal-services:1.0.1', 'a:b', 'a: b', 'a:', 'a #b', 'a#b', '#a', ' lead', 'trail ', 'in side',
  '', ' ', '-', '?', '- a', '? a', '-a', ':a', ',a', '[a', ']a', '{a', '}a', '&a', '*a', '!a', '|a', '>a', "'a", '"a', '%a', '@a', '`a',
  'yes', 'Yes', 'YES', 'no', 'No', 'y', 'Y', 'n', 'N', 'on', 'On', 'ON', 'off', 'Off', 'true', 'True', 'TRUE', 'false', 'False',
  'null', 'Null', 'NULL', '~', '0', '8080', '-1', '+1', '1.5', '.5', '1.', '1e3', '1E3', '1_000', '0x1F', '0o17', '017', '0b101', '08',
  '.inf', '-.inf', '.NaN', '.nan', '190:20:30', '1:30', '2001-12-14', '2001-12-14t21:59:43.10-05:00', '=', '<<',
  '---', '--- a', '...', '%YAML', 'a---', "it's", 'say "hi"', 'both \' and "', 'tab\there', 'back\\slash', 'uni ✓ code', 'emoji 🚀',
  'ctrl\u0001char', 'bell\u0007', 'nel\u0085', 'nbsp\u00a0', 'ls\u2028', 'del\u007f', 'cr\rhere', 'multi\nline', 'trailing\n', '\nleading',
  'a\n\nb', 'a\n\n\nb', 'a\n  indented\nb', 'space \nat line end', 'key: value\n# hash\n- dash', '---\nmarker', '...\nend', 'a\n---\nb',
  'tab\n\tindented', 'ends\n ', 'ends\n\n', ' lead\nx', '\tlead\nx', 'x\ny\t', '{\n "json": [1, "two"]\n}', 'crlf\r\nline', '"quoted"\nnext', '|\n>',
  'x'.repeat(1100), `${'k'.repeat(1030)}`, 'sum(rate(http_requests_total{status!~"5.."}[5m])) / sum(rate(http_requests_total[5m]))',
];

const scalars: unknown[] = [
  ...trickyStrings, 0, 1, -1, 42, 8080, 3.14, 0.1, -0.5, 1e21, 1e-7, 2 ** 53, -(2 ** 53), NaN, Infinity, -Infinity, -0, true, false,
];

/** A manifest putting a scalar in every position: key, map value, list item, nested deeper. */
function manifestWith(s: unknown): any {
  const key = typeof s === 'string' ? s : String(s);
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'm', labels: { [key]: s } },
    data: { value: s, list: [s, [s, { [key]: s }], { inner: [s] }], deep: { deeper: { deepest: s } } },
  };
}

/** A string cdk8s's writer leaves as Go's YAML library (kubectl, the API server, Argo CD) cannot read it back. */
const goYamlHazard = (s: unknown) => typeof s === 'string' && (GO_YAML_UNREADABLE.test(s) || (goYamlReadsOtherwise(s) && Yaml.stringify(s) === `${s}\n`));
const hasHazard = (value: any): boolean => goYamlHazard(value)
  || (typeof value === 'object' && value !== null && Object.entries(value).some(([k, v]) => goYamlHazard(k) || hasHazard(v)));

/**
 * YAML every reader takes for `docs`: the `yaml` library in YAML 1.1 mode reads the documents
 * back, no plain scalar is one go-yaml's resolver (resolve.go) reads as another type, and no
 * character go-yaml's reader refuses or takes for a line break is left raw.
 */
function expectGoYamlReadable(out: string, docs: any[]) {
  expect(out).not.toMatch(GO_YAML_UNREADABLE);
  const parsed = YAML.parseAllDocuments(out, { version: '1.1' });
  expect(parsed.map((d) => d.toJS())).toEqual(docs);
  for (const doc of parsed) {
    YAML.visit(doc, {
      Scalar(_, node) {
        if (node.type === 'PLAIN' && typeof node.value === 'string') expect(goYamlReadsOtherwise(node.value)).toBe(false);
      },
    });
  }
}

/** Byte for byte cdk8s's `Yaml.stringify`, except that strings go-yaml would misread are quoted and escaped. */
function expectAgreesWithCdk8s(out: string, docs: any[]) {
  if (docs.some(hasHazard)) {
    expect(out).not.toBe(Yaml.stringify(...docs));
    expectGoYamlReadable(out, docs);
  } else {
    expect(out).toBe(Yaml.stringify(...docs));
  }
}

function expectSameAsCdk8s(docs: any[]) {
  expectAgreesWithCdk8s(new ManifestYaml().stringify(docs), docs);
}

describe('ManifestYaml', () => {
  test.each(scalars.map((s) => [typeof s === 'string' ? JSON.stringify(s).slice(0, 40) : String(s), s]))('renders %s in every position as cdk8s does', (_, s) => {
    expectSameAsCdk8s([manifestWith(s)]);
  });

  test('renders every scalar in one shared cache as cdk8s does (a cached rendering serves keys and values)', () => {
    const yaml = new ManifestYaml();
    for (const s of [...scalars, ...scalars]) {
      expectAgreesWithCdk8s(yaml.stringify([manifestWith(s)]), [manifestWith(s)]);
    }
  });

  test('empty maps and lists, nested lists and lists of maps, at every depth', () => {
    expectSameAsCdk8s([{
      a: {},
      b: [],
      c: [{}, [], [[]], [{}], { d: {} }, { e: [] }],
      f: [[1, [2, [3, {}]]], [{ g: [{ h: [] }] }]],
      i: { j: { k: [{ l: 1, m: [{ n: 'x' }, []] }] } },
    }]);
    expectSameAsCdk8s([{}]);
    expectSameAsCdk8s([[]]);
    expectSameAsCdk8s([[1, { a: 2 }, [3]]]);
  });

  test('several documents, undefined documents and non-map documents', () => {
    expectSameAsCdk8s([{ a: 1 }, undefined, 'text', 42, { b: [1] }, undefined]);
    expectSameAsCdk8s([]);
  });

  test('keys are kept in JavaScript order (integer-like keys first), as the library does', () => {
    expectSameAsCdk8s([{ 'b': 1, '10': 'ten', 'a': 2, '2': 'two', 'x y': 3 }]);
  });

  test('hands to the library what it would render differently: nulls, repeated objects, non-plain objects', () => {
    const shared = { shared: true };
    const circular: any = { name: 'loop' };
    circular.self = circular;
    const docs = [
      { a: null }, { a: null, b: null }, { a: 1, b: null }, { list: [null, 1] }, { list: [undefined] }, { a: undefined },
      { first: shared, second: shared }, { list: [shared, shared] }, circular,
      { date: new Date(0) }, { map: new Map([['k', 'v']]) }, { set: new Set([1]) }, { big: BigInt(10) },
      { bytes: new Uint8Array([1, 2]) }, { proto: Object.create(null) },
    ];
    for (const doc of docs) {
      expect(new ManifestYaml().stringify([doc])).toBe(Yaml.stringify(doc));
    }
  });

  test('writes the usual manifest directly: the library only renders the scalars that may need quotes, once each', () => {
    const doc = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', labels: { app: 'web', enabled: 'yes' }, annotations: { note: 'a: b', other: 'a plain sentence' } },
      spec: { replicas: 2, template: { spec: { containers: [{ name: 'web', image: 'web:1', ports: [{ containerPort: 8080 }] }] } } },
    };
    const spy = jest.spyOn(Yaml, 'stringify');
    try {
      const yaml = new ManifestYaml();
      yaml.stringify([doc, doc]);
      const rendered = spy.mock.calls.map((args) => args[0]);
      expect(spy.mock.calls.every((args) => args.length === 1 && typeof args[0] !== 'object')).toBe(true);
      expect(rendered.sort()).toEqual([2, 8080, 'a: b', 'yes']);
    } finally {
      spy.mockRestore();
    }
  });

  test('writes strings plain exactly when the library does (20000 random ones)', () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const fragments = ['y', 'Y', 'n', 'N', 'yes', 'No', 'ON', 'off', 'true', 'False', 'null', 'NULL', 'e', 'E', 'x', 'b', 'o', 'inf', 'nan',
      '0', '1', '9', '_', '.', '/', '-', ':', '+', '~', '<<', 'a', 'Z', ' ', '  ', '#', ': ', ' #', '"', "'", ',', '[', ']', '{', '}', '&',
      '*', '!', '|', '>', '%', '@', '`', '\\', '=', '?', '\t', '---', '...', '\u00e9', '\u00a0'];
    const yaml = new ManifestYaml();
    for (let i = 0; i < 20000; i++) {
      const s = Array.from({ length: 1 + random(5) }, () => fragments[random(fragments.length)]).join('');
      const doc = { [s]: s, list: [s] };
      expect(yaml.stringify([doc])).toBe(Yaml.stringify(doc));
    }
  });

  test('writes a multi-line string as a literal block itself; falls back per document for one ending in a newline', () => {
    const literal = { kind: 'ConfigMap', data: { 'dashboard.json': '{\n "panels": []\n}', 'list': ['a\n\nb'] } };
    const clipped = { kind: 'ConfigMap', data: { query: 'sum(rate(x[5m]))\n/ sum(rate(y[5m]))\n' } };
    const spy = jest.spyOn(Yaml, 'stringify');
    try {
      const out = new ManifestYaml().stringify([literal, clipped]);
      expect(spy.mock.calls.filter((args) => args[0] === clipped)).toHaveLength(1);
      expect(spy.mock.calls.filter((args) => args[0] === literal)).toHaveLength(0);
      spy.mockRestore();
      expect(out).toBe(Yaml.stringify(literal, clipped));
      expect(out).toContain('dashboard.json: |-\n    {\n     "panels": []\n    }\n  list:\n    - |-\n      a\n\n      b\n');
      expect(out).toContain('query: |\n');
    } finally {
      spy.mockRestore();
    }
  });

  test('matches the library on 3000 random manifests built from tricky keys and values', () => {
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const pick = <T>(xs: T[]): T => xs[random(xs.length)];
    const value = (depth: number): any => {
      const r = random(10);
      if (depth > 3 || r < 5) return pick(scalars);
      if (r < 8) {
        const obj: any = {};
        for (let i = random(4); i > 0; i--) obj[String(pick(scalars)).slice(0, 40)] = value(depth + 1);
        return obj;
      }
      return Array.from({ length: random(4) }, () => value(depth + 1));
    };
    const yaml = new ManifestYaml();
    for (let i = 0; i < 3000; i++) {
      const doc = { apiVersion: 'v1', kind: 'ConfigMap', data: value(0), extra: value(0) };
      expectAgreesWithCdk8s(yaml.stringify([doc]), [doc]);
    }
  });
});

describe('go-yaml readability (resolve.go of go-yaml v2, used through sigs.k8s.io/yaml)', () => {
  test.each([
    '0o17', '0O17', '0X1F', '0x1f', '0B11', '0b11', '+1', '-1', '1_000', '-_1', '+0o17', '0o1_7', '08', '1e3', '.5', '.inf', '-.Inf', '.NaN',
    '~', '', 'null', 'y', 'Y', 'n', 'N', 'yes', 'No', 'on', 'Off', 'true', 'FALSE', '<<', '2001-12-14',
  ])('%p is read as another type when plain', (s) => {
    expect(goYamlReadsOtherwise(s)).toBe(true);
  });

  test.each(['0o8', '0x', '1.2.3', 'v1', '1.0.0', 'abc', '_1', '=', '0xg', 'e3', '.', '-', '+', 'onion', 'nope'])('%p stays a string', (s) => {
    expect(goYamlReadsOtherwise(s)).toBe(false);
  });

  test('what cdk8s writes plain and go-yaml misreads is double-quoted with escapes; the yaml library (YAML 1.1) reads it back', () => {
    const doc = { a: '0o17', b: '0X1F', c: '0B11', d: '+0o17', e: '<<', f: 'line\u2028sep', g: 'bom\ufeff', h: 'del\u007f', i: 'nel\u0085', ['0o17']: 'key' };
    const out = new ManifestYaml().stringify([doc]);
    expect(out).toBe([
      'a: "0o17"', 'b: "0X1F"', 'c: "0B11"', 'd: "+0o17"', 'e: "<<"', 'f: "line\\u2028sep"', 'g: "bom\\ufeff"', 'h: "del\\u007f"', 'i: "nel\\u0085"', '"0o17": key', '',
    ].join('\n'));
    expectGoYamlReadable(out, [doc]);
    expect(Yaml.stringify(doc)).toContain('a: 0o17\n'); // cdk8s's own writer: the library's constructs refuse these strings
  });
});
