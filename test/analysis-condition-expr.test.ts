import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { conditionError, evaluateCondition, ResultType } from '../src';

/**
 * The controller decides: every condition of the corpus, on every result, is evaluated by the
 * library and by expr v1.15.5 in the controller's environment (test/expr-oracle, built with Go).
 * A condition the library refuses at synth must fail in the controller too (compile error or
 * measurement error); one it accepts must give the same outcome.
 */
const CONDITIONS = [
  "result.major == '1'", 'result == true', 'result.healthy && result.version != "2.0"', 'result?.status.code == 200', "result['dotted.key'] == 'x'",
  'result.ratio > .5', 'len(result.items) > 0', 'all(result.checks, {.ok})', 'any(result.items, # > 0.5)', 'not (result in ["down", "degraded"])',
  'result.name startsWith "web" and result.name matches "^web-[0-9]+$"', 'asInt(result.count) >= 3', 'asFloat(result) < 0.5',
  'isNil(result) || default(result, 0) < 1', 'result.a > result.b ? true : false', "result.version >= '1.10'", 'result.count % 2 == 0',
  'len(result) > 0 && all(result, {# < .5})', 'isInf(result[0]) == false', 'isNaN(result[-1]) || result[0] ** 2 < 1', 'count(result, # > 1) <= 1',
  'default(result, 0) != nil', 'result[0] >= 0.95', 'len(result) == 0 || result[0] >= 0.95', 'len(result) > 0 && !isNaN(result[0]) && result[0] < 0.01',
  'len(result) == 0 || isNaN(result[0]) || result[0] <= 0.5', 'result == "ok"', "result == 'ok'", 'result > 1', 'result.missing == nil', 'result.a.b == 1',
  'result?.a?.b == nil', 'result > .5', 'len(result) == 2', 'all(result, {# > 0.9})', 'all(result, # > 0.9)', 'any(result.checks, {.ok == false})',
  'isInf(result[0])', 'result[-1] == 3', 'asInt(result) == 3', "'10' < '9'", '1 + 2 * 3 == 7 && 2 ** 3 ** 2 == 512 && 7 / 2 == 3.5',
  'not false && !(1 > 2)', '"b" in ["a", "b"] && "c" not in ["a"]', 'default(result.x, 5) == 5', 'isNil(result.missing)', 'isNil(result)',
  'result || true', 'result[0]', 'result >= 0.95', 'not 1 < 2', 'result[5] > 1', 'result.status == "ok" || result.status == "degraded"',
  'result.count > 2', 'len(result.items) == 0', 'asFloat(result.p99) < 0.5', 'result == 1', 'result != nil', '-result[0] < 0', 'result[0] / 0 > 1',
  'result[0] % 2 == 1', 'none(result, # > 1)', 'one(result, # > 1)', 'len(filter(result, # > 1)) == 1', 'abs(result[0]) < 1',
  'max(result[0], 1) == 1', 'result.v matches "^1\\\\."', 'result.tags contains "x"', 'lower(result.s) == "ok"', 'isNaN(result)', '7 % 2 == 1',
];
const RESULTS: Array<{ result: any; vector: boolean }> = [
  { result: [0.99], vector: true }, { result: [], vector: true }, { result: [0.5, 2, 3], vector: true }, { result: ['NaN'], vector: true },
  {
    result: {
      'major': '1',
      'minor': '27',
      'healthy': true,
      'version': '2.1',
      'status': 'ok',
      'count': 3,
      'items': [0.2, 0.7],
      'checks': [{ ok: true }, { ok: false }],
      'name': 'web-12',
      'a': 2,
      'b': 1,
      'ratio': 0.7,
      'p99': '0.25',
      'v': '1.2',
      'tags': 'xy',
      's': 'OK',
      'dotted.key': 'x',
    },
    vector: false,
  },
  { result: { status: 'down', count: '4', items: [] }, vector: false }, { result: 'ok', vector: false }, { result: '3', vector: false },
  { result: 0.25, vector: false }, { result: true, vector: false }, { result: null, vector: false }, { result: [1, 2, 3], vector: false },
  { result: { a: null }, vector: false },
];

function oracle(): string | undefined {
  const go = ['go', '/usr/local/go/bin/go'].find((g) => {
    try {
      execFileSync(g, ['version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  });
  if (!go) {
    if (process.env.CI === 'true') throw new Error('Go is required in CI for the expr-lang condition oracle');
    return undefined;
  }
  const binary = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'expr-oracle-')), 'expr-oracle');
  execFileSync(go, ['build', '-o', binary, '.'], { cwd: path.join(__dirname, 'expr-oracle'), stdio: 'inherit' });
  return binary;
}

test('the library\'s conditions agree with expr-lang in the controller\'s environment', () => {
  const binary = oracle();
  if (!binary) return; // no Go outside CI
  const inputs = RESULTS.flatMap((r) => CONDITIONS.map((condition) => ({ condition, ...r })));
  const outputs = execFileSync(binary, { input: inputs.map((i) => JSON.stringify(i)).join('\n') + '\n' }).toString().trim().split('\n');
  const disagreements = inputs.flatMap((input, i) => {
    const expr = outputs[i].startsWith('compile-error') ? (input.vector ? 'refused' : 'error') : outputs[i];
    let library: string;
    if (conditionError(input.condition, input.vector ? ResultType.VECTOR : ResultType.VALUE)) {
      library = 'refused';
    } else {
      const result = input.vector ? input.result.map((x: any) => (x === 'NaN' ? NaN : x)) : input.result;
      try {
        library = String(evaluateCondition(input.condition, result));
      } catch {
        library = 'error';
      }
    }
    const agree = library === expr || (library === 'refused' && expr === 'error');
    return agree ? [] : [`${JSON.stringify(input.result)} | ${input.condition} | library: ${library} | expr: ${outputs[i]}`];
  });
  expect(outputs).toHaveLength(inputs.length);
  expect(disagreements).toEqual([]);
});
