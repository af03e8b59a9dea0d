import { conditionError, evaluateCondition, MeasurementPhase, measurementPhase, ResultType } from '../src';
import { promqlSyntaxError } from '../src/analysis/promql';

describe('condition subset evaluator (controller semantics)', () => {
  test('result[0] on an empty result is an error, as in the controller ("metric result is nil or empty")', () => {
    expect(measurementPhase([], 'result[0] >= 0.95')).toBe(MeasurementPhase.ERROR);
    expect(measurementPhase([], 'len(result) == 0 || result[0] >= 0.95')).toBe(MeasurementPhase.SUCCESSFUL);
  });

  test('comparisons with NaN are false, so NaN fails a bare success condition', () => {
    expect(measurementPhase([NaN], 'result[0] >= 0.95')).toBe(MeasurementPhase.FAILED);
    expect(measurementPhase([NaN], 'result[0] < 0.95')).toBe(MeasurementPhase.FAILED);
    expect(measurementPhase([NaN], 'isNaN(result[0]) || result[0] >= 0.95')).toBe(MeasurementPhase.SUCCESSFUL);
  });

  test('EvaluateResult: failure wins; only failure set; both false is inconclusive; none set is successful', () => {
    expect(measurementPhase([5], 'result[0] > 1', 'result[0] > 2')).toBe(MeasurementPhase.FAILED);
    expect(measurementPhase([0], undefined, 'result[0] > 2')).toBe(MeasurementPhase.SUCCESSFUL);
    expect(measurementPhase([3], undefined, 'result[0] > 2')).toBe(MeasurementPhase.FAILED);
    expect(measurementPhase([1.5], 'result[0] < 1', 'result[0] > 2')).toBe(MeasurementPhase.INCONCLUSIVE);
    expect(measurementPhase([1], undefined, undefined)).toBe(MeasurementPhase.SUCCESSFUL);
  });

  test('operators: and/or/not spellings, precedence, short-circuit, unary minus, strings', () => {
    expect(evaluateCondition('len(result) > 0 and not isNaN(result[0]) and result[0] > -1', [0])).toBe(true);
    expect(evaluateCondition('len(result) == 0 || result[0] > 1 && result[0] < 2', [])).toBe(true);
    expect(evaluateCondition('!(result[0] <= 1) || result[0] != 1', [1])).toBe(false);
    expect(evaluateCondition("result == 'ok'", 'ok')).toBe(true);
    expect(evaluateCondition('result == "ok"', 'degraded')).toBe(false);
    expect(() => evaluateCondition('result[0]', [1])).toThrow(/expected bool/);
  });

  test('conditions outside the subset, or of the wrong type, are rejected', () => {
    expect(conditionError('result[0] >= 0.95', ResultType.VECTOR)).toBeUndefined();
    expect(conditionError('result >= 0.95', ResultType.VECTOR)).toMatch(/mismatched types vector and number\) \(use result\[0\]\)/);
    expect(conditionError('result >= 0.95', ResultType.VALUE)).toBeUndefined();
    expect(conditionError('result.major == "1"', ResultType.VECTOR)).toMatch(/cannot use string as index to vector/);
    expect(conditionError('result[0]', ResultType.VECTOR)).toMatch(/expected bool, but got number/);
    expect(conditionError('result[0] < 1 &&', ResultType.VECTOR)).toMatch(/unexpected end/);
    expect(conditionError('isNaN(result) || result[0] > 1', ResultType.VECTOR)).toMatch(/isNaN\(\) needs number, got vector/);
    expect(conditionError('result[0] < 1 ; true', ResultType.VECTOR)).toMatch(/";" at 14 is outside the supported condition subset/);
    expect(conditionError('len(result, 1) > 0', ResultType.VECTOR)).toMatch(/len\(\) takes 1 argument, got 2/);
    expect(conditionError('foo(result)', ResultType.VALUE)).toMatch(/"foo" is outside the supported condition subset/);
    expect(conditionError('"a" < 1', ResultType.VALUE)).toMatch(/mismatched types string and int/);
  });
});

describe('promqlSyntaxError caches by query shape without hiding errors', () => {
  test('same shape with other label values: valid; broken string or structure: an error', () => {
    expect(promqlSyntaxError('sum(rate(http_requests_total{service="a",code=~"5.."}[2m]))')).toBeUndefined();
    expect(promqlSyntaxError('sum(rate(http_requests_total{service="b\\"c",code=~"4.."}[2m]))')).toBeUndefined();
    expect(promqlSyntaxError('sum(rate(http_requests_total{service="b,code=~"4.."}[2m]))')).toMatch(/^syntax error at character/);
    expect(promqlSyntaxError('sum(rate(http_requests_total{service="a",code=~"5.."}[2m])')).toMatch(/^syntax error at character/);
  });
});

