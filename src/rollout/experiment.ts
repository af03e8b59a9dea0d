import { ApiObject, ApiObjectMetadata, Duration, Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { EphemeralMetadata, podTemplateMetadata, renderEphemeralMetadata } from './pod-metadata';
import type { IRollout } from './rollout-base';
import { AnalysisArgument } from '../analysis/analysis-argument';
import { IAnalysisTemplate } from '../analysis/analysis-template';
import { AnalysisTemplateBase } from '../analysis/analysis-template-base';
import { MeasurementRetention, metricRuleMatches } from '../analysis/metric-options';
import { goDuration } from '../analysis/promql';
import { API_KINDS } from '../synth/api-kinds';
import { checkNumber, RETENTION_LIMIT_RANGE } from '../validation/numbers';
import { nameErrors } from '../validation/object-names';
import { addRuleValidation, RuleViolation, throwViolation } from '../validation/rule-violation';

/** Which of the rollout's pod templates an experiment step's template runs. */
export enum ExperimentSpecRef {
  /** The stable version's pod template (a baseline). */
  STABLE = 'stable',
  /** The new version's pod template. */
  CANARY = 'canary',
}

/** One analysis an experiment runs: one template, its args. */
export interface ExperimentAnalysis {
  /** Name of the analysis in the experiment (unique). */
  readonly name: string;
  /** The template it runs. */
  readonly template: IAnalysisTemplate;
  /**
   * Argument values; in a rollout step they may use `{{templates.<name>.podTemplateHash}}`.
   * @default - only those the template takes from the rollout (in a rollout step)
   */
  readonly args?: AnalysisArgument[];
  /**
   * The experiment waits for this analysis to end, even past its `duration`.
   * @default false
   */
  readonly requiredForCompletion?: boolean;
}

/** A template of an experiment step: one of the rollout's pod templates, run as its own ReplicaSet. */
export interface ExperimentStepTemplate {
  /** Template name (unique in the experiment); `{{templates.<name>.podTemplateHash}}` refers to it. */
  readonly name: string;
  /** The rollout's stable or canary pod template. */
  readonly specRef: ExperimentSpecRef;
  /**
   * Pods.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Percent of traffic sent to this template's pods (traffic routing with SMI, ALB, Istio or plugins only).
   * @default - none: the template's pods get no traffic from the router
   */
  readonly weight?: number;
  /**
   * Labels selecting the template's pods instead of the rollout's.
   * @default - the rollout's selector
   */
  readonly selector?: { [key: string]: string };
  /**
   * Labels and annotations added to the template's pods.
   * @default - none
   */
  readonly metadata?: EphemeralMetadata;
  /**
   * Create a Service for the template's pods (named after the ReplicaSet).
   * @default - a Service when `serviceName` or `weight` is set, else none
   */
  readonly service?: boolean;
  /**
   * Name of the template's Service (implies `service`). Unique in the namespace: the controller
   * refuses to adopt a Service it did not create for this template, so a release's experiment
   * cannot start while the previous release's still holds the name (`scaleDownDelay`).
   * @default - the ReplicaSet's name
   */
  readonly serviceName?: string;
}

/** Options of `CanaryStep.experiment`. */
export interface ExperimentStepOptions {
  /** The templates, at least one. */
  readonly templates: ExperimentStepTemplate[];
  /**
   * How long the experiment runs; its analyses must end by then.
   * @default - until its analyses end
   */
  readonly duration?: Duration;
  /**
   * The analyses run during the experiment.
   * @default - none
   */
  readonly analyses?: ExperimentAnalysis[]; /**
   * Metrics (names or regular expressions) of the analyses to run in dry-run mode.
   * @default - none
   */
  readonly dryRunMetrics?: string[];
  /**
   * Labels added to the experiment's AnalysisRuns.
   * @default - none
   */
  readonly analysisRunLabels?: { [key: string]: string };
  /**
   * How long the experiment's ReplicaSets keep running after it ends.
   * @default - the controller's 30 seconds
   */
  readonly scaleDownDelay?: Duration;
}

/** Options of `CanaryStep.baselineVsCanary`. */
export interface BaselineVsCanaryOptions {
  /**
   * The analysis comparing the two; its `stable-hash` and `canary-hash` args select the baseline's
   * and the canary's experiment pods (e.g. `AnalysisCheck.canaryVsStable`, pod checks, the
   * application's own request metrics).
   */
  readonly analysis: IAnalysisTemplate;
  /** How long both run. */
  readonly duration: Duration;
  /**
   * Pods of each of the two.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Percent of traffic to each of the two (SMI, ALB, Istio or plugin traffic routing only).
   * @default - none
   */
  readonly weight?: number;
  /**
   * More argument values for the analysis.
   * @default - none
   */
  readonly args?: AnalysisArgument[];
}

/**
 * The experiment analyses' JSON: args the template takes from the rollout (if any) under the
 * user's, each template marked as run by this app; required args not supplied are reported.
 * @internal
 */
export function renderExperimentAnalyses(analyses: ExperimentAnalysis[], rollout: IRollout | undefined, field: string):
{ json: any[] | undefined; violations: RuleViolation[] } {
  const violations: RuleViolation[] = [];
  const property = `${propertyPrefix(field)}analyses`;
  const names = analyses.map((a) => a.name);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate !== undefined) {
    violations.push({ property, field: `${field}.analyses`, message: `analysis name '${duplicate}' is used twice`, allowed: 'unique analysis names' });
  }
  const json = analyses.map((a) => {
    if (a.template instanceof AnalysisTemplateBase) a.template._markRun();
    const args = new Map<string, AnalysisArgument>();
    for (const arg of [...(rollout ? a.template.argumentsFor(rollout) : []), ...(a.args ?? [])]) args.set(arg.name, arg);
    for (const required of a.template.requiredArgs) {
      if (!args.has(required)) {
        violations.push({ property, field: `${field}.analyses`, message: `Invalid value: "${a.name}": args.${required} was not resolved`, allowed: `args that include '${required}' (required by ${a.template.templateName})` });
      }
    }
    return {
      name: a.name,
      templateName: a.template.templateName,
      clusterScope: a.template.clusterScope || undefined,
      args: args.size > 0 ? [...args.values()].map((arg) => arg.toJson()) : undefined,
      requiredForCompletion: a.requiredForCompletion,
    };
  });
  return { json: json.length > 0 ? json : undefined, violations };
}

