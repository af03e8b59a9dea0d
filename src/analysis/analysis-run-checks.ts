import { AnalysisArgument } from './analysis-argument';
import { IAnalysisTemplate } from './analysis-template';
import { AnalysisTemplateBase } from './analysis-template-base';
import { metricRuleMatches } from './metric-options';
import { RuleViolation } from '../validation/rule-violation';

/*
 * Checks of the AnalysisRun a rollout analysis builds that read the templates' final JSON: the
 * argument values the controller substitutes into queries, and the dry-run rules it merges.
 * Templates known by name only (installed elsewhere) cannot be read, so they are not checked.
 */

/** The rollout prop that holds the analysis rendered at `field`. */
export function analysisProperty(field: string): string {
  if (field.endsWith('canary.analysis')) return 'backgroundAnalysis';
  const step = /steps\[(\d+)\]/.exec(field);
  if (step) return `steps[${step[1]}]`;
  return /(prePromotionAnalysis|postPromotionAnalysis)$/.exec(field)?.[1] ?? field;
}

/** The final spec of a template this app defines, or undefined for one referenced by name only. */
function specOf(template: IAnalysisTemplate): any {
  return template instanceof AnalysisTemplateBase ? template.apiObject.toJson().spec ?? {} : undefined;
}

/** Where a `{{args.x}}` stands in a PromQL query, and what a value substituted there must not hold. */
interface Position {
  readonly where: string;
  readonly unsafe: RegExp;
  readonly allowed: string;
}

const POSITIONS: Record<string, Position> = {
  '"': { where: 'a double-quoted string', unsafe: /["\\\n\r]/, allowed: 'a value without ", \\ or line breaks' },
  "'": { where: 'a single-quoted string', unsafe: /['\\\n\r]/, allowed: "a value without ', \\ or line breaks" },
  '`': { where: 'a back-quoted string', unsafe: /`/, allowed: 'a value without `' },
  '': { where: 'the query itself (outside any string)', unsafe: /[^A-Za-z0-9_:.+-]/, allowed: 'a number, duration or name: letters, digits, _ : . + -' },
};

/** The positions of each `{{args.<name>}}` in a PromQL query, read with the lexer's string rules. */
export function argumentPositions(query: string): Map<string, Position[]> {
  const found = new Map<string, Position[]>();
  let quote = '';
  for (let i = 0; i < query.length; i++) {
    const c = query[i];
    const placeholder = /^\{\{\s*args\.([^}\s]+)\s*\}\}/.exec(query.slice(i, i + 300));
    if (placeholder) {
      found.set(placeholder[1], [...(found.get(placeholder[1]) ?? []), POSITIONS[quote]]);
      i += placeholder[0].length - 1;
    } else if (quote === '' && (c === '"' || c === "'" || c === '`')) {
      quote = c;
    } else if (quote !== '' && quote !== '`' && c === '\\') {
      i++;
    } else if (c === quote) {
      quote = '';
    }
  }
  return found;
}

/**
 * The controller substitutes argument values verbatim into queries: a value known at synth time
 * (the rollout's `AnalysisArgument.value`, or a template's default) that would break out of its
 * position (`x"} or vector(1) or up{job="` makes a gate always pass) is refused.
 */
export function argumentValueViolations(templates: IAnalysisTemplate[], args: AnalysisArgument[], field: string): RuleViolation[] {
  const violations: RuleViolation[] = [];
  const supplied = new Map(args.map((a) => [a.name, a.toJson().value as string | undefined]));
  for (const template of templates) {
    const spec = specOf(template);
    if (!spec) continue;
    const defaults = new Map<string, string | undefined>((spec.args ?? []).map((a: any) => [a.name, a.value]));
    (spec.metrics ?? []).forEach((metric: any) => {
      const query = metric.provider?.prometheus?.query;
      if (typeof query !== 'string') return;
      for (const [name, positions] of argumentPositions(query)) {
        const value = supplied.has(name) ? supplied.get(name) : defaults.get(name);
        if (typeof value !== 'string') continue;
        const position = positions.find((p) => p.unsafe.test(value));
        if (!position) continue;
        violations.push({
          property: supplied.has(name) ? `${analysisProperty(field)}.args` : `${analysisProperty(field)}.templates`,
          field: `${field}.args[${name}]`,
          message: `the value of args.${name} would change the query of metric "${metric.name}" of ${template.templateName}: it stands in ${position.where}, and the controller substitutes values verbatim`,
          allowed: position.allowed,
        });
      }
    });
  }
  return violations;
}

/**
 * The rollout's `dryRunMetrics` (rule 40, rule 62 of the validation reference) or
 * `measurementRetention` rules: no rule a template already has (`two Dry-Run metric rules have the
 * same name`), none that matches no metric of the run.
 */
export function metricRuleViolations(templates: IAnalysisTemplate[], key: 'dryRun' | 'measurementRetention', rules: string[], field: string): RuleViolation[] {
  const violations: RuleViolation[] = [];
  const label = key === 'dryRun' ? 'Dry-Run' : 'Measurement Retention';
  const property = `${analysisProperty(field)}.${key === 'dryRun' ? 'dryRunMetrics' : 'measurementRetention'}`;
  const value = `"templateNames: [${templates.map((t) => t.templateName).join(' ')}]"`;
  const specs = templates.map(specOf);
  const own = specs.flatMap((s) => (s?.[key] ?? []).map((r: any) => r.metricName as string));
  const seen = new Set<string>(own);
  for (const name of rules) {
    if (seen.has(name)) {
      violations.push({ property, field: `${field}.templates`, message: `Invalid value: ${value}: two ${label} metric rules have the same name '${name}'`, allowed: `each metric name once, counting the templates' own ${key} rules` });
    }
    seen.add(name);
  }
  if (specs.some((s) => s === undefined)) return violations; // a template known by name only may hold the metric
  const metrics = templates.flatMap((t) => t.metricNames);
  rules.forEach((name, i) => {
    if (!metrics.some((m) => metricRuleMatches(name, m))) {
      violations.push({ property: `${property}[${i}]`, field: `${field}.${key}[${i}]`, message: `${key}[${i}]: Rule didn't match any metric name(s)`, allowed: `a name or regular expression matching one of ${metrics.join(', ')}` });
    }
  });
  return violations;
}
