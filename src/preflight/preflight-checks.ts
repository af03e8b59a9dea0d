import { matcherText, PromqlQuery } from './promql-tree';
import { escapeRegex, PLACEHOLDER } from '../analysis/promql';
import { isArgoObject, TemplateIndex } from '../plan/analysis-checks';

/** One metric of one analysis of one rollout, with its query resolved as the rollout passes the arguments. */
export interface PreflightCheck {
  /** Which Rollout of the input (two inputs may hold rollouts of the same name). */
  readonly rolloutIndex: number;
  readonly rollout: string;
  readonly analysis: string;
  readonly template: string;
  readonly clusterScope: boolean;
  readonly metric: string;
  readonly provider: string;
  readonly successCondition?: string;
  readonly failureCondition?: string;
  /** The query to run now (arguments resolved, canary selectors rewritten to the stable side). */
  readonly query?: string;
  /** How the query was rewritten for the stable side. */
  readonly rewrites: string[];
  /** Why the metric cannot be checked. */
  readonly error?: string;
}

/** Stands for a pod-template hash in a resolved query until the stable side's selector replaces it. */
const HASH = '\u0000pod-template-hash\u0000';
/** What a pod-template hash is made of (the controller's `rand.SafeEncodeString` alphabet). */
const HASH_REGEX = '[bcdfghjklmnpqrstvwxz2456789]+';

/** Every metric of every analysis each Rollout among `objects` runs, in input order. */
export function preflightChecks(objects: any[]): PreflightCheck[] {
  const index = new TemplateIndex(objects);
  return objects.filter((o) => isArgoObject(o) && o.kind === 'Rollout').flatMap((rollout, i) => rolloutChecks(rollout, i, index));
}

function rolloutChecks(rollout: any, rolloutIndex: number, index: TemplateIndex): PreflightCheck[] {
  const namespace: string | undefined = rollout.metadata?.namespace;
  const name = `${namespace ? `${namespace}/` : ''}${rollout.metadata?.name}`;
  const strategy = rollout.spec?.strategy ?? {};
  const analyses: [string, any][] = [];
  const stableOf = new Map<string, [string, string]>();
  if (strategy.canary) {
    const c = strategy.canary;
    if (c.analysis) analyses.push(['background', c.analysis]);
    (c.steps ?? []).forEach((s: any, i: number) => { if (s?.analysis) analyses.push([`step ${i + 1}`, s.analysis]); });
    if (c.canaryService && c.stableService) stableOf.set(c.canaryService, [c.stableService, 'canary Service']);
    const dr = c.trafficRouting?.istio?.destinationRule;
    if (dr?.canarySubsetName && dr?.stableSubsetName) stableOf.set(dr.canarySubsetName, [dr.stableSubsetName, 'Istio canary subset']);
  }
  if (strategy.blueGreen) {
    const b = strategy.blueGreen;
    if (b.prePromotionAnalysis) analyses.push(['pre-promotion', b.prePromotionAnalysis]);
    if (b.postPromotionAnalysis) analyses.push(['post-promotion', b.postPromotionAnalysis]);
    if (b.previewService && b.activeService) stableOf.set(b.previewService, [b.activeService, 'preview Service']);
  }
  const checks: PreflightCheck[] = [];
  if (analyses.length === 0) {
    checks.push({ rolloutIndex, rollout: name, analysis: '-', template: '-', clusterScope: false, metric: '-', provider: 'none', rewrites: [], error: 'runs no analysis' });
  }
  for (const [where, analysis] of analyses) {
    const rolloutArgs = Array.isArray(analysis.args) ? analysis.args : [];
    const visit = (ref: any, seen: string[]) => {
      const templateName = String(ref?.templateName ?? '');
      const clusterScope = ref?.clusterScope === true;
      const kind = clusterScope ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate';
      const template = index.find(templateName, clusterScope, namespace);
      const base = { rolloutIndex, rollout: name, analysis: where, template: templateName, clusterScope, rewrites: [] };
      if (!template) {
        checks.push({ ...base, metric: '-', provider: '-', error: `${kind} ${templateName} is not in the input (installed separately?): cannot check it` });
        return;
      }
      if (seen.includes(templateName)) return;
      const args = resolveArgs(template.spec?.args, rolloutArgs, rollout);
      for (const metric of template.spec?.metrics ?? []) checks.push(metricCheck(base, metric, args, stableOf));
      for (const nested of template.spec?.templates ?? []) visit(nested, [...seen, templateName]);
    };
    (analysis.templates ?? []).forEach((ref: any) => visit(ref, []));
  }
  return checks;
}

type Base = Pick<PreflightCheck, 'rolloutIndex' | 'rollout' | 'analysis' | 'template' | 'clusterScope' | 'rewrites'>;

function metricCheck(base: Base, metric: any, args: Map<string, ArgValue>, stableOf: Map<string, [string, string]>): PreflightCheck {
  const provider = Object.keys(metric.provider ?? {}).join(', ') || 'none';
  const conditions = { successCondition: metric.successCondition, failureCondition: metric.failureCondition };
  const check = { ...base, metric: String(metric.name), provider, ...conditions };
  if (!metric.provider?.prometheus) return { ...check, error: `${provider} provider: preflight runs Prometheus queries only` };
  let resolved: string;
  try {
    resolved = substitute(String(metric.provider.prometheus.query ?? ''), args);
  } catch (e: any) {
    return { ...check, error: e.message };
  }
  try {
    const { query, rewrites } = stableSide(resolved, stableOf);
    return { ...check, query, rewrites };
  } catch (e: any) {
    return { ...check, query: resolved.split(HASH).join('<pod-template-hash>'), error: e.message };
  }
}

