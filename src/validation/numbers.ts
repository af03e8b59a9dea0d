import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { RuleViolation, throwViolation } from './rule-violation';

/** An allowed numeric range; `integer` unless said otherwise. */
export interface NumberRange {
  /** Smallest allowed value. */
  readonly min?: number;
  /** Largest allowed value. */
  readonly max?: number;
  /** Whether fractions are allowed (never NaN or infinities). */
  readonly fraction?: boolean;
}

/** The allowed values of `range` in words, e.g. `an integer from 1 to 65535`. */
export function describeRange(range: NumberRange): string {
  const kind = range.fraction ? 'a number' : 'an integer';
  if (range.min !== undefined && range.max !== undefined) return `${kind} from ${range.min} to ${range.max}`;
  if (range.min !== undefined) return `${kind} >= ${range.min}`;
  if (range.max !== undefined) return `${kind} <= ${range.max}`;
  return range.fraction ? 'a finite number' : 'an integer';
}

/**
 * Whether `value` is a number in `range`. Written positively (`min <= x`), so NaN, infinities
 * and (for integers) fractions are never in range; a check written as `x < 0` lets them through.
 */
export function inRange(value: unknown, range: NumberRange): boolean {
  if (typeof value !== 'number' || !Number.isFinite(value)) return false;
  if (!range.fraction && !Number.isInteger(value)) return false;
  return (range.min === undefined || value >= range.min) && (range.max === undefined || value <= range.max);
}

/** A violation when `value` (if given) is outside `range`, with the value as given (`NaN`, `1.5`). */
export function numberViolation(property: string, field: string, value: unknown, range: NumberRange): RuleViolation | undefined {
  if (value === undefined || inRange(value, range)) return undefined;
  return { property, field, message: `Invalid value: ${String(value)}: must be ${describeRange(range)}`, allowed: describeRange(range) };
}

/** Throws at construction time when `value` (if given) is outside `range`. */
export function checkNumber(scope: IConstruct, property: string, field: string, value: number | undefined, range: NumberRange): void {
  const violation = numberViolation(property, field, value, range);
  if (violation) throwViolation(scope, violation);
}

/** Ports: 1-65535. */
export const PORT_RANGE: NumberRange = { min: 1, max: 65535 };
/** Counts and limits: 0 or more. */
export const COUNT_RANGE: NumberRange = { min: 0 };
/** Traffic weights: 0-100 percent. */
export const WEIGHT_RANGE: NumberRange = { min: 0, max: 100 };
/** Measurement-retention limits: a positive int32 (the controller's `limit` field). */
export const RETENTION_LIMIT_RANGE: NumberRange = { min: 1, max: 2147483647 };

/**
 * `duration` in whole seconds for a second-granular field; throws naming the property when it is
 * not a whole number of seconds (cdk8s's own `toSeconds()` error names neither) or is negative.
 */
export function wholeSeconds(scope: IConstruct, property: string, field: string, duration: Duration): number;
export function wholeSeconds(scope: IConstruct, property: string, field: string, duration: Duration | undefined): number | undefined;
export function wholeSeconds(scope: IConstruct, property: string, field: string, duration: Duration | undefined): number | undefined {
  if (duration === undefined) return undefined;
  const millis = duration.toMilliseconds({ integral: false });
  if (!(Number.isFinite(millis) && millis >= 0 && millis % 1000 === 0)) {
    throwViolation(scope, { property, field, message: `Invalid value: ${duration.toHumanString()}: must be a whole number of seconds, 0 or more`, allowed: 'a duration in whole seconds (e.g. Duration.seconds(30))' });
  }
  return millis / 1000;
}
