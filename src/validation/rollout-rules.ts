import { COUNT_RANGE, describeRange, inRange, numberViolation, WEIGHT_RANGE } from './numbers';
import { RuleViolation } from './rule-violation';

/**
 * The Argo Rollouts controller's static spec validation (`ValidateRollout`, section A of the
 * validation reference), applied to a rendered Rollout `spec` before anything is written.
 *
 * Field paths and messages are the controller's own (canary and blue-green fields are reported
 * under `spec.strategy.<field>`, as the controller does). The input is the final JSON, so objects
 * changed through escape hatches (JSON patches) are checked too.
 */
export function validateRolloutSpec(spec: any): RuleViolation[] {
  const violations: RuleViolation[] = [];
  const add = (property: string, field: string, message: string, allowed: string) =>
    violations.push({ property, field, message, allowed });

  // 1, 6, 7: counts and durations (integers: NaN, infinities and fractions are refused too).
  for (const [field, property] of [['replicas', 'replicas'], ['minReadySeconds', 'minReady'], ['revisionHistoryLimit', 'revisionHistoryLimit'], ['progressDeadlineSeconds', 'progressDeadline']]) {
    const value = spec[field];
    if (value === undefined || inRange(value, COUNT_RANGE)) continue;
    // the controller's text for negative counts; NaN, infinities and fractions are no integers
    add(property, `spec.${field}`, `Invalid value: ${value}: must be ${value < 0 && Number.isFinite(value) ? 'greater than or equal to 0' : 'an integer'}`, describeRange(COUNT_RANGE));
  }
  const progressDeadline = spec.progressDeadlineSeconds ?? 600;
  if (progressDeadline <= (spec.minReadySeconds ?? 0)) {
    add('progressDeadline', 'spec.progressDeadlineSeconds', `Invalid value: ${progressDeadline}: must be greater than minReadySeconds`,
      `more than minReady (${spec.minReadySeconds ?? 0}s)`);
  }

  // 2-5: selector, workloadRef and pod template.
  if (spec.workloadRef) {
    const meta = spec.template?.metadata ?? {};
    if (Object.keys(meta.labels ?? {}).length > 0 || Object.keys(meta.annotations ?? {}).length > 0) {
      add('workloadRef', 'spec.template', 'Internal error: template must be empty for workload reference rollout', 'a rollout with workloadRef and no pod template labels or annotations');
    }
  } else {
    violations.push(...validateSelectorAndTemplate(spec));
  }

  // 8, 9: exactly one strategy.
  const canary = spec.strategy?.canary;
  const blueGreen = spec.strategy?.blueGreen;
  if (!canary && !blueGreen) {
    add('strategy', 'spec.strategy.strategy', "Required value: Rollout has missing field '.spec.strategy.canary or .spec.strategy.blueGreen'", 'a canary or a blue-green strategy');
  } else if (canary && blueGreen) {
    add('strategy', 'spec.strategy.strategy', 'Invalid value: "blueGreen: true canary: true": Multiple Strategies can not be listed', 'exactly one of canary, blueGreen');
  }
  if (blueGreen) violations.push(...validateBlueGreen(blueGreen, spec.revisionHistoryLimit ?? 10));
  if (canary) violations.push(...validateCanary(canary));
  return violations;
}

