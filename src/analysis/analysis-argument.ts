/**
 * Which ReplicaSet's pod-template hash an analysis argument carries.
 */
export enum PodTemplateHash {
  /** The newest (canary / preview) ReplicaSet. */
  LATEST = 'Latest',
  /** The stable (active) ReplicaSet. */
  STABLE = 'Stable',
}

/**
 * A value a rollout passes to an analysis template argument (`args[]` of a rollout analysis).
 */
export class AnalysisArgument {
  /** A literal value. */
  public static value(name: string, value: string): AnalysisArgument {
    return new AnalysisArgument(name, { value });
  }

  /** The pod-template hash of the canary (`Latest`) or stable ReplicaSet, filled in by the controller. */
  public static podTemplateHash(name: string, which: PodTemplateHash): AnalysisArgument {
    return new AnalysisArgument(name, { valueFrom: { podTemplateHashValue: which } });
  }

  /**
   * A field of the Rollout object: downward-API style metadata (`metadata.labels['env']`) or any
   * primitive path such as `spec.template.metadata.labels.version`.
   */
  public static fieldRef(name: string, fieldPath: string): AnalysisArgument {
    return new AnalysisArgument(name, { valueFrom: { fieldRef: { fieldPath } } });
  }

  private constructor(public readonly name: string, private readonly source: { value?: string; valueFrom?: any }) {}

  /** A stable string for comparing two arguments of the same name. */
  public get description(): string {
    return this.source.value ?? JSON.stringify(this.source.valueFrom);
  }

  /** The `args[]` entry of a rollout analysis. */
  public toJson(): any {
    return { name: this.name, ...this.source };
  }
}
