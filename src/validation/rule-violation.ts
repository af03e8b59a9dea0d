import { ApiObject } from 'cdk8s';
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
 * Registers a synth-time check that reports every violation it returns. A check that throws
 * reports its error the same way (an error of this construct's own, without the path cdk8s adds
 * again); a check that cannot read the final JSON (an escape hatch changed a field's shape)
 * reports that, instead of a TypeError naming nothing. The object checks come with it (see
 * `addObjectValidation`).
 */
export function addRuleValidation(scope: IConstruct, check: () => RuleViolation[]): void {
  addObjectValidation(scope);
  addGuardedValidation(scope, check);
}

function addGuardedValidation(scope: IConstruct, check: () => RuleViolation[]): void {
  scope.node.addValidation({
    validate: () => {
      try {
        return check().map(formatViolation);
      } catch (e: any) {
        const own = `[${scope.node.path}] `;
        const message = String(e?.message ?? e);
        if (message.startsWith(own)) return [message.slice(own.length)];
        const failedPatch = /^Failed serializing construct at path '([^']*)'/.exec(message);
        if (failedPatch) {
          return [formatViolation({ property: 'addJsonPatch', field: failedPatch[1], message, allowed: 'JSON patches whose paths exist in the manifest' })];
        }
        if (!(e instanceof TypeError) || !hasJsonPatches(scope)) throw e;
        return [formatViolation({
          property: 'addJsonPatch',
          field: 'the patched manifests',
          message: `a JSON patch changed the shape of a field the checks read (${message})`,
          allowed: 'patches that keep lists as lists and objects as objects, as the API server requires',
        })];
      }
    },
  });
}

/** Whether any API object of the app has JSON patches (cdk8s keeps them in a private list). */
function hasJsonPatches(scope: IConstruct): boolean {
  return scope.node.root.node.findAll().some((c) => ApiObject.isApiObject(c) && ((c as any).patches?.length ?? 0) > 0);
}

/**
 * Registers the object checks of the API objects `scope` owns, on their final JSON: the API
 * server's name rules, no duplicate objects in the app, finite numbers, no inline credentials,
 * strings Go's YAML library reads back as written.
 */
export function addObjectValidation(scope: IConstruct): void {
  addObjectChecks(scope, (violations) => addGuardedValidation(scope, violations));
}