function validateSelectorAndTemplate(spec: any): RuleViolation[] {
  const violations: RuleViolation[] = [];
  const selector = spec.selector;
  if (!selector) {
    return [{ property: 'selector', field: 'spec.selector', message: "Required value: Rollout has missing field '.spec.selector'", allowed: 'a selector with matchLabels or matchExpressions' }];
  }
  const matchLabels: Record<string, string> = selector.matchLabels ?? {};
  if (Object.keys(matchLabels).length === 0 && (selector.matchExpressions ?? []).length === 0) {
    violations.push({ property: 'selector', field: 'spec.selector', message: `Invalid value: ${JSON.stringify(selector)}: empty selector is invalid for deployment`, allowed: 'a selector with matchLabels or matchExpressions' });
  }
  const labels: Record<string, string> = spec.template?.metadata?.labels ?? {};
  if (Object.entries(matchLabels).some(([k, v]) => labels[k] !== v)) {
    violations.push({ property: 'podMetadata', field: 'spec.template.metadata.labels', message: 'Invalid value: `selector` does not match template `labels`', allowed: `pod labels that include ${JSON.stringify(matchLabels)}` });
  }
  const containers: any[] = spec.template?.spec?.containers ?? [];
  if (containers.length === 0) {
    violations.push({ property: 'containers', field: 'spec.template.spec.containers', message: 'Required value', allowed: 'at least one container' });
  }
  const names = [...containers, ...(spec.template?.spec?.initContainers ?? [])].map((c) => c.name);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate !== undefined) {
    violations.push({ property: 'containers', field: 'spec.template.spec.containers', message: `Duplicate value: "${duplicate}"`, allowed: 'unique container names' });
  }
  return violations;
}

function validateBlueGreen(bg: any, revisionHistoryLimit: number): RuleViolation[] {
  const violations: RuleViolation[] = [];
  if ((bg.activeService ?? '') === (bg.previewService ?? '')) {
    violations.push({ property: 'previewService', field: 'spec.strategy.activeService', message: `Invalid value: "${bg.activeService ?? ''}": This rollout uses the same service for the active and preview services, but two different services are required.`, allowed: 'two different Services' });
  }
  for (const [field, property, range] of [['scaleDownDelayRevisionLimit', 'scaleDownDelayRevisionLimit', COUNT_RANGE], ['previewReplicaCount', 'previewReplicaCount', { min: 1 }]] as const) {
    const v = numberViolation(property, `spec.strategy.${field}`, bg[field], range);
    if (v) violations.push(v);
  }
  if (bg.scaleDownDelayRevisionLimit !== undefined && bg.scaleDownDelayRevisionLimit > revisionHistoryLimit) {
    violations.push({ property: 'scaleDownDelayRevisionLimit', field: 'spec.strategy.scaleDownDelayRevisionLimit', message: `Invalid value: ${bg.scaleDownDelayRevisionLimit}: This rollout's revision history limit can not be smaller than the rollout's scale down limit`, allowed: `at most revisionHistoryLimit (${revisionHistoryLimit})` });
  }
  violations.push(...validateAntiAffinity(bg.antiAffinity));
  return violations;
}

function validateAntiAffinity(antiAffinity: any): RuleViolation[] {
  if (!antiAffinity) return [];
  const preferred = antiAffinity.preferredDuringSchedulingIgnoredDuringExecution;
  const required = antiAffinity.requiredDuringSchedulingIgnoredDuringExecution;
  if ((preferred === undefined) === (required === undefined)) {
    return [{ property: 'antiAffinity', field: 'spec.strategy.antiAffinity', message: `Invalid value: ${JSON.stringify(antiAffinity)}: AntiAffinity must have exactly one strategy listed`, allowed: 'exactly one of preferred, required' }];
  }
  if (preferred && numberViolation('antiAffinity', '', preferred.weight, { min: 1, max: 100 })) {
    return [{ property: 'antiAffinity', field: 'spec.strategy.antiAffinity.preferredDuringSchedulingIgnoredDuringExecution.weight', message: `Invalid value: ${preferred.weight}: AntiAffinity weight must be between 1-100`, allowed: 'a weight from 1 to 100' }];
  }
  return [];
}

/** Evaluates an int-or-string maxSurge / maxUnavailable to "is it zero". */
function isZero(value: any, fallback: string): boolean {
  const v = value ?? fallback;
  return v === 0 || v === '0' || v === '0%';
}

