import { RuleViolation } from '../validation/rule-violation';

/** Labels and annotations the controller adds to one version's pods only (ephemeral metadata). */
export interface EphemeralMetadata {
  /** @default - none */
  readonly labels?: { [key: string]: string };
  /** @default - none */
  readonly annotations?: { [key: string]: string };
}

/** Spreads the new version's pods away from the old version's nodes. */
export class AntiAffinity {
  /** Prefer nodes without old-version pods, with a scheduling weight from 1 to 100. */
  public static preferred(weight: number): AntiAffinity {
    return new AntiAffinity({ preferredDuringSchedulingIgnoredDuringExecution: { weight } });
  }
  /** Never schedule on nodes with old-version pods (may leave pods pending on small clusters). */
  public static required(): AntiAffinity {
    return new AntiAffinity({ requiredDuringSchedulingIgnoredDuringExecution: {} });
  }
  private constructor(private readonly json: any) {}
  /** The `antiAffinity` object of the strategy. */
  public toJson(): any {
    return { ...this.json };
  }
}

/** Renders ephemeral metadata, omitting it when empty. */
export function renderEphemeralMetadata(metadata?: EphemeralMetadata): any {
  if (!metadata || (!metadata.labels && !metadata.annotations)) return undefined;
  return { labels: metadata.labels, annotations: metadata.annotations };
}

/** Ephemeral labels must not collide with the selector: they would make Services select one version only. */
export function validateEphemeralMetadata(
  property: string, field: string, metadata: EphemeralMetadata | undefined, selectorLabels: { [key: string]: string }): RuleViolation[] {
  return Object.keys(metadata?.labels ?? {}).filter((key) => key in selectorLabels).map((key) => ({
    property,
    field: `${field}.labels`,
    message: `ephemeral label "${key}" is also a selector label: Services and the Rollout selector would match one version only`,
    allowed: `labels other than ${Object.keys(selectorLabels).join(', ')}`,
  }));
}
