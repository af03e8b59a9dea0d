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
    expect(conditionError('result >= 0.95', ResultType.VECTOR)).toMatch(/got vector \(use result\[0\]\)/);
    expect(conditionError('result >= 0.95', ResultType.VALUE)).toBeUndefined();
    expect(conditionError('default(result, 0) < 0.05', ResultType.VECTOR)).toMatch(/"," at 15 is outside the supported condition subset/);
    expect(conditionError('result[i] < 1', ResultType.VECTOR)).toMatch(/only constant integer indexes/);
    expect(conditionError('result[0]', ResultType.VECTOR)).toMatch(/expected bool, but got number/);
    expect(conditionError('result[0] < 1 &&', ResultType.VECTOR)).toMatch(/unexpected end/);
    expect(conditionError('isNaN(result) || result[0] > 1', ResultType.VECTOR)).toMatch(/isNaN needs number, got vector/);
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