function validateCanary(canary: any): RuleViolation[] {
  const violations: RuleViolation[] = [];
  const add = (property: string, field: string, message: string, allowed: string) =>
    violations.push({ property, field, message, allowed });
  const routing = canary.trafficRouting;

  for (const key of ['maxSurge', 'maxUnavailable']) {
    const v = typeof canary[key] === 'number' ? numberViolation(key, `spec.strategy.${key}`, canary[key], COUNT_RANGE) : undefined;
    if (v) violations.push(v);
  }
  // 13, 14
  if (isZero(canary.maxSurge, '25%') && isZero(canary.maxUnavailable, '25%')) {
    add('maxSurge', 'spec.strategy.maxSurge', `Invalid value: ${JSON.stringify(canary.maxSurge ?? '25%')}: MaxSurge and MaxUnavailable both can not be zero`, 'maxSurge or maxUnavailable above zero');
  }
  if (canary.canaryService && canary.stableService && canary.canaryService === canary.stableService) {
    add('canaryService', 'spec.strategy.stableService', `Invalid value: "${canary.stableService}": This rollout uses the same service for the stable and canary services, but two different services are required.`, 'two different Services');
  }

  // 15-18: ping-pong (AlbTrafficSplit and IstioTrafficSplit `pingPong`; other routers through escape hatches only).
  const pingPong = canary.pingPong;
  if (pingPong) {
    // v1.9.1's text and condition: plugins do not count (the reference's text is the later controller's).
    if (routing && !routing.alb && !routing.istio) {
      add('pingPong', 'spec.strategy.trafficRouting.alb', 'Invalid value: null: Ping-pong feature works with the ALB and Istio traffic routers only', 'AlbTrafficSplit or IstioTrafficSplit');
    }
    for (const key of ['pingService', 'pongService']) {
      if (!pingPong[key]) add('pingPong', `spec.strategy.pingPong.${key}`, 'Invalid value: "": Ping service and Pong service must to be set to use Ping-Pong feature', 'a Service name');
    }
    if ((pingPong.pingService ?? '') === (pingPong.pongService ?? '')) {
      add('pingPong', 'spec.strategy.pingPong.pingService', `Invalid value: "${pingPong.pingService ?? ''}": This rollout uses the same service for the ping and pong services, but two different services are required.`, 'two different Services');
    }
    if (routing?.alb && !routing.alb.rootService) {
      add('pingPong', 'spec.strategy.trafficRouting.alb.rootService', 'Invalid value: "": Root service field is required for the configuration with ALB and ping-pong feature enabled', 'a root Service');
    }
  }

  if (routing) {
    // 19
    const needsServices = (routing.alb && !pingPong) || (routing.istio && !routing.istio.destinationRule && !pingPong)
      || routing.smi || routing.apisix || routing.ambassador || routing.nginx || routing.appMesh || routing.traefik;
    if (needsServices) {
      for (const key of ['stableService', 'canaryService']) {
        if (!canary[key]) add(key, `spec.strategy.${key}`, 'Invalid value: "": Canary service and Stable service must to be set to use Traffic Routing', 'a Service name');
      }
    }
    // 22, 23
    if (canary.scaleDownDelaySeconds !== undefined && canary.dynamicStableScale) {
      add('dynamicStableScale', 'spec.strategy.dynamicStableScale', 'Invalid value: true: Canary dynamicStableScale cannot be used with scaleDownDelaySeconds', 'either dynamicStableScale or scaleDownDelay');
    }
    if (routing.maxTrafficWeight !== undefined && !routing.nginx && !routing.plugins) {
      add('maxTrafficWeight', 'spec.strategy.trafficRouting.maxTrafficWeight', `Invalid value: ${routing.maxTrafficWeight}: Canary maxTrafficWeight in traffic routing only supported in Nginx and Plugins`, 'an nginx or plugin traffic split');
    }
  } else {
    // 20, 21
    if (canary.scaleDownDelaySeconds !== undefined) {
      add('scaleDownDelay', 'spec.strategy.scaleDownDelaySeconds', `Invalid value: ${canary.scaleDownDelaySeconds}: Canary scaleDownDelaySeconds can only be used with traffic routing`, 'a rollout with a trafficSplit');
    }
    if (canary.dynamicStableScale) {
      add('dynamicStableScale', 'spec.strategy.dynamicStableScale', 'Invalid value: true: Canary dynamicStableScale can only be used with traffic routing', 'a rollout with a trafficSplit');
    }
  }

  violations.push(...validateAntiAffinity(canary.antiAffinity));
  const steps: any[] = canary.steps ?? [];
  steps.forEach((step, i) => violations.push(...validateStep(step, i, routing)));
  return violations;
}

