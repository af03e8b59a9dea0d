import { planAnalysis, TemplateIndex, unknownAnalysisNote } from './analysis-checks';
import { formatSeconds, plural } from './plan-format';
import { PlanStepDraft, sequence, StrategyPlan } from './strategy-plan';

/** The controller's default `scaleDownDelaySeconds`. */
const DEFAULT_SCALE_DOWN_DELAY_SECONDS = 30;

/**
 * The plan of `spec.strategy.blueGreen` (spec.md §3): the new version comes up behind the preview
 * Service; pre-promotion analysis and the promotion gate (a person, or `autoPromotionSeconds`)
 * run at the same time; then the active Service switches, post-promotion analysis runs, and the old
 * version is scaled down after `scaleDownDelaySeconds`.
 */
export function blueGreenPlan(rollout: any, index: TemplateIndex): StrategyPlan {
  const bg = rollout.spec.strategy.blueGreen;
  const namespace: string | undefined = rollout.metadata?.namespace;
  const pre = bg.prePromotionAnalysis && planAnalysis(bg.prePromotionAnalysis, index, namespace);
  const post = bg.postPromotionAnalysis && planAnalysis(bg.postPromotionAnalysis, index, namespace);
  const manual = bg.autoPromotionEnabled === false;
  const delay: number = manual ? 0 : (bg.autoPromotionSeconds ?? 0);
  const routes = { backgroundAnalysis: false, headerRoutes: [], mirrorRoutes: [] };

  const preview = bg.previewService ? ` behind preview Service ${bg.previewService}` : ' (no preview Service: not reachable before promotion)';
  const drafts: PlanStepDraft[] = [
    {
      ...routes,
      specSteps: [],
      actions: [
        `scale up the new version${bg.previewReplicaCount !== undefined ? ` to ${plural(bg.previewReplicaCount, 'pod')}` : ''}${preview}`,
        ...(pre ? [`pre-promotion analysis ${pre.templates.join(', ')}`] : []),
        manual ? 'wait until promoted' : delay > 0 ? `promote automatically after ${formatSeconds(delay)}` : 'promote as soon as ready',
      ],
      weight: 0,
      pauseSeconds: delay || undefined,
      manualPromotion: manual,
      analysis: pre,
      notes: pre && pre.minimumSeconds === undefined ? [unknownAnalysisNote(pre)] : [],
      minimumSeconds: pre && pre.minimumSeconds === undefined ? undefined : Math.max(pre?.minimumSeconds ?? 0, delay),
    },
    {
      ...routes,
      specSteps: [],
      actions: [`switch active Service ${bg.activeService} to the new version`,
        ...(post ? [`post-promotion analysis ${post.templates.join(', ')} (a failure switches back)`] : [])],
      weight: 100,
      manualPromotion: false,
      analysis: post,
      notes: post && post.minimumSeconds === undefined ? [unknownAnalysisNote(post)] : [],
      minimumSeconds: post ? post.minimumSeconds : 0,
    },
    {
      ...routes,
      specSteps: [],
      actions: [`full promotion: the old version is scaled down after ${formatSeconds(bg.scaleDownDelaySeconds ?? DEFAULT_SCALE_DOWN_DELAY_SECONDS)}`],
      weight: 100,
      manualPromotion: false,
      notes: [],
      minimumSeconds: 0,
    },
  ];
  return {
    steps: sequence(drafts),
    notes: ['the new version gets no production traffic until the active Service switches; then it gets all of it'],
  };
}
