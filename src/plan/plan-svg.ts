import { formatSeconds } from './plan-format';
import { PlanStep } from './plan-step';
import { describeTotal } from './plan-table';
import type { RolloutPlan } from './rollout-plan';

const WIDTH = 960;
const PANEL_HEIGHT = 316;
const LEFT = 76;
const RIGHT = 24;
const PLOT_TOP = 64;
const PLOT_HEIGHT = 150;
const PLOT_BOTTOM = PLOT_TOP + PLOT_HEIGHT;
/** Width of a wait with no known length: a manual promotion or an analysis of unknown duration. */
const GAP = 64;
/** Width of the final, fully promoted segment. */
const TAIL = 40;
const COLORS = { weight: '#1f6feb', fill: '#cfe3ff', pause: '#fff3bf', gate: '#8c959f', analysis: '#f0883e', analysisShade: '#ffe8d6', background: '#a371f7', text: '#24292f', grid: '#d0d7de', muted: '#57606a' };

/** A row placed on the x axis. */
interface Segment {
  readonly step: PlanStep;
  readonly x: number;
  /** Width of the known minimum time. */
  readonly timed: number;
  /** Width of the wait of unknown length (manual promotion, unknown duration), after the timed part. */
  readonly open: number;
}

/**
 * Draws each plan as a timeline: traffic weight over the minimum time, pauses shaded, manual
 * promotion gates hatched, analysis windows and background analysis as bars under the axis.
 */
