import { AnalysisArgument } from './analysis-argument';
import { analysisProperty, argumentValueViolations, metricRuleViolations } from './analysis-run-checks';
import { IAnalysisTemplate } from './analysis-template';
import { AnalysisTemplateBase } from './analysis-template-base';
import { MeasurementRetention } from './metric-options';
import type { IRollout } from '../rollout/rollout-base';
import { numberViolation, RETENTION_LIMIT_RANGE } from '../validation/numbers';
import { nameErrors } from '../validation/object-names';
import { RuleViolation } from '../validation/rule-violation';

/**
 * One analysis a rollout runs: background analysis, an analysis step, or blue-green
 * pre/post-promotion analysis.
 */
export interface RolloutAnalysisOptions {
  /** The templates to run together in one AnalysisRun. */
  readonly templates: IAnalysisTemplate[];
  /**
   * Argument values, in addition to those the templates take from the rollout themselves.
   * @default - none
   */
  readonly args?: AnalysisArgument[];
  /**
   * Metrics (names or regular expressions) to run in dry-run mode: measured, never failing the rollout.
   * @default - none
   */
  readonly dryRunMetrics?: string[];
  /**
   * How many measurements the AnalysisRuns keep, per metric.
   * @default - the controller's 10 most recent of each metric
   */
  readonly measurementRetention?: MeasurementRetention[];
  /**
   * Labels added to the AnalysisRuns.
   * @default - none
   */
  readonly analysisRunLabels?: { [key: string]: string };
}

/** Background analysis: runs for the whole canary, from `startingStep` on. */
export interface BackgroundAnalysisOptions extends RolloutAnalysisOptions {
  /**
   * Index of the step at which the analysis starts. The default starts it once the canary has
   * traffic: at the step after the first `setWeight` step, so its first measurement never sees a
   * canary that has served no request yet.
   * @default - the step after the first setWeight step (0 without one)
   */
  readonly startingStep?: number;
}

/** Which kind of analysis is rendered: it decides which controller rules apply. */
export enum AnalysisKind {
  BACKGROUND = 'background',
  STEP = 'step',
  PRE_PROMOTION = 'prePromotion',
  POST_PROMOTION = 'postPromotion',
}

/**
 * Tells the library's templates which rollout runs them, when the rollout is constructed: a template
 * whose queries follow its rollouts' traffic source then renders the same whatever the declaration
 * order, and before anything reads it.
 */
export function registerAnalysisUse(rollout: IRollout, analyses: Array<RolloutAnalysisOptions | undefined>): void {
  for (const template of analyses.flatMap((a) => a?.templates ?? [])) {
    if (template instanceof AnalysisTemplateBase) {
      template._addUser(rollout);
      template._markRun();
    }
  }
}

/**
 * Renders a rollout analysis (`templates`, `args`, `dryRun`...) and checks it the way the
 * controller does when it builds the AnalysisRun (section B, rules 39-42 of the validation
 * reference): every namespaced template in the rollout's namespace, every required argument supplied, no argument given two values, no duplicate metric,
 * no metric that runs forever outside background analysis.
 */