/** The property path of a field in a rollout step (`steps[2].experiment.`), empty for a standalone Experiment's `spec`. */
function propertyPrefix(field: string): string {
  return field === 'spec' ? '' : `${field.replace(/^spec\.strategy\.canary\./, '')}.`;
}

/** The `experiment` of a rollout step. @internal */
export function renderExperimentStep(options: ExperimentStepOptions, rollout: IRollout, field: string): { json: any; violations: RuleViolation[] } {
  const violations: RuleViolation[] = [];
  const at = propertyPrefix(field);
  if (options.templates.length === 0) violations.push({ property: `${at}templates`, field: `${field}.templates`, message: 'Required value: at least one template', allowed: 'one or more templates' });
  const names = options.templates.map((t) => t.name);
  names.forEach((name, i) => {
    if (name === '') violations.push({ property: `${at}templates[${i}].name`, field: `${field}.templates[${i}].name`, message: `Experiment has empty template name at index ${i}`, allowed: 'a non-empty name' });
    else if (names.indexOf(name) !== i) violations.push({ property: `${at}templates[${i}].name`, field: `${field}.templates[${i}].name`, message: `Experiment has repeated template name '${name}' in templates`, allowed: 'unique template names' });
  });
  options.templates.forEach((t, i) => {
    if (t.selector !== undefined && Object.keys(t.selector).length === 0) {
      violations.push({ property: `${at}templates[${i}].selector`, field: `${field}.templates[${i}].selector`, message: `This experiment is selecting all pods at index ${i}. A non-empty selector is required.`, allowed: 'at least one label' });
    }
    if (t.weight !== undefined && !(Number.isInteger(t.weight) && t.weight >= 0 && t.weight <= 100)) {
      violations.push({ property: `${at}templates[${i}].weight`, field: `${field}.templates[${i}].weight`, message: `weight ${t.weight} is not an integer from 0 to 100`, allowed: '0 to 100' });
    }
  });
  const analyses = renderExperimentAnalyses(options.analyses ?? [], rollout, field);
  violations.push(...analyses.violations, ...metricRuleViolations(options, field),
    ...serviceNameViolations(options.templates, rollout, rollout.metadata.namespace, field));
  return {
    json: {
      templates: options.templates.map((t) => ({
        name: t.name,
        specRef: t.specRef,
        replicas: t.replicas,
        weight: t.weight,
        selector: t.selector && { matchLabels: t.selector },
        metadata: renderEphemeralMetadata(t.metadata),
        service: renderService(t),
      })),
      duration: options.duration && goDuration(options.duration),
      analyses: analyses.json,
      ...renderExperimentRunOptions(options),
    },
    violations,
  };
}

