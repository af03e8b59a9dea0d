import { IConstruct } from 'constructs';
import { addObjectChecks } from './object-names';

/**
 * A rule the spec breaks: the user-facing property, the controller's field path and error text, and
 * what would be accepted instead.
 */
export interface RuleViolation {
  /** The construct property (or JSON field, for escape hatches) that holds the offending value. */
  readonly property: string;
  /** The field path the Argo Rollouts controller reports, e.g. `spec.strategy.maxSurge`. */
  readonly field: string;
  /** The controller's own error text (or the library's, for rules the controller does not have). */
  readonly message: string;
  /** What would be accepted. */
  readonly allowed: string;
}

/** Renders a violation as one line; cdk8s prefixes it with the construct path at synth time. */
export function formatViolation(v: RuleViolation): string {
  return `${v.property}: ${v.field}: ${v.message} (allowed: ${v.allowed})`;
}

/**
 * Throws at construction time, naming the construct path like cdk8s does for synth-time validation
 * errors, so both kinds of error read the same.
 */
export function throwViolation(scope: IConstruct, violation: RuleViolation): never {
  throw new Error(`[${scope.node.path}] ${formatViolation(violation)}`);
}

/**
 * Registers a synth-time check that reports every violation it returns, plus the object checks
 * (API server name rules for the objects `scope` writes, no duplicate objects in the app).
 */
export function addRuleValidation(scope: IConstruct, check: () => RuleViolation[]): void {
  scope.node.addValidation({ validate: () => check().map(formatViolation) });
  addObjectValidation(scope);
}

/** Registers the object checks alone, for constructs without rules of their own. */
export function addObjectValidation(scope: IConstruct): void {
  addObjectChecks(scope, (violations) => scope.node.addValidation({ validate: () => violations().map(formatViolation) }));
}