describe('the expression language the controller allows (expr-lang, utils/evaluate)', () => {
  const ok = (condition: string, type = ResultType.VALUE) =>
    expect({ condition, error: conditionError(condition, type) }).toEqual({ condition, error: undefined });

  test('member access on JSON results, booleans, .5, strings, builtins and the controller\'s functions pass the check', () => {
    for (const c of [
      "result.major == '1'", 'result == true', 'result.healthy && result.version != "2.0"', 'result?.status.code == 200', "result['dotted.key'] == 'x'",
      'result.ratio > .5', 'len(result.items) > 0', 'all(result.checks, {.ok})', 'any(result.items, # > 0.5)', 'not (result in ["down", "degraded"])',
      'result.name startsWith "web" and result.name matches "^web-[0-9]+$"', 'asInt(result.count) >= 3', 'asFloat(result) < 0.5',
      'isNil(result) || default(result, 0) < 1', 'result.a > result.b ? true : false', "result.version >= '1.10'", 'result.count % 2 == 0',
    ]) ok(c);
    for (const c of ['len(result) > 0 && all(result, {# < .5})', 'isInf(result[0]) == false', 'isNaN(result[-1]) || result[0] ** 2 < 1', 'count(result, # > 1) <= 1', 'default(result, 0) != nil']) {
      ok(c, ResultType.VECTOR);
    }
  });

  test('evaluation follows the controller', () => {
    expect(evaluateCondition("result.major == '1'", { major: '1', minor: '27' })).toBe(true);
    expect(evaluateCondition('result.missing == nil', { major: '1' })).toBe(true);
    expect(() => evaluateCondition('result.a.b == 1', { a: null })).toThrow(/cannot fetch b from <nil>/);
    expect(evaluateCondition('result?.a?.b == nil', { a: null })).toBe(true);
    expect(evaluateCondition('result == true', true)).toBe(true);
    // the controller compiles against the result it got: a string result does not compare with a boolean
    expect(() => evaluateCondition('result == true', 'true')).toThrow(/mismatched types string and bool/);
    expect(() => evaluateCondition('result.count % 2 == 1', { count: 3 })).toThrow(/invalid operation/);
    expect(() => evaluateCondition('result.x == nil', null)).toThrow(/has no field/);
    expect(evaluateCondition('result > .5', 0.6)).toBe(true);
    expect(evaluateCondition('len(result) == 2', { a: 1, b: 2 })).toBe(true);
    expect(evaluateCondition('all(result, {# > 0.9})', [0.95, 0.99])).toBe(true);
    expect(evaluateCondition('all(result, # > 0.9)', [])).toBe(true);
    expect(evaluateCondition('any(result.checks, {.ok == false})', { checks: [{ ok: true }, { ok: false }] })).toBe(true);
    expect(evaluateCondition('isInf(result[0])', [Infinity])).toBe(true);
    expect(evaluateCondition('result[-1] == 3', [1, 2, 3])).toBe(true);
    expect(evaluateCondition('asInt(result) == 3', '3')).toBe(true);
    expect(() => evaluateCondition('asInt(result) == 3', '3.5')).toThrow(/invalid syntax/);
    expect(evaluateCondition('asFloat(result) < 0.5', '0.25')).toBe(true);
    expect(evaluateCondition("'10' < '9'", null)).toBe(true);
    expect(evaluateCondition('1 + 2 * 3 == 7 && 2 ** 3 ** 2 == 512 && 7 / 2 == 3.5', null)).toBe(true);
    // `not` binds tighter than comparisons, as in expr: `(not 1) < 2`
    expect(conditionError('not 1 < 2', ResultType.VALUE)).toMatch(/! needs bool, got int/);
    expect(evaluateCondition('not false && !(1 > 2)', null)).toBe(true);
    expect(evaluateCondition('"b" in ["a", "b"] && "c" not in ["a"]', null)).toBe(true);
    // the controller's default() and isNil() test the whole result, whatever their first argument
    expect(evaluateCondition('default(result, 5) == 5', null)).toBe(true);
    expect(evaluateCondition('default(result.x, 5) == 5', { x: 1 })).toBe(false);
    expect(evaluateCondition('isNil(result.missing)', { a: 1 })).toBe(false);
    expect(evaluateCondition('isNil(result)', null)).toBe(true);
    expect(() => evaluateCondition('result > 1', 'x')).toThrow(/invalid operation/);
    expect(() => evaluateCondition('result || true', 1)).toThrow(/invalid operation: \|\| needs bool, got number/);
  });

  test('measurement phases with JSON results', () => {
    expect(measurementPhase({ status: 'ok' }, "result.status == 'ok'")).toBe(MeasurementPhase.SUCCESSFUL);
    expect(measurementPhase({ status: 'down' }, "result.status == 'ok'")).toBe(MeasurementPhase.FAILED);
    expect(measurementPhase('not json', "result.status == 'ok'")).toBe(MeasurementPhase.ERROR);
  });
});