export function renderRolloutAnalysis(options: RolloutAnalysisOptions, rollout: IRollout, field: string, kind: AnalysisKind):
{ json: any; violations: RuleViolation[] } {
  const violations: RuleViolation[] = [];
  const templateNames = options.templates.map((t) => t.templateName);
  const value = `"templateNames: [${templateNames.join(' ')}]"`;
  if (options.templates.length === 0) {
    violations.push({ property: field, field: `${field}.templates`, message: 'Required value: at least one template', allowed: 'one or more analysis templates' });
  }

  for (const template of options.templates) {
    const namespaced = template instanceof AnalysisTemplateBase && !template.clusterScope;
    const namespace = namespaced ? template.apiObject.toJson().metadata?.namespace : undefined;
    if (namespace !== undefined && rollout.metadata.namespace !== undefined && namespace !== rollout.metadata.namespace) {
      violations.push({ property: field, field: `${field}.templates`, message: `Invalid value: ${value}: AnalysisTemplate '${template.templateName}' not found: it is in namespace "${namespace}", the rollout in "${rollout.metadata.namespace}"`, allowed: 'an AnalysisTemplate in the rollout\'s namespace, or a ClusterAnalysisTemplate (clusterScope: true)' });
    }
    for (const error of nameErrors(template.clusterScope ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate', template.templateName)) {
      violations.push({ property: field, field: `${field}.templates`, message: `templateName: Invalid value: "${template.templateName}": ${error}`, allowed: 'the name of an AnalysisTemplate (a lowercase DNS-1123 subdomain)' });
    }
  }

  const args = new Map<string, AnalysisArgument>();
  const supplied = [...options.templates.flatMap((t) => t.argumentsFor(rollout)), ...(options.args ?? [])];
  for (const arg of supplied) {
    const previous = args.get(arg.name);
    if (previous && previous.description !== arg.description) {
      violations.push({ property: field, field: `${field}.templates`, message: `Invalid value: ${value}: Argument \`${arg.name}\` specified multiple times with different values: '${previous.description}', '${arg.description}'`, allowed: 'one value per argument name' });
    }
    args.set(arg.name, arg);
  }
  for (const template of options.templates) {
    const misuse = template instanceof AnalysisTemplateBase ? template._checkUse(rollout, field) : [];
    violations.push(...misuse);
    if (misuse.length > 0) continue;
    for (const required of template.requiredArgs) {
      if (!args.has(required)) {
        violations.push({ property: field, field: `${field}.templates`, message: `Invalid value: ${value}: args.${required} was not resolved`, allowed: `args that include '${required}' (required by ${template.templateName})` });
      }
    }
  }
  violations.push(...argumentValueViolations(options.templates, [...args.values()], field));
  violations.push(...metricRuleViolations(options.templates, 'dryRun', options.dryRunMetrics ?? [], field));
  const retention = options.measurementRetention ?? [];
  violations.push(...metricRuleViolations(options.templates, 'measurementRetention', retention.map((r) => r.metricName), field));
  retention.forEach((r, i) => {
    const v = numberViolation(`${analysisProperty(field)}.measurementRetention[${i}].limit`, `${field}.measurementRetention[${i}].limit`, r.limit, RETENTION_LIMIT_RANGE);
    if (v) violations.push(v);
  });
  const metrics = options.templates.flatMap((t) => t.metricNames);
  const duplicate = metrics.find((m, i) => metrics.indexOf(m) !== i);
  if (duplicate !== undefined) {
    violations.push({ property: field, field: `${field}.templates`, message: `Invalid value: ${value}: two metrics have the same name '${duplicate}'`, allowed: 'templates whose metric names differ' });
  }
  if (kind !== AnalysisKind.BACKGROUND) {
    for (const template of options.templates) {
      for (const metric of template.indefiniteMetrics) {
        violations.push({ property: field, field: `${field}.templates`, message: `AnalysisTemplate ${template.templateName} has metric ${metric} which runs indefinitely. Invalid value for count: 0`, allowed: 'metrics with a count, or background analysis' });
      }
    }
  }

  const json: any = {
    templates: options.templates.map((t) => ({ templateName: t.templateName, ...(t.clusterScope ? { clusterScope: true } : {}) })),
  };
  if (args.size > 0) json.args = [...args.values()].map((a) => a.toJson());
  if (options.dryRunMetrics?.length) json.dryRun = options.dryRunMetrics.map((metricName) => ({ metricName }));
  if (retention.length > 0) json.measurementRetention = retention.map((r) => ({ metricName: r.metricName, limit: r.limit }));
  if (options.analysisRunLabels) json.analysisRunMetadata = { labels: options.analysisRunLabels };
  return { json, violations };
}

/**
 * The step after the first `setWeight` step (the first at which the canary has traffic), or the
 * weight step itself when it is the last; undefined (the controller's 0) without weight steps.
 */
export function defaultStartingStep(stepKinds: string[]): number | undefined {
  const weight = stepKinds.indexOf('setWeight');
  if (weight < 0) return undefined;
  return Math.min(weight + 1, stepKinds.length - 1) || undefined;
}

/** Records that this app runs the analysis' templates (so they need not stand alone): experiments' analyses. */
export function noteAnalysisRun(options: RolloutAnalysisOptions | undefined): void {
  for (const template of options?.templates ?? []) {
    if (template instanceof AnalysisTemplateBase) template._markRun();
  }
}
