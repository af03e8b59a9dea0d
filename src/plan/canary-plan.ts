import { planAnalysis, TemplateIndex, unknownAnalysisNote } from './analysis-checks';
import { PlanError } from './plan-error';
import { formatSeconds, plural } from './plan-format';
import { PlanAnalysis, PlanBackgroundAnalysis } from './plan-step';
import { PlanStepDraft, sequence, StrategyPlan } from './strategy-plan';
import { pauseSeconds } from '../validation/rollout-rules';

/** What ends a row: the step that holds the rollout. */
interface Hold {
  readonly action: string;
  readonly pauseSeconds?: number;
  readonly manualPromotion?: boolean;
  readonly analysis?: PlanAnalysis;
  readonly minimumSeconds?: number;
  readonly note?: string;
}

const EXCLUSIVE_KINDS = ['setWeight', 'pause', 'experiment', 'analysis'];
const STEP_KINDS = [...EXCLUSIVE_KINDS, 'setCanaryScale', 'setHeaderRoute', 'setMirrorRoute', 'plugin'];

/**
 * The plan of `spec.strategy.canary` (spec.md §2.1): weights carry over until a `setWeight` changes
 * them, `pause: {}` waits for a person, an analysis step takes as long as its slowest metric, and
 * after the last step the canary gets 100% and becomes stable.
 */
export function canaryPlan(rollout: any, label: string, index: TemplateIndex): StrategyPlan {
  const canary = rollout.spec.strategy.canary;
  const at = ['spec', 'strategy', 'canary'];
  const field = 'spec.strategy.canary';
  const specSteps: any[] = canary.steps ?? [];
  if (!Array.isArray(specSteps)) throw new PlanError(`${label}: ${field}.steps: must be a list of steps`, [...at, 'steps']);
  const namespace: string | undefined = rollout.metadata?.namespace;
  const routing = canary.trafficRouting;
  const maxWeight: number = routing?.maxTrafficWeight ?? 100;
  const startingStep: number | undefined = canary.analysis ? (canary.analysis.startingStep ?? 0) : undefined;

  const drafts: PlanStepDraft[] = [];
  const headerRoutes = new Map<string, string>();
  const mirrorRoutes = new Map<string, string>();
  let weight = 0;
  let canaryScale: string | undefined;
  let pending: { specSteps: number[]; actions: string[] } = { specSteps: [], actions: [] };

  const flush = (hold?: Hold) => {
    const notes = [canaryScale && `canary scaled to ${canaryScale}, not to its weight`, hold?.note].filter((n): n is string => !!n);
    const last = pending.specSteps[pending.specSteps.length - 1];
    drafts.push({
      specSteps: pending.specSteps,
      actions: [...pending.actions, ...(hold ? [hold.action] : [])],
      weight: Math.round((weight / maxWeight) * 10000) / 100,
      pauseSeconds: hold?.pauseSeconds,
      manualPromotion: hold?.manualPromotion ?? false,
      analysis: hold?.analysis,
      backgroundAnalysis: startingStep !== undefined && last >= startingStep,
      headerRoutes: [...headerRoutes.values()],
      mirrorRoutes: [...mirrorRoutes.values()],
      notes,
      minimumSeconds: hold ? hold.minimumSeconds : 0,
    });
    pending = { specSteps: [], actions: [] };
  };

  specSteps.forEach((step, i) => {
    const stepAt = [...at, 'steps', i];
    const stepField = `${field}.steps[${i}]`;
    const fail = (message: string, key?: string): never => {
      throw new PlanError(`${label}: ${stepField}${key ? `.${key}` : ''}: ${message}`, key ? [...stepAt, key] : stepAt);
    };
    if (typeof step !== 'object' || step === null
      || EXCLUSIVE_KINDS.filter((k) => step[k] !== undefined).length > 1 || !STEP_KINDS.some((k) => step[k] !== undefined)) {
      fail(`Invalid value: ${JSON.stringify(step)}: Step must have one of the following set: experiment, setWeight, setCanaryScale, plugin or pause`);
    }
    pending.specSteps.push(i);

    if (step.setWeight !== undefined) {
      if (typeof step.setWeight !== 'number' || step.setWeight < 0 || step.setWeight > maxWeight) {
        fail(`Invalid value: ${JSON.stringify(step.setWeight)}: SetWeight needs to be between 0 and ${maxWeight}`, 'setWeight');
      }
      weight = step.setWeight;
      pending.actions.push(`set weight ${step.setWeight}${maxWeight === 100 ? '%' : ` of ${maxWeight}`}`);
    }
    if (step.setCanaryScale !== undefined) {
      const scale = step.setCanaryScale;
      canaryScale = scale.matchTrafficWeight ? undefined
        : scale.replicas !== undefined ? plural(scale.replicas, 'pod') : `${scale.weight}% of the replicas`;
      pending.actions.push(canaryScale ? `scale canary to ${canaryScale}` : 'scale canary to match its weight');
    }
    if (step.setHeaderRoute !== undefined) {
      const route = step.setHeaderRoute;
      updateRoute(headerRoutes, route, describeHeaderRoute(route), pending.actions, 'header');
    }
    if (step.setMirrorRoute !== undefined) {
      const route = step.setMirrorRoute;
      updateRoute(mirrorRoutes, route, describeMirrorRoute(route), pending.actions, 'mirror');
    }

    if (step.pause !== undefined) {
      const duration = step.pause?.duration;
      if (duration === undefined) {
        flush({ action: 'pause until promoted', manualPromotion: true, minimumSeconds: 0 });
      } else {
        const seconds = typeof duration === 'number' || typeof duration === 'string' ? pauseSeconds(duration) : -1;
        if (seconds < 0) {
          throw new PlanError(`${label}: ${stepField}.pause.duration: Invalid value: ${JSON.stringify(duration)}: Duration needs to be greater than 0 (allowed: seconds, or a Go duration like "30s", "5m", "1h30m")`, [...stepAt, 'pause', 'duration']);
        }
        flush({ action: `pause ${formatSeconds(seconds)}`, pauseSeconds: seconds, minimumSeconds: seconds });
      }
    } else if (step.analysis !== undefined) {
      const analysis = planAnalysis(step.analysis, index, namespace);
      flush({
        action: `analysis ${analysis.templates.join(', ')}`,
        analysis,
        minimumSeconds: analysis.minimumSeconds,
        note: analysis.minimumSeconds === undefined ? unknownAnalysisNote(analysis) : undefined,
      });
    } else if (step.experiment !== undefined) {
      const templates = (step.experiment.templates ?? []).map((t: any) => t.name).join(', ');
      const seconds = step.experiment.duration === undefined ? -1 : pauseSeconds(step.experiment.duration);
      flush(seconds < 0
        ? { action: `experiment ${templates}`, note: 'experiment without a duration: runs until its analyses end (duration unknown)' }
        : { action: `experiment ${templates} for ${formatSeconds(seconds)}`, minimumSeconds: seconds });
    } else if (step.plugin !== undefined) {
      flush({ action: `step plugin ${step.plugin.name}`, note: 'step plugin: its duration depends on the plugin (unknown)' });
    }
  });
  if (pending.specSteps.length > 0) flush();
  headerRoutes.clear();
  mirrorRoutes.clear();
  canaryScale = undefined;
  weight = maxWeight;
  pending.actions.push('full promotion: the canary becomes stable');
  flush();

  const backgroundAnalysis = startingStep === undefined ? undefined
    : { ...planAnalysis(canary.analysis, index, namespace), startingStep };
  return {
    steps: sequence(drafts),
    trafficRouting: describeRouting(routing),
    backgroundAnalysis,
    notes: canaryNotes(rollout, specSteps.length, routing, backgroundAnalysis),
  };
}

