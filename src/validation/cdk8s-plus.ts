import { IConstruct } from 'constructs';
import { throwViolation } from './rule-violation';

const JSII_RTTI = Symbol.for('jsii.rtti');

/** The package whose class `value` is an instance of (e.g. `cdk8s-plus-33`), from jsii's type info. */
function jsiiPackageOf(value: unknown): string | undefined {
  const fqn: unknown = (value as any)?.constructor?.[JSII_RTTI]?.fqn;
  return typeof fqn === 'string' ? fqn.split('.')[0] : undefined;
}

/**
 * Refuses objects made with another cdk8s-plus (such as the cdk8s-plus-33 that `cdk8s init`
 * installs) where these constructs take cdk8s-plus-27 ones, in one sentence saying what to change.
 */
export function requireCdk8sPlus27(scope: IConstruct, property: string, values: unknown[]): void {
  for (const value of values) {
    const pkg = jsiiPackageOf(value);
    if (pkg && pkg !== 'cdk8s-plus-27' && pkg.startsWith('cdk8s-plus-')) {
      const kind = (value as any).constructor.name;
      throwViolation(scope, {
        property,
        field: property,
        message: `this ${kind} comes from ${pkg}, but cdk8s-argo-rollouts is built on cdk8s-plus-27 (Kubernetes 1.27): create it with cdk8s-plus-27's ${kind} (import * as kplus from 'cdk8s-plus-27')`,
        allowed: `a cdk8s-plus-27 ${kind}`,
      });
    }
  }
}
