import { formatSeconds, plural } from './plan-format';
import { PlanAnalysis, PlanCheck, PlanStep } from './plan-step';
import type { RolloutPlan } from './rollout-plan';

/** One plan, laid out once and written as text or Markdown. */
interface PlanSection {
  readonly title: string;
  readonly summary: string;
  readonly header: string[];
  readonly rows: string[][];
  readonly checks: TemplateChecks[];
  readonly notes: string[];
}

/** The checks of one template and where the rollout runs it. */
interface TemplateChecks {
  readonly title: string;
  readonly metrics: string[];
}

const HEADER = ['#', 'Traffic', 'Wait', 'Analysis', 'Routes', 'Reached after', 'Spec steps', 'What happens'];
const ASSUMPTIONS = 'Times assume every analysis passes, pods are ready at once and manual promotions are immediate.';

/** The plans as Markdown: a heading, the fastest time, a table, the checks and notes per Rollout. */
export function renderMarkdown(plans: RolloutPlan[]): string {
  return plans.map(layout).map((s) => [
    `### ${s.title}`,
    '',
    `${s.summary} ${ASSUMPTIONS}`,
    '',
    `| ${s.header.join(' | ')} |`,
    `|${s.header.map(() => ' --- ').join('|')}|`,
    ...s.rows.map((row) => `| ${row.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`),
    ...(s.checks.length > 0 ? ['', '**Checks**', '', ...s.checks.flatMap((c) => [`- ${c.title}`, ...c.metrics.map((m) => `  - ${m}`)])] : []),
    ...(s.notes.length > 0 ? ['', '**Notes**', '', ...s.notes.map((n) => `- ${n}`)] : []),
    '',
  ].join('\n')).join('\n');
}

/** The plans as plain text with aligned columns. */
export function renderText(plans: RolloutPlan[]): string {
  return plans.map(layout).map((s) => {
    const table = [s.header, ...s.rows];
    const widths = s.header.map((_, i) => Math.max(...table.map((row) => row[i].length)));
    const line = (row: string[]) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ').trimEnd();
    return [
      s.title,
      `${s.summary} ${ASSUMPTIONS}`,
      '',
      line(s.header),
      line(widths.map((w) => '-'.repeat(w))),
      ...s.rows.map(line),
      ...(s.checks.length > 0 ? ['', 'Checks:', ...s.checks.flatMap((c) => [`  - ${c.title}`, ...c.metrics.map((m) => `    - ${m}`)])] : []),
      ...(s.notes.length > 0 ? ['', 'Notes:', ...s.notes.map((n) => `  - ${n}`)] : []),
      '',
    ].join('\n');
  }).join('\n');
}

/** `17m`, `at least 42m`, plus the manual promotions. */
export function describeTotal(plan: RolloutPlan): string {
  const time = `${plan.durationKnown ? '' : 'at least '}${formatSeconds(plan.minimumDurationSeconds)}`;
  const promotions = plan.manualPromotions.length === 0 ? 'no manual promotion'
    : `${plural(plan.manualPromotions.length, 'manual promotion')} (step${plan.manualPromotions.length === 1 ? '' : 's'} ${plan.manualPromotions.join(', ')})`;
  return `${time}, ${promotions}`;
}

function layout(plan: RolloutPlan): PlanSection {
  const where = plan.namespace ? `${plan.namespace}/${plan.name}` : plan.name;
  const strategy = plan.strategy === 'canary'
    ? `canary${plan.trafficRouting ? ` with ${plan.trafficRouting} traffic routing` : ' without traffic routing'}`
    : 'blue-green';
  let promotions = 0;
  let unknown = false;
  const rows = plan.steps.map((step) => {
    const reached = `${unknown ? '≥ ' : ''}${formatSeconds(step.startSeconds)}${promotions ? ` + ${plural(promotions, 'promotion')}` : ''}`;
    if (step.manualPromotion) promotions++;
    if (step.minimumSeconds === undefined) unknown = true;
    return [
      String(step.position),
      `${step.weight}%`,
      describeWait(step),
      describeAnalysis(step),
      [...step.headerRoutes.map((r) => `header ${r}`), ...step.mirrorRoutes.map((r) => `mirror ${r}`)].join('; ') || '-',
      reached,
      describeSpecSteps(step.specSteps),
      [step.actions.join(', '), ...step.notes].join('; '),
    ];
  });
  return {
    title: `Rollout ${where}: ${strategy}`,
    summary: `Fastest full promotion: ${describeTotal(plan)}.`,
    header: HEADER,
    rows,
    checks: describeChecks(plan),
    notes: plan.notes,
  };
}

