import { PlanAnalysis, PlanCheck } from './plan-step';
import { pauseSeconds } from '../validation/rollout-rules';

const TEMPLATE_KINDS = ['AnalysisTemplate', 'ClusterAnalysisTemplate'];

/** The AnalysisTemplates and ClusterAnalysisTemplates of an input, looked up the way the controller does. */
export class TemplateIndex {
  private readonly byName = new Map<string, any[]>();

  constructor(objects: any[]) {
    for (const o of objects) {
      if (!isArgoObject(o) || !TEMPLATE_KINDS.includes(o.kind)) continue;
      const key = `${o.kind}/${o.metadata?.name}`;
      this.byName.set(key, [...(this.byName.get(key) ?? []), o]);
    }
  }

  /** A ClusterAnalysisTemplate by name, or an AnalysisTemplate by name in the rollout's namespace. */
  public find(name: string, clusterScope: boolean, namespace: string | undefined): any {
    const candidates = this.byName.get(`${clusterScope ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate'}/${name}`) ?? [];
    const inNamespace = (t: any) => namespace === undefined || t.metadata?.namespace === undefined || t.metadata.namespace === namespace;
    return candidates.find((t) => clusterScope || inNamespace(t));
  }
}

/** An object of the Argo Rollouts API group. */
export function isArgoObject(o: any): boolean {
  return typeof o === 'object' && o !== null && typeof o.apiVersion === 'string' && o.apiVersion.startsWith('argoproj.io/');
}

/**
 * Describes a rollout analysis (`templates`, `args`): the checks of its templates found in the
 * input, and the time until all of them can have passed (metrics of one AnalysisRun run in parallel).
 */
export function planAnalysis(analysis: any, index: TemplateIndex, namespace: string | undefined): PlanAnalysis {
  const refs: any[] = Array.isArray(analysis?.templates) ? analysis.templates : [];
  const args = argValues(analysis?.args);
  const checks: PlanCheck[] = [];
  const missingTemplates: string[] = [];
  const visit = (ref: any, seen: string[]) => {
    const name = String(ref?.templateName ?? '');
    const template = index.find(name, ref?.clusterScope === true, namespace);
    if (!template) {
      missingTemplates.push(name);
      return;
    }
    if (seen.includes(name)) return;
    const templateArgs = { ...argValues(template.spec?.args), ...args };
    for (const metric of template.spec?.metrics ?? []) checks.push(planCheck(name, metric, templateArgs));
    for (const nested of template.spec?.templates ?? []) visit(nested, [...seen, name]);
  };
  refs.forEach((ref) => visit(ref, []));
  const durations = checks.map((c) => c.minimumSeconds);
  const known = missingTemplates.length === 0 && checks.length > 0 && durations.every((d) => d !== undefined);
  return {
    templates: refs.map((r) => String(r?.templateName ?? '')),
    checks,
    missingTemplates,
    minimumSeconds: known ? Math.max(...(durations as number[])) : undefined,
  };
}

/** Why an analysis has no known duration. */
export function unknownAnalysisNote(analysis: PlanAnalysis): string {
  if (analysis.missingTemplates.length > 0) return `duration unknown: template ${analysis.missingTemplates.join(', ')} not in the input`;
  if (analysis.checks.length === 0) return `duration unknown: template ${analysis.templates.join(', ')} has no metrics`;
  const unbounded = analysis.checks.filter((c) => c.minimumSeconds === undefined).map((c) => c.metric);
  return `duration unknown: metric ${unbounded.join(', ')} has no count (runs until stopped) or a templated timing`;
}

function planCheck(template: string, metric: any, args: Record<string, string>): PlanCheck {
  const initialDelaySeconds = seconds(metric.initialDelay, args);
  const intervalSeconds = seconds(metric.interval, args);
  const count = integer(metric.count, args) || undefined;
  const consecutiveSuccessLimit = integer(metric.consecutiveSuccessLimit, args);
  return {
    template,
    metric: String(metric.name),
    provider: Object.keys(metric.provider ?? {}).join(', ') || 'none',
    successCondition: metric.successCondition,
    failureCondition: metric.failureCondition,
    initialDelaySeconds,
    intervalSeconds,
    count,
    failureLimit: integer(metric.failureLimit, args),
    minimumSeconds: metricSeconds(metric, { initialDelaySeconds, intervalSeconds, count, consecutiveSuccessLimit }),
  };
}

interface MetricTiming {
  readonly initialDelaySeconds?: number;
  readonly intervalSeconds?: number;
  readonly count?: number;
  readonly consecutiveSuccessLimit?: number;
}

/**
 * `initialDelay + (measurements - 1) * interval`: a metric without interval measures once, one with
 * an interval and no count runs until stopped, one with a consecutiveSuccessLimit may pass early.
 */
function metricSeconds(metric: any, t: MetricTiming): number | undefined {
  if ((metric.initialDelay !== undefined && t.initialDelaySeconds === undefined)
    || (metric.interval !== undefined && t.intervalSeconds === undefined)
    || (metric.count !== undefined && t.count === undefined && !isZero(metric.count))) return undefined;
  const limits = [t.count, t.consecutiveSuccessLimit || undefined].filter((n): n is number => n !== undefined);
  const measurements = limits.length > 0 ? Math.min(...limits) : (t.intervalSeconds === undefined ? 1 : undefined);
  if (measurements === undefined) return undefined;
  return (t.initialDelaySeconds ?? 0) + (measurements - 1) * (t.intervalSeconds ?? 0);
}

function isZero(value: any): boolean {
  return value === 0 || value === '0';
}

/** Plain argument values (`{ name, value }`), for `{{ args.name }}` placeholders. */
function argValues(args: any): Record<string, string> {
  const values: Record<string, string> = {};
  for (const arg of Array.isArray(args) ? args : []) {
    if (typeof arg?.name === 'string' && arg.value !== undefined) values[arg.name] = String(arg.value);
  }
  return values;
}

function substitute(value: any, args: Record<string, string>): string | undefined {
  if (value === undefined || value === null) return undefined;
  const text = String(value).replace(/\{\{\s*args\.([^}\s]+)\s*\}\}/g, (placeholder, name) => args[name] ?? placeholder);
  return text.includes('{{') ? undefined : text;
}

function seconds(value: any, args: Record<string, string>): number | undefined {
  const text = substitute(value, args);
  if (text === undefined) return undefined;
  const s = pauseSeconds(text);
  return s < 0 ? undefined : s;
}

function integer(value: any, args: Record<string, string>): number | undefined {
  const text = substitute(value, args);
  return text !== undefined && /^-?\d+$/.test(text) ? parseInt(text, 10) : undefined;
}
