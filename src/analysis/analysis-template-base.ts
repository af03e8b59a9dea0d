import { ApiObject, ApiObjectMetadata, Chart, JsonPatch, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { AnalysisArgument, PodTemplateHash } from './analysis-argument';
import { IAnalysisTemplate } from './analysis-template';
import { indefiniteMetrics, validateMetrics } from './metric-options';
import { placeholderArgs } from './promql';
import { TARGET_ARGS } from './query-target';
import { TemplateArgument } from './template-argument';
import { validateTemplateMetrics } from './template-checks';
import type { IRollout } from '../rollout/rollout-base';
import { API_KINDS } from '../synth/api-kinds';
import { addRuleValidation, RuleViolation, throwViolation } from '../validation/rule-violation';

/** Properties shared by the analysis templates this library generates. */
export interface AnalysisTemplateBaseProps {
  /**
   * Metadata; `name` is the template's name.
   * @default - a name generated from the construct path
   */
  readonly metadata?: ApiObjectMetadata;
  /**
   * Emit a ClusterAnalysisTemplate (one template for many services and namespaces).
   * @default false
   */
  readonly clusterScope?: boolean;
  /**
   * Whoever runs the template outside this app (rollouts of other apps, a hand-written
   * AnalysisRun) supplies its arguments. Without it, a template that declares arguments without a
   * value and that no rollout or experiment of this app runs is an error: run by name without
   * arguments, its AnalysisRun would fail with `args.<name> was not resolved`.
   * @default false
   */
  readonly externalArgs?: boolean;
  /**
   * Arguments the template declares itself: defaults, Secret keys, fields of the caller. They
   * replace the declaration of the same name the checks' `{{args.x}}` would otherwise get.
   * @default - only the arguments the checks use, without default
   */
  readonly args?: TemplateArgument[];
}

/**
 * An AnalysisTemplate or ClusterAnalysisTemplate generated from typed checks. Its spec is rendered
 * at synth time (queries may follow the traffic source of the rollouts that use it), checked
 * against the controller's metric rules (section C), and every argument its metrics use is
 * supplied by the rollout that runs it.
 */
export abstract class AnalysisTemplateBase extends Construct implements IAnalysisTemplate {
  public readonly templateName: string;
  public readonly clusterScope: boolean;
  /** The AnalysisTemplate or ClusterAnalysisTemplate object. */
  public readonly apiObject: ApiObject;

  /** Whether a rollout or experiment of this app runs the template (and so supplies its args). */
  private runHere = false;
  private readonly declaredArgs: TemplateArgument[];

  constructor(scope: Construct, id: string, props: AnalysisTemplateBaseProps) {
    super(scope, id);
    this.clusterScope = props.clusterScope ?? false;
    const externalArgs = props.externalArgs ?? false;
    this.declaredArgs = props.args ?? [];
    const names = this.declaredArgs.map((a) => a.name);
    const duplicate = names.find((n, i) => names.indexOf(n) !== i);
    if (duplicate !== undefined) {
      throwViolation(this, { property: 'args', field: 'spec.args', message: `argument '${duplicate}' declared twice`, allowed: 'one declaration per argument name' });
    }
    const gvk = this.clusterScope ? API_KINDS.clusterAnalysisTemplate : API_KINDS.analysisTemplate;
    this.apiObject = new ApiObject(this, 'Resource', { ...gvk, metadata: props.metadata, spec: Lazy.any({ produce: () => this.renderSpec() }) });
    if (this.clusterScope && (props.metadata?.namespace ?? Chart.of(this).namespace) !== undefined) {
      this.apiObject.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    }
    this.templateName = this.apiObject.name;
    addRuleValidation(this, () => {
      const spec = this.apiObject.toJson().spec;
      return [
        ...validateMetrics(spec), ...validateTemplateMetrics(spec, (i) => this.metricProperty(i)), ...this.validateSpec(spec),
        ...(externalArgs ? [] : this.validateArgsSupplied(spec)),
      ];
    });
  }

  /**
   * Records that a rollout or experiment of this app runs the template (it supplies the args).
   * @internal
   */
  public _markRun(): void {
    this.runHere = true;
  }

  private validateArgsSupplied(spec: any): RuleViolation[] {
    if (this.runHere) return [];
    const required = argsWithoutValue(spec);
    if (required.length === 0) return [];
    return [{
      property: 'checks',
      field: 'spec.args',
      message: `${this.apiObject.kind} "${this.templateName}" needs args ${required.join(', ')}, and no rollout or experiment of this app runs it: run by name without them, its AnalysisRun fails with "args.${required[0]} was not resolved"`,
      allowed: 'run it from a rollout or experiment of this app (they supply the args), checks that need no args (WebCheck.http with url, WebCheck.job without CANARY_URL), or externalArgs: true when whoever runs it passes them',
    }];
  }

  /** The metric names of the final spec (JSON patches included). */
  public get metricNames(): string[] {
    return this.finalSpec().metrics?.map((m: any) => m.name) ?? [];
  }

  /** The run-forever metrics of the final spec (JSON patches included). */
  public get indefiniteMetrics(): string[] {
    return indefiniteMetrics(this.finalSpec().metrics ?? []);
  }

  /** The arguments the final spec (JSON patches included) declares without a value. */
  public get requiredArgs(): string[] {
    return argsWithoutValue(this.finalSpec());
  }

  /** The rollout's values for the target arguments (namespace, names, hashes) the template declares. */
  public argumentsFor(rollout: IRollout): AnalysisArgument[] {
    const required = this.argumentsNeededBy(rollout);
    const ingressName = rollout.routerMetrics?.ingressName;
    const values: Record<string, () => AnalysisArgument | undefined> = {
      [TARGET_ARGS.namespace]: () => AnalysisArgument.fieldRef(TARGET_ARGS.namespace, 'metadata.namespace'),
      [TARGET_ARGS.rolloutName]: () => AnalysisArgument.value(TARGET_ARGS.rolloutName, rollout.name),
      [TARGET_ARGS.canaryService]: () => AnalysisArgument.value(TARGET_ARGS.canaryService, rollout.canaryService.name),
      [TARGET_ARGS.stableService]: () => AnalysisArgument.value(TARGET_ARGS.stableService, rollout.stableService.name),
      [TARGET_ARGS.canaryHash]: () => AnalysisArgument.podTemplateHash(TARGET_ARGS.canaryHash, PodTemplateHash.LATEST),
      [TARGET_ARGS.stableHash]: () => AnalysisArgument.podTemplateHash(TARGET_ARGS.stableHash, PodTemplateHash.STABLE),
      [TARGET_ARGS.ingressName]: () => (ingressName === undefined ? undefined : AnalysisArgument.value(TARGET_ARGS.ingressName, ingressName)),
    };
    return required.flatMap((name) => values[name]?.() ?? []);
  }

  /**
   * Registers a rollout that runs the template (called when the rollout is constructed).
   * @internal
   */
  public _addUser(_rollout: IRollout): void {}

  /**
   * Checks how a rollout uses the template (called when the rollout renders its analysis).
   * @internal
   */
  public _checkUse(_rollout: IRollout, _field: string): RuleViolation[] {
    return [];
  }

  /** The arguments (without value) the template's metrics need when `rollout` runs it. */
  protected argumentsNeededBy(_rollout: IRollout): string[] {
    return this.requiredArgs;
  }

  /** The template's spec as written: JSON patches included. */
  private finalSpec(): any {
    return this.apiObject.toJson().spec ?? {};
  }

  /**
   * A spec of `metrics` that declares every `{{args.x}}` their providers use (the rollout supplies
   * them) plus the Secret-backed `secretArgs`, with `dryRun` rules for the named metrics.
   */
  protected assembleSpec(metrics: any[], secretArgs: any[], dryRunMetrics: string[]): any {
    const declared = new Map(this.declaredArgs.map((a) => [a.name, a.toJson()]));
    const secret = new Set(secretArgs.map((a) => a.name));
    const used = placeholderArgs(JSON.stringify(metrics.map((m) => m.provider))).filter((name) => !secret.has(name));
    const args = [
      ...used.map((name) => declared.get(name) ?? { name }), ...secretArgs,
      ...this.declaredArgs.filter((a) => !used.includes(a.name) && !secret.has(a.name)).map((a) => a.toJson()),
    ];
    return {
      args: args.length > 0 ? args : undefined,
      metrics,
      dryRun: dryRunMetrics.length > 0 ? dryRunMetrics.map((metricName) => ({ metricName })) : undefined,
    };
  }

  /** The template's `spec`: `args`, `metrics` and `dryRun`. */
  protected abstract renderSpec(): any;

  /** The user-facing property that holds metric `i` of the spec. */
  protected metricProperty(index: number): string {
    return `spec.metrics[${index}]`;
  }

  /** Checks of the final spec beyond section C and the metric checks every template gets. */
  protected validateSpec(_spec: any): RuleViolation[] {
    return [];
  }
}

/** The names of the arguments a template spec declares without a value (the caller must supply them). */
function argsWithoutValue(spec: any): string[] {
  return (spec.args ?? []).filter((a: any) => a.value === undefined && a.valueFrom === undefined).map((a: any) => a.name);
}
