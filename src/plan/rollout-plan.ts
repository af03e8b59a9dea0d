import { ApiObject, Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { isArgoObject, TemplateIndex } from './analysis-checks';
import { blueGreenPlan } from './blue-green-plan';
import { canaryPlan } from './canary-plan';
import { PlanError } from './plan-error';
import { PlanBackgroundAnalysis, PlanStep } from './plan-step';
import { renderSvg } from './plan-svg';
import { renderMarkdown, renderText } from './plan-table';
import type { IRollout } from '../rollout/rollout-base';

/** How a rollout releases a new version. */
export enum PlanStrategy {
  /** Traffic moves to the new version step by step. */
  CANARY = 'canary',
  /** The new version runs beside the old one and takes all traffic at once. */
  BLUE_GREEN = 'blueGreen',
}

/** Options of `RolloutPlan.fromManifest`. */
export interface RolloutPlanOptions {
  /**
   * AnalysisTemplates and ClusterAnalysisTemplates (plain JSON), to describe the checks and
   * compute the duration of the analyses that use them. Other objects are ignored.
   * @default - none: analyses are listed by template name, with unknown duration
   */
  readonly templates?: any[];
}

/**
 * What an update of a Rollout goes through, read from the Rollout object: the steps with their
 * traffic weight, pauses, analyses and routes, the minimum time to reach each, the fastest time to
 * full promotion and the points where a person must promote.
 *
 * Times assume every analysis passes, every timed pause is waited out, pods are ready at once and
 * every manual promotion happens immediately.
 */
export class RolloutPlan {
  /** The plan of a Rollout object (JSON, from this library or hand-written YAML). */
  public static fromManifest(rollout: any, options: RolloutPlanOptions = {}): RolloutPlan {
    return RolloutPlan._fromManifest(rollout, new TemplateIndex(options.templates ?? []));
  }

  /**
   * The plan of a Rollout object, with templates already indexed (to plan many rollouts at once).
   * @internal
   */
  public static _fromManifest(rollout: any, index: TemplateIndex): RolloutPlan {
    return new RolloutPlan(rollout, index);
  }

  /**
   * The plan of a rollout construct, as it would be synthesised; analyses use the templates
   * defined anywhere in the same app.
   */
  public static fromRollout(rollout: IRollout): RolloutPlan {
    const templates = rollout.node.root.node.findAll()
      .filter((c: IConstruct): c is ApiObject => c instanceof ApiObject && isArgoObject(c))
      .map((o) => o.toJson());
    return RolloutPlan.fromManifest(ApiObject.of(rollout).toJson(), { templates });
  }

  /** `metadata.name` of the Rollout. */
  public readonly name: string;
  /** `metadata.namespace` of the Rollout. */
  public readonly namespace?: string;
  /** Canary or blue-green. */
  public readonly strategy: PlanStrategy;
  /** The traffic routers (`nginx`, `istio`, `plugin argoproj-labs/gatewayAPI`), for a canary with traffic routing. */
  public readonly trafficRouting?: string;
  /** The rows of the plan, the last one being full promotion. */
  public readonly steps: PlanStep[];
  /** The canary's background analysis. */
  public readonly backgroundAnalysis?: PlanBackgroundAnalysis;
  /** Facts that qualify the plan (initial deploy, replica-approximated weights...). */
  public readonly notes: string[];
  /** The fastest time from the start of an update to full promotion, in seconds. */
  public readonly minimumDurationSeconds: number;
  /** False when an analysis, experiment or plugin step has no known duration (the minimum is then a lower bound of the known parts). */
  public readonly durationKnown: boolean;
  /** Positions of the steps a person must promote. */
  public readonly manualPromotions: number[];

  private constructor(rollout: any, index: TemplateIndex) {
    if (!isArgoObject(rollout) || rollout.kind !== 'Rollout') {
      const what = typeof rollout === 'object' && rollout !== null ? `${rollout.apiVersion ?? '(no apiVersion)'} ${rollout.kind ?? '(no kind)'}` : JSON.stringify(rollout);
      throw new PlanError(`not a Rollout: expected apiVersion argoproj.io/v1alpha1, kind Rollout; got ${what}`, []);
    }
    this.name = String(rollout.metadata?.name ?? '');
    this.namespace = rollout.metadata?.namespace;
    const label = `Rollout "${this.name}"`;
    const strategy = rollout.spec?.strategy ?? {};
    if ((strategy.canary === undefined) === (strategy.blueGreen === undefined)) {
      throw new PlanError(`${label}: spec.strategy: Required value: exactly one of canary or blueGreen (allowed: a canary or a blueGreen strategy)`, ['spec', 'strategy']);
    }
    this.strategy = strategy.canary ? PlanStrategy.CANARY : PlanStrategy.BLUE_GREEN;
    const plan = strategy.canary ? canaryPlan(rollout, label, index) : blueGreenPlan(rollout, index);
    this.steps = plan.steps;
    this.trafficRouting = plan.trafficRouting;
    this.backgroundAnalysis = plan.backgroundAnalysis;
    this.notes = plan.notes;
    this.minimumDurationSeconds = this.steps.reduce((sum, s) => sum + (s.minimumSeconds ?? 0), 0);
    this.durationKnown = this.steps.every((s) => s.minimumSeconds !== undefined);
    this.manualPromotions = this.steps.filter((s) => s.manualPromotion).map((s) => s.position);
  }

  /** The fastest time from the start of an update to full promotion. */
  public get minimumDuration(): Duration {
    return Duration.seconds(this.minimumDurationSeconds);
  }

  /** The plan as aligned plain-text tables. */
  public toText(): string {
    return renderText([this]);
  }

  /** The plan as a Markdown section with a table, for READMEs and pull requests. */
  public toMarkdown(): string {
    return renderMarkdown([this]);
  }

  /** The plan as an SVG timeline: weight over time, pauses, analysis windows, promotion gates. */
  public toSvg(): string {
    return renderSvg([this]);
  }

  /** The plan as plain JSON. */
  public toJson(): any {
    return {
      name: this.name,
      namespace: this.namespace,
      strategy: this.strategy,
      trafficRouting: this.trafficRouting,
      minimumDurationSeconds: this.minimumDurationSeconds,
      durationKnown: this.durationKnown,
      manualPromotions: this.manualPromotions,
      steps: this.steps,
      backgroundAnalysis: this.backgroundAnalysis,
      notes: this.notes,
    };
  }
}
