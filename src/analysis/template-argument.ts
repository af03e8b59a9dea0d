import * as kplus from 'cdk8s-plus-27';

/**
 * An argument an analysis template declares itself (`spec.args[]`): with a default value the
 * caller may override, from a Secret key (for any field: a URL, a Job argument, a query), or from
 * a field of the Rollout or Experiment that runs it. Its metrics use it as `{{args.<name>}}`.
 */
export class TemplateArgument {
  /** A required argument: whoever runs the template must pass it. */
  public static required(name: string): TemplateArgument {
    return new TemplateArgument(name, {});
  }

  /** An argument with a default value (the caller's value, if any, wins). */
  public static withDefault(name: string, value: string): TemplateArgument {
    return new TemplateArgument(name, { value });
  }

  /** The value of a key of a Secret in the AnalysisRun's namespace; never written in a manifest. */
  public static fromSecret(name: string, secret: kplus.SecretValue): TemplateArgument {
    return new TemplateArgument(name, { valueFrom: { secretKeyRef: { name: secret.secret.name, key: secret.key } } });
  }

  /**
   * A field of the object that runs the template, e.g. `metadata.labels['team']` or
   * `spec.template.metadata.labels.version`.
   */
  public static fromField(name: string, fieldPath: string): TemplateArgument {
    return new TemplateArgument(name, { valueFrom: { fieldRef: { fieldPath } } });
  }

  private constructor(
    /** The argument name. */
    public readonly name: string,
    private readonly source: { value?: string; valueFrom?: any },
  ) {}

  /** Whether the caller must pass it (no default, no valueFrom). */
  public get isRequired(): boolean {
    return this.source.value === undefined && this.source.valueFrom === undefined;
  }

  /** The `spec.args[]` entry. */
  public toJson(): any {
    return { name: this.name, ...this.source };
  }
}
