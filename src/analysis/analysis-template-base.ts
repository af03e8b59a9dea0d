import { ApiObject, ApiObjectMetadata, Chart, JsonPatch, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { AnalysisArgument, PodTemplateHash } from './analysis-argument';
import { IAnalysisTemplate } from './analysis-template';
import { indefiniteMetrics, validateMetrics } from './metric-options';
import { placeholderArgs } from './promql';
import { TARGET_ARGS } from './query-target';
import type { IRollout } from '../rollout/rollout-base';
import { API_KINDS } from '../synth/api-kinds';
import { addRuleValidation, RuleViolation } from '../validation/rule-violation';

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

  constructor(scope: Construct, id: string, props: AnalysisTemplateBaseProps) {
    super(scope, id);
    this.clusterScope = props.clusterScope ?? false;
    const gvk = this.clusterScope ? API_KINDS.clusterAnalysisTemplate : API_KINDS.analysisTemplate;
    this.apiObject = new ApiObject(this, 'Resource', { ...gvk, metadata: props.metadata, spec: Lazy.any({ produce: () => this.renderSpec() }) });
    if (this.clusterScope && (props.metadata?.namespace ?? Chart.of(this).namespace) !== undefined) {
      this.apiObject.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    }
    this.templateName = this.apiObject.name;
    addRuleValidation(this, () => [...validateMetrics(this.apiObject.toJson().spec), ...this.validateSpec(this.apiObject.toJson().spec)]);
  }

  public get metricNames(): string[] {
    return this.renderSpec().metrics.map((m: any) => m.name);
  }

  public get indefiniteMetrics(): string[] {
    return indefiniteMetrics(this.renderSpec().metrics);
  }

  public get requiredArgs(): string[] {
    return (this.renderSpec().args ?? []).filter((a: any) => a.value === undefined && a.valueFrom === undefined).map((a: any) => a.name);
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

  /**
   * A spec of `metrics` that declares every `{{args.x}}` their providers use (the rollout supplies
   * them) plus the Secret-backed `secretArgs`, with `dryRun` rules for the named metrics.
   */
  protected assembleSpec(metrics: any[], secretArgs: any[], dryRunMetrics: string[]): any {
    const secret = new Set(secretArgs.map((a) => a.name));
    const used = placeholderArgs(JSON.stringify(metrics.map((m) => m.provider))).filter((name) => !secret.has(name));
    const args = [...used.map((name) => ({ name })), ...secretArgs];
    return {
      args: args.length > 0 ? args : undefined,
      metrics,
      dryRun: dryRunMetrics.length > 0 ? dryRunMetrics.map((metricName) => ({ metricName })) : undefined,
    };
  }

  /** The template's `spec`: `args`, `metrics` and `dryRun`. */
  protected abstract renderSpec(): any;

  /** Checks of the final spec beyond section C (queries, conditions). */
  protected abstract validateSpec(spec: any): RuleViolation[];
}
