import { conditionError, CONDITION_SUBSET, ResultType } from './condition';
import { placeholders, promqlSyntaxError } from './promql';
import { RuleViolation } from '../validation/rule-violation';

/**
 * The checks every AnalysisTemplate and ClusterAnalysisTemplate gets, however it was built (typed
 * checks or JSON), on its final spec: every `{{...}}` placeholder of a metric resolves to an
 * argument the spec declares (the controller resolves the whole metric, rules 41 and 63), every
 * Prometheus query parses with the Prometheus grammar, and every condition is in the supported
 * subset for the provider's result type (a vector for Prometheus, any value otherwise).
 * `property` names the user-facing property of metric `i`.
 */
export function validateTemplateMetrics(spec: any, property: (index: number) => string): RuleViolation[] {
  const declared = new Set<string>((spec?.args ?? []).map((a: any) => a?.name));
  const metrics: any[] = Array.isArray(spec?.metrics) ? spec.metrics : [];
  return metrics.flatMap((metric, i) => {
    const problems: RuleViolation[] = [];
    const add = (field: string, message: string, allowed: string) =>
      problems.push({ property: property(i), field: `spec.metrics[${i}].${field}`, message: `check "${metric?.name}": ${message}`, allowed });
    for (const [field, text] of stringLeaves(metric, '')) {
      for (const p of placeholders(text)) {
        if (p.problem) add(field, p.problem, 'placeholders {{args.<name>}} of arguments in spec.args');
        else if (!declared.has(p.argName!)) add(field, `failed to resolve ${p.text}: spec.args declares no argument "${p.argName}"`, `arguments in spec.args: ${[...declared].join(', ') || 'none'}`);
      }
    }
    const query = metric?.provider?.prometheus?.query;
    if (typeof query === 'string') {
      const error = promqlSyntaxError(query);
      if (error) add('provider.prometheus.query', `PromQL ${error}`, 'a query the Prometheus grammar accepts');
    }
    const resultType = metric?.provider?.prometheus ? ResultType.VECTOR : ResultType.VALUE;
    for (const field of ['successCondition', 'failureCondition']) {
      if (typeof metric?.[field] !== 'string' || metric[field] === '') continue;
      const error = conditionError(metric[field], resultType);
      if (error) add(field, `condition ${error}`, CONDITION_SUBSET + (resultType === ResultType.VECTOR ? ' (a Prometheus result is a vector: result[0])' : ''));
    }
    return problems;
  });
}

/** Every string value inside `value`, with its dotted path. */
function stringLeaves(value: any, path: string): Array<[string, string]> {
  if (typeof value === 'string') return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringLeaves(v, `${path}[${i}]`));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => stringLeaves(v, path === '' ? k : `${path}.${k}`));
  }
  return [];
}
