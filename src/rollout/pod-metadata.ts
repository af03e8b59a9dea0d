import { ApiObjectMetadataDefinition } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
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

/**
 * A workload's pod template metadata without cdk8s-plus's `cdk8s.io/metadata.addr` label: that
 * label is derived from the construct path, so moving or renaming the construct would change the
 * pod template and start a full progressive release with nothing changed in the service.
 */
export function podTemplateMetadata(podMetadata: ApiObjectMetadataDefinition): any {
  const json = podMetadata.toJson();
  if (json.labels?.[kplus.Pod.ADDRESS_LABEL] === undefined) return json;
  const { [kplus.Pod.ADDRESS_LABEL]: _address, ...labels } = json.labels;
  return { ...json, labels: Object.keys(labels).length ? labels : undefined };
}

/** How other pods select a workload's pods (affinity, network policies): by its selector labels, which its pods carry. */
export function selectorLabelsPodSelectorConfig(workload: kplus.Workload, selectorLabels: { [key: string]: string }): kplus.PodSelectorConfig {
  return {
    labelSelector: kplus.LabelSelector.of({ labels: selectorLabels }),
    namespaces: workload.metadata.namespace ? { names: [workload.metadata.namespace] } : undefined,
  };
}