function describeWait(step: PlanStep): string {
  const parts = [
    step.pauseSeconds !== undefined ? formatSeconds(step.pauseSeconds) : '',
    step.manualPromotion ? 'until promoted' : '',
  ].filter((p) => p !== '');
  return parts.join(', ') || '-';
}

function describeAnalysis(step: PlanStep): string {
  const parts: string[] = [];
  if (step.analysis) {
    const seconds = step.analysis.minimumSeconds;
    const time = seconds === undefined ? 'duration unknown' : seconds === 0 ? 'one measurement' : `≥ ${formatSeconds(seconds)}`;
    parts.push(`${step.analysis.templates.join(', ')} (${time})`);
  }
  if (step.backgroundAnalysis) parts.push('background');
  return parts.join(' + ') || '-';
}

function describeSpecSteps(indexes: number[]): string {
  if (indexes.length === 0) return '-';
  return indexes.length === 1 ? String(indexes[0]) : `${indexes[0]}-${indexes[indexes.length - 1]}`;
}

/** One line per template (with its metrics), saying where it runs; missing templates said so. */
function describeChecks(plan: RolloutPlan): TemplateChecks[] {
  const uses: Array<{ where: string; analysis: PlanAnalysis }> = [];
  for (const step of plan.steps) {
    if (step.analysis) uses.push({ where: plan.strategy === 'canary' ? `step ${step.position}` : step.weight === 0 ? 'pre-promotion' : 'post-promotion', analysis: step.analysis });
  }
  if (plan.backgroundAnalysis) uses.push({ where: 'background', analysis: plan.backgroundAnalysis });
  const templates = new Map<string, { where: string[]; checks: PlanCheck[] }>();
  const entry = (name: string, where: string) => {
    const t = templates.get(name) ?? { where: [], checks: [] };
    if (!t.where.includes(where)) t.where.push(where);
    templates.set(name, t);
    return t;
  };
  for (const { where, analysis } of uses) {
    for (const check of analysis.checks) {
      const t = entry(check.template, where);
      if (!t.checks.some((c) => c.metric === check.metric)) t.checks.push(check);
    }
    analysis.missingTemplates.forEach((name) => entry(name, where));
  }
  return [...templates.entries()].map(([name, t]) => ({
    title: `\`${name}\` (${t.where.join(', ')})${t.checks.length === 0 ? ': not in the input, checks and duration unknown' : ':'}`,
    metrics: t.checks.map(describeCheck),
  }));
}

function describeCheck(c: PlanCheck): string {
  const every = c.intervalSeconds !== undefined ? ` every ${formatSeconds(c.intervalSeconds)}` : '';
  const timing = [
    c.count !== undefined ? `${plural(c.count, 'measurement')}${every}` : every ? `${every.trim()} until stopped` : 'once',
    c.initialDelaySeconds ? `first after ${formatSeconds(c.initialDelaySeconds)}` : '',
  ].filter((p) => p !== '').join(', ');
  return `${c.metric} (${c.provider}): ${[
    c.successCondition ? `pass if \`${c.successCondition}\`` : '',
    c.failureCondition ? `fail if \`${c.failureCondition}\`` : '',
    timing,
    c.failureLimit ? `tolerates ${plural(c.failureLimit, 'failure')}` : '',
    c.minimumSeconds ? `passes after ≥ ${formatSeconds(c.minimumSeconds)}` : '',
  ].filter((p) => p !== '').join(', ')}`;
}