/** A template of a standalone `Experiment`: the pod template of any workload, run as its own ReplicaSet. */
export interface ExperimentTemplateOptions {
  /** Template name (unique in the experiment). */
  readonly name: string;
  /** The workload whose pod template (containers, volumes, security context) the template runs. */
  readonly workload: kplus.Workload;
  /**
   * Pods.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Labels of the template's pods, and its selector (unique among the experiment's templates). The
   * workload's own labels are not copied, so its Services never send traffic to experiment pods.
   * @default { 'app.kubernetes.io/name': '<experiment name>-<template name>' }
   */
  readonly selector?: { [key: string]: string };
  /**
   * Minimum time a pod must be ready to count as available.
   * @default - none
   */
  readonly minReady?: Duration;
  /**
   * A Service for the template's pods.
   * @default - a Service when `serviceName` is set, else none
   */
  readonly service?: boolean;
  /**
   * Name of the template's Service (implies `service`). Unique in the namespace: the controller
   * refuses to adopt a Service it did not create for this template.
   * @default - the ReplicaSet's name
   */
  readonly serviceName?: string;
}

/** Properties of an `Experiment`. */
export interface ExperimentProps {
  /**
   * Metadata; `name` is the Experiment's.
   * @default - a name generated from the construct path
   */
  readonly metadata?: ApiObjectMetadata;
  /** The templates, at least one. */
  readonly templates: ExperimentTemplateOptions[];
  /**
   * How long it runs.
   * @default - until terminated or its analyses end
   */
  readonly duration?: Duration;
  /**
   * Time a template may make no progress before the experiment fails.
   * @default Duration.seconds(600)
   */
  readonly progressDeadline?: Duration;
  /**
   * The analyses; every argument their templates need is passed in `args`.
   * @default - none
   */
  readonly analyses?: ExperimentAnalysis[]; /**
   * Metrics (names or regular expressions) of the analyses to run in dry-run mode.
   * @default - none
   */
  readonly dryRunMetrics?: string[];
  /**
   * How many measurements the analyses keep, per metric.
   * @default - the controller's 10 most recent of each metric
   */
  readonly measurementRetention?: MeasurementRetention[];
  /**
   * Labels added to the experiment's AnalysisRuns.
   * @default - none
   */
  readonly analysisRunLabels?: { [key: string]: string };
  /**
   * How long the experiment's ReplicaSets keep running after it ends.
   * @default - the controller's 30 seconds
   */
  readonly scaleDownDelay?: Duration;
}

/**
 * An Argo Rollouts Experiment run on its own (not from a rollout step): ReplicaSets of any
 * workloads' pod templates and analyses, for a fixed duration. The controller's experiment rules
 * (section D) are checked at synth time on the final object.
 */
export class Experiment extends Construct {
  /** The Experiment object. */
  public readonly apiObject: ApiObject;
  private readonly props: ExperimentProps;
  private renderViolations: RuleViolation[] = [];

  constructor(scope: Construct, id: string, props: ExperimentProps) {
    super(scope, id);
    this.props = props;
    if (props.templates.length === 0) {
      throwViolation(this, { property: 'templates', field: 'spec.templates', message: 'Required value: at least one template', allowed: 'one or more templates' });
    }
    (props.measurementRetention ?? []).forEach((r, i) =>
      checkNumber(this, `measurementRetention[${i}].limit`, `spec.measurementRetention[${i}].limit`, r.limit, RETENTION_LIMIT_RANGE));
    this.apiObject = new ApiObject(this, 'Resource', {
      ...API_KINDS.experiment,
      metadata: props.metadata,
      spec: Lazy.any({ produce: () => this.renderSpec() }),
    });
    for (const a of props.analyses ?? []) if (a.template instanceof AnalysisTemplateBase) a.template._markRun();
    addRuleValidation(this, () => {
      const json = this.apiObject.toJson();
      return [...validateExperimentSpec(json.metadata.name, json.spec), ...this.renderViolations];
    });
  }

