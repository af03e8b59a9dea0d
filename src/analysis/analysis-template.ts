import { AnalysisArgument } from './analysis-argument';
import type { IRollout } from '../rollout/rollout-base';

/**
 * An AnalysisTemplate or ClusterAnalysisTemplate a rollout can run, as background analysis, as an
 * analysis step, or as blue-green pre/post-promotion analysis.
 *
 * `PrometheusAnalysis` and `WebAnalysis` implement it; `AnalysisTemplateRef` refers to a template
 * that exists in the cluster already.
 */
export interface IAnalysisTemplate {
  /** `metadata.name` of the template. */
  readonly templateName: string;
  /** Whether it is a ClusterAnalysisTemplate. */
  readonly clusterScope: boolean;
  /** Arguments the template declares without a value: whoever runs it must supply them. */
  readonly requiredArgs: string[];
  /** Names of the template's metrics (unique across the templates of one analysis). */
  readonly metricNames: string[];
  /**
   * Metrics that measure forever (an interval and no count): allowed in background analysis only.
   */
  readonly indefiniteMetrics: string[];

  /**
   * The argument values this template takes from the rollout that runs it (service names,
   * pod-template hashes...), so the user never types them.
   */
  argumentsFor(rollout: IRollout): AnalysisArgument[];
}

/** Options of `AnalysisTemplateRef.fromName`. */
export interface AnalysisTemplateRefOptions {
  /**
   * The template is a ClusterAnalysisTemplate.
   * @default false
   */
  readonly clusterScope?: boolean;
  /**
   * Arguments it declares without a default value; the rollout must pass each.
   * @default - none
   */
  readonly requiredArgs?: string[];
  /**
   * Names of its metrics, if known (used to detect duplicate metric names across templates).
   * @default - unknown
   */
  readonly metricNames?: string[];
}

/**
 * A template that is not created by this app (e.g. a ClusterAnalysisTemplate shared by a platform
 * team), referred to by name.
 */
export class AnalysisTemplateRef implements IAnalysisTemplate {
  /** Refers to an existing template by name. */
  public static fromName(templateName: string, options: AnalysisTemplateRefOptions = {}): IAnalysisTemplate {
    return new AnalysisTemplateRef(templateName, options);
  }

  public readonly clusterScope: boolean;
  public readonly requiredArgs: string[];
  public readonly metricNames: string[];
  public readonly indefiniteMetrics: string[] = [];

  private constructor(public readonly templateName: string, options: AnalysisTemplateRefOptions) {
    this.clusterScope = options.clusterScope ?? false;
    this.requiredArgs = options.requiredArgs ?? [];
    this.metricNames = options.metricNames ?? [];
  }

  public argumentsFor(_rollout: IRollout): AnalysisArgument[] {
    return [];
  }
}