export function renderSvg(plans: RolloutPlan[]): string {
  const height = PANEL_HEIGHT * Math.max(plans.length, 1);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="11" fill="${COLORS.text}">`,
    `<title>${escape(`Rollout plan: ${plans.map((p) => p.name).join(', ')}`)}</title>`,
    '<defs><pattern id="gate" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
      + `<rect width="6" height="6" fill="#f6f8fa"/><line x1="0" y1="0" x2="0" y2="6" stroke="${COLORS.gate}" stroke-width="2"/></pattern></defs>`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    ...plans.map((plan, i) => `<g transform="translate(0 ${i * PANEL_HEIGHT})">${panel(plan).join('')}</g>`),
    '</svg>',
    '',
  ].join('\n');
}

function panel(plan: RolloutPlan): string[] {
  const segments = layout(plan);
  const y = (weight: number) => PLOT_BOTTOM - (weight / 100) * PLOT_HEIGHT;
  const end = (s: Segment) => s.x + s.timed + s.open;
  const out: string[] = [
    text(LEFT, 24, `${plan.namespace ? `${plan.namespace}/` : ''}${plan.name}: ${plan.strategy === 'canary' ? 'canary' : 'blue-green'}${plan.trafficRouting ? ` (${plan.trafficRouting})` : ''}`, 'font-size="15" font-weight="600"'),
    text(LEFT, 44, `Fastest full promotion: ${describeTotal(plan)}`),
  ];

  // Weight grid.
  for (const weight of [0, 25, 50, 75, 100]) {
    out.push(`<line x1="${LEFT}" y1="${num(y(weight))}" x2="${WIDTH - RIGHT}" y2="${num(y(weight))}" stroke="${COLORS.grid}" stroke-width="1"/>`);
    out.push(text(LEFT - 6, y(weight) + 4, `${weight}%`, 'text-anchor="end"'));
  }

  // Pauses, analysis windows and promotion gates behind the weight line (gate labels in front).
  const gateLabels: string[] = [];
  for (const s of segments) {
    if (s.step.analysis && !s.step.pauseSeconds && s.timed + s.open > 0) {
      out.push(rect(s.x, PLOT_TOP, s.timed + (s.step.manualPromotion ? 0 : s.open), PLOT_HEIGHT, `fill="${COLORS.analysisShade}"`, `analysis ${s.step.analysis.templates.join(', ')}`));
    }
    if (s.step.pauseSeconds && s.timed > 0) {
      out.push(rect(s.x, PLOT_TOP, s.timed, PLOT_HEIGHT, `fill="${COLORS.pause}"`, `pause ${formatSeconds(s.step.pauseSeconds)}`));
      if (s.timed >= 48) out.push(text(s.x + s.timed / 2, PLOT_TOP + 12, `pause ${formatSeconds(s.step.pauseSeconds)}`, 'text-anchor="middle"'));
    }
    if (s.step.manualPromotion) {
      out.push(rect(s.x + s.timed, PLOT_TOP, s.open, PLOT_HEIGHT, 'fill="url(#gate)" fill-opacity="0.8"', 'waits for a person to promote'));
      const cx = s.x + s.timed + s.open / 2;
      gateLabels.push(text(cx + 4, PLOT_TOP + PLOT_HEIGHT / 2, 'waits for promotion', `text-anchor="middle" font-weight="600" transform="rotate(-90 ${num(cx + 4)} ${num(PLOT_TOP + PLOT_HEIGHT / 2)})"`));
    }
  }

  // Weight over time.
  const points: string[] = [`${num(LEFT)},${num(y(0))}`];
  for (const s of segments) points.push(`${num(s.x)},${num(y(s.step.weight))}`, `${num(end(s))},${num(y(s.step.weight))}`);
  const last = segments[segments.length - 1];
  out.push(`<polygon points="${[...points, `${num(end(last))},${num(y(0))}`].join(' ')}" fill="${COLORS.fill}" fill-opacity="0.55"/>`);
  out.push(`<polyline points="${points.join(' ')}" fill="none" stroke="${COLORS.weight}" stroke-width="2"/>`);
  out.push(...gateLabels);
  let previous = 0;
  for (const s of segments) {
    if (s.step.weight !== previous && end(s) - s.x >= 24) out.push(text(s.x + 3, y(s.step.weight) - 4, `${s.step.weight}%`, `fill="${COLORS.weight}" font-weight="600"`));
    previous = s.step.weight;
  }

  // Time axis: minimum time at each row start.
  let lastLabel = -Infinity;
  let lastTime = '';
  for (const s of segments) {
    const time = formatSeconds(s.step.startSeconds);
    if (s.x - lastLabel < 40 || time === lastTime) continue;
    out.push(`<line x1="${num(s.x)}" y1="${PLOT_BOTTOM}" x2="${num(s.x)}" y2="${PLOT_BOTTOM + 4}" stroke="${COLORS.text}"/>`);
    out.push(text(s.x, PLOT_BOTTOM + 15, time, 'text-anchor="middle"'));
    lastLabel = s.x;
    lastTime = time;
  }

  // Analysis windows and background analysis, in lanes under the time axis.
  const lane = PLOT_BOTTOM + 24;
  if (segments.some((s) => s.step.analysis)) out.push(text(LEFT - 6, lane + 11, 'analysis', `text-anchor="end" fill="${COLORS.muted}"`));
  for (const s of segments) {
    const analysis = s.step.analysis;
    if (!analysis) continue;
    const known = analysis.minimumSeconds !== undefined;
    const width = known ? s.timed * ((analysis.minimumSeconds ?? 0) / (s.step.minimumSeconds || 1)) : s.timed + s.open;
    const label = `${analysis.templates.join(', ')} ${known ? `≥ ${formatSeconds(analysis.minimumSeconds ?? 0)}` : '(duration unknown)'}`;
    out.push(rect(s.x, lane, Math.max(width, 2), 14, `fill="${COLORS.analysis}" fill-opacity="${known ? 0.85 : 0.35}"${known ? '' : ` stroke="${COLORS.analysis}" stroke-dasharray="3 2"`}`, `analysis ${label}`));
    if (width >= label.length * 6) out.push(text(s.x + 3, lane + 11, label, 'fill="#ffffff"'));
  }
  const background = segments.filter((s) => s.step.backgroundAnalysis);
  if (plan.backgroundAnalysis && background.length > 0) {
    const from = background[0].x;
    const to = end(background[background.length - 1]);
    const label = `background analysis: ${plan.backgroundAnalysis.templates.join(', ')}`;
    out.push(text(LEFT - 6, lane + 30, 'background', `text-anchor="end" fill="${COLORS.muted}"`));
    out.push(rect(from, lane + 22, to - from, 10, `fill="${COLORS.background}" fill-opacity="0.8"`, label));
    out.push(text(from + 3, lane + 46, label, `fill="${COLORS.background}"`));
  }
  out.push(text(LEFT, PANEL_HEIGHT - 8, 'Yellow: timed pause; orange: analysis; hatched: waits for a person to promote. Times assume every analysis passes.', `font-size="10" fill="${COLORS.muted}"`));
  return out;
}

/**
 * Places rows on the x axis: known time to scale; waits of unknown length and the final row at
 * fixed widths, which share the whole axis when no time is known.
 */
function layout(plan: RolloutPlan): Segment[] {
  const steps = plan.steps;
  const isOpen = (s: PlanStep, i: number) => i < steps.length - 1 && (s.manualPromotion || s.minimumSeconds === undefined);
  const openCount = steps.filter(isOpen).length;
  const available = WIDTH - LEFT - RIGHT - TAIL;
  const timedWidth = plan.minimumDurationSeconds > 0 ? available - openCount * GAP : 0;
  const gap = openCount === 0 ? 0 : (available - timedWidth) / openCount;
  const tail = openCount === 0 && timedWidth === 0 ? available + TAIL : TAIL;
  const scale = plan.minimumDurationSeconds > 0 ? timedWidth / plan.minimumDurationSeconds : 0;
  let x = LEFT;
  return steps.map((step, i) => {
    const final = i === steps.length - 1;
    const segment = { step, x, timed: final ? tail : (step.minimumSeconds ?? 0) * scale, open: isOpen(step, i) ? gap : 0 };
    x += segment.timed + segment.open;
    return segment;
  });
}

function rect(x: number, y: number, width: number, height: number, attributes: string, title: string): string {
  return `<rect x="${num(x)}" y="${num(y)}" width="${num(width)}" height="${num(height)}" ${attributes}><title>${escape(title)}</title></rect>`;
}

function text(x: number, y: number, content: string, attributes = ''): string {
  return `<text x="${num(x)}" y="${num(y)}"${attributes ? ` ${attributes}` : ''}>${escape(content)}</text>`;
}

function num(n: number): string {
  return String(Math.round(n * 10) / 10);
}

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