const STEP_KINDS = ['setWeight', 'pause', 'experiment', 'analysis', 'setCanaryScale', 'setHeaderRoute', 'setMirrorRoute', 'plugin'];
const STEP_KIND_MESSAGE = 'Step must have one of the following set: experiment, setWeight, setCanaryScale, plugin or pause';

function validateStep(step: any, i: number, routing: any): RuleViolation[] {
  const violations: RuleViolation[] = [];
  const at = `spec.strategy.steps[${i}]`;
  const add = (field: string, message: string, allowed: string) =>
    violations.push({ property: `steps[${i}]`, field, message, allowed });

  // 24, 25
  const exclusive = ['setWeight', 'pause', 'experiment', 'analysis'].filter((k) => step[k] !== undefined);
  if (exclusive.length > 1 || !STEP_KINDS.some((k) => step[k] !== undefined)) {
    add(at, `Invalid value: ${JSON.stringify(step)}: ${STEP_KIND_MESSAGE}`, 'one step kind per step');
  }
  // 26
  const maxWeight = routing?.maxTrafficWeight ?? 100;
  if (numberViolation('', '', step.setWeight, { ...WEIGHT_RANGE, max: maxWeight })) {
    add(`${at}.setWeight`, `Invalid value: ${step.setWeight}: SetWeight needs to be between 0 and ${maxWeight}`, `0 to ${maxWeight}`);
  }
  // 27
  if (step.pause?.duration !== undefined && pauseSeconds(step.pause.duration) < 0) {
    add(`${at}.pause.duration`, `Invalid value: ${JSON.stringify(step.pause.duration)}: Duration needs to be greater than 0`, 'a duration of 0 or more');
  }
  // integer fields of setCanaryScale (NaN and fractions are no pod counts or percentages)
  for (const [key, range] of [['replicas', COUNT_RANGE], ['weight', WEIGHT_RANGE]] as const) {
    const v = numberViolation(`steps[${i}]`, `${at}.setCanaryScale.${key}`, step.setCanaryScale?.[key], range);
    if (v) violations.push(v);
  }
  // 28
  if (step.setCanaryScale !== undefined && !routing) {
    add('spec.strategy.trafficRouting', 'Required value: SetCanaryScale requires TrafficRouting to be set', 'a rollout with a trafficSplit');
  }
  // 29
  if (step.setHeaderRoute !== undefined) {
    if (!routing || !(routing.istio || routing.alb || routing.apisix || routing.plugins)) {
      add(`${at}.setHeaderRoute`, 'Invalid value: ...: SetHeaderRoute requires TrafficRouting, supports Istio and ALB and Apisix', 'an Istio, ALB, Apisix or plugin traffic split (nginx: use its header canary option)');
    } else {
      (step.setHeaderRoute.match ?? []).forEach((match: any, j: number) => {
        const field = `${at}.setHeaderRoute.match[${j}].headerValue`;
        const set = ['exact', 'regex', 'prefix'].filter((k) => match.headerValue?.[k] !== undefined);
        if (set.length === 0) {
          add(field, 'Invalid value: ...: StringMatch value missed, match value must have one of the following: exact, regex, prefix', 'one of exact, regex, prefix');
        } else if (routing.alb && !(set.length === 1 && set[0] === 'exact')) {
          add(field, "Invalid value: ...: SetHeaderRoute match value invalid. ALB supports 'exact' value only", 'exact');
        } else if (set.length > 1) {
          add(field, 'Invalid value: ...: StringMatch match value must have exactly one of the following: exact, regex, prefix', 'exactly one of exact, regex, prefix');
        }
      });
    }
  }
  // 30: the v1.9.1 controller accepts mirror routes with Istio only (plugins included in the docs, not the code)
  if (step.setMirrorRoute !== undefined) {
    if (!routing || !routing.istio) {
      add(`${at}.setMirrorRoute`, 'Invalid value: ...: SetMirrorRoute requires TrafficRouting, supports Istio only', 'an Istio traffic split');
    } else {
      (step.setMirrorRoute.match ?? []).forEach((match: any, j: number) => {
        for (const key of ['method', 'path']) {
          if (match[key] === undefined) continue;
          const set = ['exact', 'regex', 'prefix'].filter((k) => match[key][k] !== undefined);
          if (set.length !== 1) {
            add(`${at}.setMirrorRoute.match[${j}].${key}`, set.length === 0
              ? 'Invalid value: ...: StringMatch value missed, match value must have one of the following: exact, regex, prefix'
              : 'Invalid value: ...: StringMatch match value must have exactly one of the following: exact, regex, prefix', 'exactly one of exact, regex, prefix');
          }
        }
      });
    }
  }
  // 31, 32
  const route = step.setHeaderRoute ?? step.setMirrorRoute;
  if (route !== undefined && routing) {
    const managed: any[] | undefined = routing.managedRoutes;
    if (managed === undefined) {
      add('spec.strategy.trafficRouting.managedRoutes', "Required value: Rollout has missing field 'spec.strategy.canary.trafficRouting.managedRoutes'", 'managedRoutes listing every header and mirror route');
    } else if (!managed.some((r) => r.name === route.name)) {
      add(`${at}`, `Invalid value: "${route.name}": Steps define a route that does not exist in spec.strategy.canary.trafficRouting.managedRoutes`, `one of ${JSON.stringify(managed.map((r) => r.name))}`);
    }
  }
  // 33
  for (const [j, template] of (step.experiment?.templates ?? []).entries()) {
    if (template.weight === undefined) continue;
    if (!routing) {
      add(`${at}.experiment.templates[${j}].weight`, `Invalid value: ${template.weight}: Experiment template weight cannot be set unless TrafficRouting is enabled`, 'a rollout with a trafficSplit');
    } else if (!(routing.smi || routing.alb || routing.istio || routing.plugins)) {
      add(`${at}.experiment.templates[${j}].weight`, `Invalid value: ${template.weight}: Experiment template weight is only available for TrafficRouting with SMI, ALB, Istio and Plugins at this time`, 'an SMI, ALB, Istio or plugin traffic split');
    }
  }
  // 34
  for (const arg of [...(step.analysis?.args ?? []), ...((step.experiment?.analyses ?? []).flatMap((a: any) => a.args ?? []))]) {
    const path: string | undefined = arg.valueFrom?.fieldRef?.fieldPath;
    if (path !== undefined && path.startsWith('metadata') && !isDownwardApiPath(path)) {
      add(`${at}.analyses`, `Invalid value: "${path}": Analyses arguments must refer to valid object metadata supported by downwardAPI`, "metadata.name, metadata.namespace, metadata.uid, metadata.labels['key'] or metadata.annotations['key']");
    }
  }
  return violations;
}

/** The fieldRef paths the controller can extract from Rollout metadata (downward-API style). */
function isDownwardApiPath(path: string): boolean {
  return /^metadata\.(name|namespace|uid)$/.test(path) || /^metadata\.(labels|annotations)\['[^']+'\]$/.test(path);
}

/**
 * Seconds of a pause duration as the controller parses it: an integer, an integer string, or a Go
 * duration; anything else is -1.
 */
export function pauseSeconds(duration: number | string): number {
  if (typeof duration === 'number') return duration;
  if (/^-?\d+$/.test(duration)) return parseInt(duration, 10);
  const match = /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m(?!s))?(?:(\d+(?:\.\d+)?)s)?(?:(\d+(?:\.\d+)?)ms)?$/.exec(duration);
  if (!match || duration === '') return -1;
  const [, h, m, s, ms] = match.map((x) => (x === undefined ? 0 : parseFloat(x)));
  return h * 3600 + m * 60 + s + ms / 1000;
}
