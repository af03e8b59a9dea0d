import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { RuleViolation } from '../validation/rule-violation';

/** Memory of an idle controller (seed 004: "about 50 MB plus 2 MB per rollout"). */
const BASE_MEMORY_MIB = 50;
/** Memory per Rollout the controller watches. */
const MEMORY_PER_ROLLOUT_MIB = 2;
/** CPU per Rollout: seed 004 requests 500m for 1000 rollouts. */
const CPU_MILLIS_PER_ROLLOUT = 0.5;
/** CPU request floor, so a small install still starts and reconciles promptly. */
const MIN_CPU_MILLIS = 100;
/** Limits are twice the requests, as in seed 004 (2Gi/4Gi, 500m/1000m), to absorb resync bursts. */
const LIMIT_FACTOR = 2;

/**
 * Requests and limits of the controller container.
 */
export class ControllerSizing {
  /**
   * Derived from the number of Rollouts the controller will manage (seed 004's rule):
   * memory request 50Mi + 2Mi per rollout, CPU request 0.5m per rollout (at least 100m),
   * limits twice the requests. 1000 rollouts: 2050Mi / 4100Mi, 500m / 1000m.
   */
  public static forRollouts(expectedRollouts: number): ControllerSizing {
    const cpu = Math.max(MIN_CPU_MILLIS, Math.ceil(expectedRollouts * CPU_MILLIS_PER_ROLLOUT));
    const memory = BASE_MEMORY_MIB + MEMORY_PER_ROLLOUT_MIB * expectedRollouts;
    return new ControllerSizing({
      cpu: { request: kplus.Cpu.millis(cpu), limit: kplus.Cpu.millis(cpu * LIMIT_FACTOR) },
      memory: { request: Size.mebibytes(memory), limit: Size.mebibytes(memory * LIMIT_FACTOR) },
    }, expectedRollouts);
  }

  /** Explicit requests and limits. */
  public static of(resources: kplus.ContainerResources): ControllerSizing {
    return new ControllerSizing(resources);
  }

  private constructor(
    /** The container resources. */
    public readonly resources: kplus.ContainerResources,
    /** The number of Rollouts it was derived from, if any. */
    public readonly expectedRollouts?: number,
  ) {}

  /**
   * The container's `resources`, over the release's (which limits ephemeral storage only).
   * @internal
   */
  public _render(release: any = {}): { json: any; violations: RuleViolation[] } {
    const violations: RuleViolation[] = [];
    const field = 'spec.template.spec.containers[0].resources';
    if (this.expectedRollouts !== undefined && !(Number.isInteger(this.expectedRollouts) && this.expectedRollouts >= 0)) {
      violations.push({ property: 'sizing', field, message: `Invalid value: ${this.expectedRollouts}: expected rollouts must be a whole number`, allowed: 'an integer of 0 or more' });
    }
    const r = this.resources;
    const requests: Record<string, string> = { ...release.requests };
    const limits: Record<string, string> = { ...release.limits };
    const set = (target: Record<string, string>, key: string, value?: string) => { if (value !== undefined) target[key] = value; };
    set(requests, 'cpu', r.cpu?.request?.amount);
    set(limits, 'cpu', r.cpu?.limit?.amount);
    set(requests, 'memory', mebibytes(r.memory?.request));
    set(limits, 'memory', mebibytes(r.memory?.limit));
    set(requests, 'ephemeral-storage', mebibytes(r.ephemeralStorage?.request));
    set(limits, 'ephemeral-storage', mebibytes(r.ephemeralStorage?.limit));
    for (const [resource, request, limit] of [
      ['cpu', millicores(requests.cpu), millicores(limits.cpu)],
      ['memory', r.memory?.request?.toMebibytes(), r.memory?.limit?.toMebibytes()],
    ] as const) {
      if (request !== undefined && limit !== undefined && request > limit) {
        violations.push({ property: 'sizing', field: `${field}.requests`, message: `Invalid value: "${requests[resource]}": must be less than or equal to ${resource} limit of ${limits[resource]}`, allowed: `a ${resource} request no larger than its limit` });
      }
    }
    return { json: { requests: sorted(requests), limits: sorted(limits) }, violations };
  }
}

function mebibytes(size?: Size): string | undefined {
  return size && `${size.toMebibytes()}Mi`;
}

/** Millicores of a Kubernetes CPU quantity (`500m`, `1`, `1.5`). */
function millicores(quantity?: string): number | undefined {
  if (quantity === undefined) return undefined;
  return quantity.endsWith('m') ? parseFloat(quantity) : parseFloat(quantity) * 1000;
}

function sorted(values: Record<string, string>): Record<string, string> | undefined {
  const keys = Object.keys(values).sort();
  return keys.length === 0 ? undefined : Object.fromEntries(keys.map((k) => [k, values[k]]));
}
