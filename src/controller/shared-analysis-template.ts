import { Construct } from 'constructs';
import { AnalysisTemplateBase } from '../analysis/analysis-template-base';
import { throwViolation } from '../validation/rule-violation';

/** Properties of a `SharedAnalysisTemplate`. */
export interface SharedAnalysisTemplateProps {
  /** `metadata.name`: the name rollouts reference. */
  readonly name: string;
  /**
   * The ClusterAnalysisTemplate `spec` as JSON (`args`, `metrics`, `dryRun`...), e.g. ported from
   * an existing chart.
   */
  readonly spec: any;
  /**
   * Labels of the template.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
}

/**
 * A ClusterAnalysisTemplate given as raw JSON, shared by the rollouts of every namespace (seed
 * 001's "analysis templates for common metrics", ported from an existing chart; prefer
 * `PrometheusAnalysis` with `clusterScope`). Its required arguments, metric names and run-forever
 * metrics are read from the final spec (JSON patches included), and its metrics get the same
 * checks as every template's: placeholders resolve to declared arguments, queries parse,
 * conditions are in the supported subset.
 */
export class SharedAnalysisTemplate extends AnalysisTemplateBase {
  private readonly spec: any;

  constructor(scope: Construct, id: string, props: SharedAnalysisTemplateProps) {
    super(scope, id, { metadata: { name: props.name, labels: props.labels }, clusterScope: true, externalArgs: true });
    if (!Array.isArray(props.spec?.metrics) || props.spec.metrics.length === 0) {
      throwViolation(this, { property: 'spec', field: 'spec.metrics', message: 'Required value: at least one metric', allowed: 'a spec with metrics' });
    }
    this.spec = props.spec;
  }

  protected renderSpec(): any {
    return this.spec;
  }
}