/** An argument's value, or why it has none. */
type ArgValue = { value: string } | { error: string };

/** The template's arguments with the rollout's values applied, as the controller merges them. */
function resolveArgs(templateArgs: any, rolloutArgs: any[], rollout: any): Map<string, ArgValue> {
  const values = new Map<string, ArgValue>();
  for (const arg of Array.isArray(templateArgs) ? templateArgs : []) values.set(String(arg.name), argValue(arg, rollout, 'template'));
  for (const arg of rolloutArgs) values.set(String(arg.name), argValue(arg, rollout, 'rollout'));
  return values;
}

function argValue(arg: any, rollout: any, from: string): ArgValue {
  if (arg.value !== undefined) return { value: String(arg.value) };
  const valueFrom = arg.valueFrom;
  if (valueFrom?.podTemplateHashValue) return { value: HASH };
  if (valueFrom?.fieldRef?.fieldPath) {
    const value = fieldValue(rollout, String(valueFrom.fieldRef.fieldPath));
    return value === undefined ? { error: `argument ${arg.name}: the rollout has no field ${valueFrom.fieldRef.fieldPath}` } : { value };
  }
  if (valueFrom?.secretKeyRef) {
    return { error: `argument ${arg.name} comes from Secret ${valueFrom.secretKeyRef.name} key ${valueFrom.secretKeyRef.key}: preflight does not read Secrets` };
  }
  return { error: `argument ${arg.name} has no value (the ${from} sets none)` };
}

/** A field of the rollout by a `fieldRef` path (`metadata.namespace`, `metadata.labels['app']`, `spec.template.metadata.labels.version`). */
function fieldValue(object: any, fieldPath: string): string | undefined {
  const parts = [...fieldPath.matchAll(/([^.[\]]+)|\['([^']*)'\]|\["([^"]*)"\]/g)].map((m) => m[1] ?? m[2] ?? m[3]);
  let value = object;
  for (const part of parts) value = value?.[part];
  return value === undefined || value === null || typeof value === 'object' ? undefined : String(value);
}

/** `{{args.x}}` resolved as the controller's template resolution does: an unknown tag is an error. */
function substitute(text: string, args: Map<string, ArgValue>): string {
  return text.replace(PLACEHOLDER, (_, tag: string) => {
    const key = tag.trim();
    const arg = key.startsWith('args.') ? args.get(key.slice('args.'.length)) : undefined;
    if (arg === undefined) throw new Error(`failed to resolve {{${tag}}}: no such argument (the controller fails this measurement)`);
    if ('error' in arg) throw new Error(arg.error);
    return arg.value;
  });
}

/**
 * Rewrites what selects the canary so that the query selects the stable side, walking the query's
 * selectors: nginx's `canary!=""` becomes `canary=""`, a matcher on the canary (or preview) Service
 * or Istio subset matches the stable one instead, and the canary's pod-template hash matches any
 * hash of the rollout's current pods.
 */
function stableSide(text: string, stableOf: Map<string, [string, string]>): { query: string; rewrites: string[] } {
  // The hash placeholder is not PromQL: parse with a hash-shaped word in its place, then rewrite by position.
  const WORD = 'preflighthashpreflight';
  const parsed = PromqlQuery.parse(text.split(HASH).join(WORD));
  const edits: { from: number; to: number; text: string }[] = [];
  const rewrites: string[] = [];
  const note = (from: string, to: string, why: string) => {
    const line = `${from} → ${to} (${why})`;
    if (!rewrites.includes(line)) rewrites.push(line);
  };
  for (const selector of parsed.selectors()) {
    for (const m of selector.matchers) {
      const original = parsed.text.slice(m.from, m.to);
      let op = m.op;
      let value = m.value;
      let why: string | undefined;
      if (selector.metric?.startsWith('nginx_ingress_controller_') && m.label === 'canary' && m.op === '!=' && m.value === '') {
        op = '=';
        why = 'nginx: requests the stable backend served';
      } else if (stableOf.has(m.value) && (m.op === '=' || m.op === '=~')) {
        const [stable, what] = stableOf.get(m.value)!;
        value = m.op === '=~' ? escapeRegex(stable) : stable;
        why = `the ${what} ${m.value} has no traffic before the release: ${stable} instead`;
      } else if (m.value.includes(WORD)) {
        const parts = m.value.split(WORD);
        value = m.op === '=~' || m.op === '!~' ? parts.join(HASH_REGEX) : parts.map(escapeRegex).join(HASH_REGEX);
        op = m.op === '=' ? '=~' : m.op === '!=' ? '!~' : m.op;
        why = 'the canary pod-template hash: any hash, i.e. the rollout\'s current pods';
      }
      if (why === undefined) continue;
      const replacement = matcherText(m.label, op, value);
      edits.push({ from: m.from, to: m.to, text: replacement });
      note(original.split(WORD).join('<hash>'), replacement, why);
    }
  }
  const query = parsed.edit(edits);
  if (query.includes(WORD)) throw new Error('the pod-template hash argument is used outside a label matcher: cannot select the stable side');
  return { query, rewrites };
}