  private renderSpec(): any {
    const p = this.props;
    const name = this.apiObject.name;
    const analyses = renderExperimentAnalyses(p.analyses ?? [], undefined, 'spec');
    this.renderViolations = [...analyses.violations, ...metricRuleViolations(p, 'spec'), ...serviceNameViolations(p.templates, this, this.apiObject.metadata.namespace, 'spec')];
    return {
      templates: p.templates.map((t) => {
        const selector = t.selector ?? { 'app.kubernetes.io/name': `${name}-${t.name}` };
        const metadata = podTemplateMetadata(t.workload.podMetadata);
        return {
          name: t.name,
          replicas: t.replicas,
          minReadySeconds: t.minReady?.toSeconds(),
          selector: { matchLabels: selector },
          template: { metadata: { ...metadata, labels: { ...selector } }, spec: kplus.k8s.toJson_PodSpec(t.workload._toPodSpec()) },
          service: renderService(t),
        };
      }),
      duration: p.duration && goDuration(p.duration),
      progressDeadlineSeconds: (p.progressDeadline ?? Duration.seconds(600)).toSeconds(),
      analyses: analyses.json,
      ...renderExperimentRunOptions(p),
      measurementRetention: p.measurementRetention?.length
        ? p.measurementRetention.map((r) => ({ metricName: r.metricName, limit: r.limit }))
        : undefined,
    };
  }
}

/**
 * The experiment's `dryRun` and `measurementRetention` rules as the controller applies them to the
 * AnalysisRun of each analysis: no rule twice (the template's own rules included), and each rule
 * matches a metric of that analysis (else the run errors).
 */
function metricRuleViolations(options: ExperimentStepOptions | ExperimentProps, field: string): RuleViolation[] {
  const violations: RuleViolation[] = [];
  const kinds: Array<[string, string, string, string[]]> = [
    ['dryRun', 'dryRunMetrics', 'Dry-Run', options.dryRunMetrics ?? []],
    ['measurementRetention', 'measurementRetention', 'Measurement Retention', ((options as ExperimentProps).measurementRetention ?? []).map((r) => r.metricName)],
  ];
  for (const [key, prop, label, rules] of kinds) {
    const property = `${propertyPrefix(field)}${prop}`;
    for (const a of options.analyses ?? []) {
      const own: string[] = a.template instanceof AnalysisTemplateBase
        ? (a.template.apiObject.toJson().spec?.[key] ?? []).map((r: any) => r.metricName)
        : [];
      const duplicate = [...rules, ...own].find((rule, i, all) => all.indexOf(rule) !== i);
      if (duplicate !== undefined) {
        violations.push({ property, field: `${field}.${key}`, message: `analysis "${a.name}": two ${label} metric rules have the same name '${duplicate}'`, allowed: `each metric name once, counting the rules of template ${a.template.templateName}` });
      }
      const metrics = a.template.metricNames;
      if (metrics.length === 0) continue; // a template known by name only may hold the metric
      rules.forEach((rule, i) => {
        if (!metrics.some((m) => metricRuleMatches(rule, m))) {
          violations.push({ property: `${property}[${i}]`, field: `${field}.${key}[${i}]`, message: `analysis "${a.name}": ${key}[${i}]: Rule didn't match any metric name(s)`, allowed: `a name or regular expression (matched anywhere in the name) matching one of ${metrics.join(', ')}` });
        }
      });
    }
  }
  return violations;
}

/** A template's `service`: `{}`, or `{ name }`. */
function renderService(t: ExperimentStepTemplate | ExperimentTemplateOptions): any {
  if (t.service === false || (t.service !== true && t.serviceName === undefined)) return undefined;
  return t.serviceName === undefined ? {} : { name: t.serviceName };
}

/**
 * Template Service names: a Service name the API server accepts, given with a Service, unique among
 * the templates and not a Service the app writes in the namespace (the controller refuses to adopt
 * one it did not create for the template).
 */
function serviceNameViolations(
  templates: Array<ExperimentStepTemplate | ExperimentTemplateOptions>, scope: Construct, namespace: string | undefined, field: string,
): RuleViolation[] {
  const violations: RuleViolation[] = [];
  if (templates.every((t) => t.serviceName === undefined)) return violations; // spares the walk of the app below
  const appServices = new Map<string, string>();
  for (const c of scope.node.root.node.findAll()) {
    if (!ApiObject.isApiObject(c) || c.kind !== 'Service' || c.apiVersion !== 'v1') continue;
    const meta = c.toJson().metadata ?? {};
    if (meta.namespace === namespace) appServices.set(meta.name, c.node.path);
  }
  const seen = new Map<string, string>();
  templates.forEach((t, i) => {
    const name = t.serviceName;
    if (name === undefined) return;
    const property = `${propertyPrefix(field)}templates[${i}].serviceName`;
    const at = `${field}.templates[${i}].service.name`;
    if (t.service === false) {
      violations.push({ property, field: at, message: 'serviceName is set but service is false', allowed: 'serviceName with service true or unset' });
    }
    for (const error of nameErrors('Service', name)) {
      violations.push({ property, field: at, message: `Invalid value: "${name}": ${error}`, allowed: 'a DNS-1035 label of at most 63 characters' });
    }
    if (seen.has(name)) {
      violations.push({ property, field: at, message: `service ${name} already exists and is not owned by experiment template ${t.name} (template ${seen.get(name)} creates it)`, allowed: 'a Service name unique among the templates' });
    }
    seen.set(name, t.name);
    const owner = appServices.get(name);
    if (owner !== undefined) {
      violations.push({ property, field: at, message: `service ${name} already exists and is not owned by experiment template ${t.name} (the app writes it: ${owner})`, allowed: 'a name no Service of the app has in the namespace' });
    }
  });
  return violations;
}

