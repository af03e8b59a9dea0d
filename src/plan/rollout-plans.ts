import { isArgoObject, TemplateIndex } from './analysis-checks';
import { renderSvg } from './plan-svg';
import { renderMarkdown, renderText } from './plan-table';
import { RolloutPlan } from './rollout-plan';

/** The plans of every Rollout in a set of manifests (e.g. everything `cdk8s synth` wrote). */
export class RolloutPlans {
  /**
   * Plans every Rollout among `objects`, describing analyses with the AnalysisTemplates and
   * ClusterAnalysisTemplates among them; other objects are ignored.
   */
  public static fromManifests(objects: any[]): RolloutPlans {
    const index = new TemplateIndex(objects);
    const rollouts = objects.filter((o) => isArgoObject(o) && o.kind === 'Rollout');
    return new RolloutPlans(rollouts.map((r) => RolloutPlan._fromManifest(r, index)));
  }

  /** Groups plans to render them together. */
  public static of(plans: RolloutPlan[]): RolloutPlans {
    return new RolloutPlans([...plans]);
  }

  private constructor(
    /** The plans, in input order. */
    public readonly plans: RolloutPlan[],
  ) {}

  /** Every plan as aligned plain-text tables. */
  public toText(): string {
    return renderText(this.plans);
  }

  /** Every plan as a Markdown section. */
  public toMarkdown(): string {
    return renderMarkdown(this.plans);
  }

  /** Every plan as one SVG, one timeline under the other. */
  public toSvg(): string {
    return renderSvg(this.plans);
  }

  /** Every plan as plain JSON. */
  public toJson(): any {
    return this.plans.map((p) => p.toJson());
  }
}
