import { Chart } from 'cdk8s';
import { escapeRegex, escapeString } from './promql';
import type { IRollout } from '../rollout/rollout-base';

/** Which ReplicaSet of a rollout a query selects. */
export enum TrafficRole {
  /** The new version: canary (canary strategy) or preview (blue-green). */
  CANARY = 'canary',
  /** The version with the production traffic: stable or active. */
  STABLE = 'stable',
}

/** Literal label values of one rollout, for queries outside an AnalysisTemplate (dashboards, alerts). */
export interface QueryTargetValues {
  /** Namespace of the rollout. */
  readonly namespace: string;
  /** `metadata.name` of the rollout. */
  readonly rolloutName: string;
  /** Name of the canary (preview) Service. */
  readonly canaryService: string;
  /** Name of the stable (active) Service. */
  readonly stableService: string;
  /**
   * ingress-nginx: name of the stable Ingress.
   * @default - no nginx queries
   */
  readonly ingressName?: string;
  /**
   * Pod-template hash of the canary ReplicaSet, as a regular-expression fragment (written unescaped,
   * so a Grafana variable such as `$canary_hash` works).
   * @default '[a-z0-9]+' for pod checks: any ReplicaSet of the rollout
   */
  readonly canaryHash?: string;
  /**
   * Pod-template hash of the stable ReplicaSet, as a regular-expression fragment.
   * @default '[a-z0-9]+' for pod checks: any ReplicaSet of the rollout
   */
  readonly stableHash?: string;
}

/** The analysis argument each target value is passed in. */
export const TARGET_ARGS = {
  namespace: 'namespace',
  rolloutName: 'rollout-name',
  canaryService: 'canary-service',
  stableService: 'stable-service',
  ingressName: 'stable-ingress',
  canaryHash: 'canary-hash',
  stableHash: 'stable-hash',
} as const;

/** A value a query can select on. */
type TargetKey = keyof typeof TARGET_ARGS;

/**
 * Where the label values of a query come from: `{{args.x}}` placeholders the controller fills in
 * (AnalysisTemplates), or literal values (dashboards, alert rules).
 */
export class QueryTarget {
  /** `{{args.namespace}}`, `{{args.canary-hash}}`... filled in by the controller from the rollout's analysis args. */
  public static analysisArgs(): QueryTarget {
    return new QueryTarget(undefined);
  }

  /** Literal values (escaped where they go into PromQL). */
  public static of(values: QueryTargetValues): QueryTarget {
    return new QueryTarget(values);
  }

  /** The literal values of a rollout (its namespace, name and Services; ingress from its traffic split). */
  public static forRollout(rollout: IRollout): QueryTarget {
    return new QueryTarget({
      namespace: rollout.metadata.namespace ?? Chart.of(rollout).namespace ?? 'default',
      rolloutName: rollout.name,
      canaryService: rollout.canaryService.name,
      stableService: rollout.stableService.name,
      ingressName: rollout.routerMetrics?.ingressName,
    });
  }

  private constructor(private readonly values: QueryTargetValues | undefined) {}

  /** Whether values are `{{args.x}}` placeholders. */
  public get isAnalysisArgs(): boolean {
    return this.values === undefined;
  }

  /**
   * A value for the inside of a PromQL string used with `=`.
   * @internal
   */
  public _exact(key: TargetKey): string {
    if (!this.values) return `{{args.${TARGET_ARGS[key]}}}`;
    return escapeString(this.literal(key));
  }

  /**
   * A value for the inside of a PromQL string used with `=~` (literal names are regex-escaped; hashes are
   * regular-expression fragments).
   * @internal
   */
  public _regex(key: TargetKey): string {
    if (!this.values) return `{{args.${TARGET_ARGS[key]}}}`;
    if (key === 'canaryHash' || key === 'stableHash') return escapeString(this.values[key] ?? '[a-z0-9]+');
    return escapeString(escapeRegex(this.literal(key)));
  }

  private literal(key: TargetKey): string {
    const value = this.values![key];
    if (value === undefined) throw new Error(`QueryTarget: ${key}: not given, and the query needs it (allowed: QueryTarget.of({ ..., ${key} }))`);
    return value;
  }
}