/** `dryRun`, `analysisRunMetadata` and `scaleDownDelaySeconds` of an experiment. */
function renderExperimentRunOptions(options: ExperimentStepOptions | ExperimentProps): any {
  return {
    dryRun: options.dryRunMetrics?.length ? options.dryRunMetrics.map((metricName) => ({ metricName })) : undefined,
    analysisRunMetadata: options.analysisRunLabels ? { labels: options.analysisRunLabels } : undefined,
    scaleDownDelaySeconds: options.scaleDownDelay?.toSeconds(),
  };
}

/** Section D of the validation reference (rules 66-69) and unique selectors, with the controller's texts. */
export function validateExperimentSpec(name: string, spec: any): RuleViolation[] {
  const violations: RuleViolation[] = [];
  const templates: any[] = spec?.templates ?? [];
  const deadline = spec?.progressDeadlineSeconds ?? 600;
  const seen = new Map<string, number>();
  const selectors = new Map<string, number>();
  templates.forEach((t, i) => {
    const at = `spec.templates[${i}]`;
    const p = `templates[${i}]`;
    if (t.selector === undefined) {
      violations.push({ property: `${p}.selector`, field: `${at}.selector`, message: `Rollout has missing field '.Spec.Templates[${i}].Selector'`, allowed: 'a selector' });
    } else if (Object.keys(t.selector.matchLabels ?? {}).length === 0 && (t.selector.matchExpressions ?? []).length === 0) {
      violations.push({ property: `${p}.selector`, field: `${at}.selector`, message: `This experiment is selecting all pods at index ${i}. A non-empty selector is required.`, allowed: 'at least one label' });
    } else {
      const key = JSON.stringify(t.selector);
      if (selectors.has(key)) violations.push({ property: `${p}.selector`, field: `${at}.selector`, message: `template "${t.name}" has the same selector as template "${templates[selectors.get(key)!].name}"`, allowed: 'a selector unique among the templates' });
      selectors.set(key, i);
      const labels = t.template?.metadata?.labels ?? {};
      const missing = Object.entries(t.selector.matchLabels ?? {}).filter(([k, v]) => labels[k] !== v);
      if (missing.length > 0) violations.push({ property: `${p}.selector`, field: `${at}.selector`, message: `Invalid value: ${JSON.stringify(t.selector)}: \`selector\` does not match template \`labels\``, allowed: `labels of its pods: ${JSON.stringify(labels)}` });
    }
    const ports = (t.template?.spec?.containers ?? []).flatMap((c: any) => c.ports ?? []);
    if (t.service && ports.length === 0) {
      violations.push({ property: `${p}.service`, field: `${at}.service`, message: `template "${t.name}" has a Service, but none of its containers declares a port, so the controller creates no Service`, allowed: 'a workload whose containers declare ports, or no service' });
    }
    if ((t.minReadySeconds ?? 0) > deadline) {
      violations.push({ property: `${p}.minReady`, field: `${at}.minReadySeconds`, message: `MinReadySeconds cannot be longer than ProgressDeadlineSeconds. Check template index ${i}`, allowed: `at most ${deadline} seconds` });
    }
    if (!t.name) {
      violations.push({ property: `${p}.name`, field: `${at}.name`, message: `Experiment ${name} has empty template name at index ${i}`, allowed: 'a non-empty name' });
    } else if (seen.has(t.name)) {
      violations.push({ property: `${p}.name`, field: `${at}.name`, message: `Experiment ${name} has repeated template name '${t.name}' in templates`, allowed: 'unique template names' });
    }
    seen.set(t.name, i);
  });
  return violations;
}