function updateRoute(routes: Map<string, string>, route: any, description: string | undefined, actions: string[], kind: string): void {
  if (description === undefined) {
    routes.delete(route.name);
    actions.push(`remove ${kind} route ${route.name}`);
  } else {
    routes.set(route.name, description);
    actions.push(`set ${kind} route ${route.name}`);
  }
}

/** `name: X-Canary exact "true"`, or undefined for a step that removes the route. */
function describeHeaderRoute(route: any): string | undefined {
  const matches: any[] = route.match ?? [];
  if (matches.length === 0) return undefined;
  return `${route.name}: ${matches.map((m) => `${m.headerName} ${describeMatch(m.headerValue)}`).join(' and ')}`;
}

/** `name: 50% of GET /api*`, or undefined for a step that removes the route. */
function describeMirrorRoute(route: any): string | undefined {
  const matches: any[] = route.match ?? [];
  if (matches.length === 0 && route.percentage === undefined) return undefined;
  const requests = matches.map((m) => [
    m.method && `method ${describeMatch(m.method)}`,
    m.path && `path ${describeMatch(m.path)}`,
    ...Object.entries(m.headers ?? {}).map(([name, value]) => `${name} ${describeMatch(value)}`),
  ].filter(Boolean).join(' and ')).join(' or ');
  return `${route.name}: ${route.percentage ?? 100}% of ${requests || 'all requests'}`;
}

function describeMatch(match: any): string {
  const [kind, value] = Object.entries(match ?? {})[0] ?? ['any', ''];
  return `${kind} ${JSON.stringify(value)}`;
}

/** `nginx`, `istio`, `plugin argoproj-labs/gatewayAPI`... */
function describeRouting(routing: any): string | undefined {
  if (!routing) return undefined;
  return Object.keys(routing).filter((k) => k !== 'managedRoutes' && k !== 'maxTrafficWeight')
    .flatMap((k) => (k === 'plugins' ? Object.keys(routing.plugins ?? {}).map((p) => `plugin ${p}`) : [k])).join(', ');
}

function canaryNotes(rollout: any, stepCount: number, routing: any, background?: PlanBackgroundAnalysis): string[] {
  const notes = ['steps run on updates only: the first deploy of a Rollout goes straight to 100%'];
  if (stepCount === 0) notes.push('no steps: an update goes to 100% as soon as the new pods are ready');
  if (!routing) {
    const replicas: number = rollout.spec.replicas ?? 1;
    notes.push(`no traffic routing: the weight is approximated by the ratio of canary to stable pods (${plural(replicas, 'replica')}: steps of about ${Math.round(100 / Math.max(replicas, 1))}%)`);
  }
  if (background) {
    notes.push(`background analysis ${background.templates.join(', ')} runs from step ${background.startingStep} until full promotion; a failure aborts the update`);
  }
  return notes;
}
