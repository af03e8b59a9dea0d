import { PlanBackgroundAnalysis, PlanStep } from './plan-step';

/** What a strategy contributes to a plan. */
export interface StrategyPlan {
  readonly steps: PlanStep[];
  readonly trafficRouting?: string;
  readonly backgroundAnalysis?: PlanBackgroundAnalysis;
  readonly notes: string[];
}

/** A row before it is numbered and placed in time. */
export type PlanStepDraft = Omit<PlanStep, 'position' | 'startSeconds'>;

/** Numbers the rows and gives each the minimum time at which it starts. */
export function sequence(drafts: PlanStepDraft[]): PlanStep[] {
  let start = 0;
  return drafts.map((draft, i) => {
    const step = { ...draft, position: i + 1, startSeconds: start };
    start += draft.minimumSeconds ?? 0;
    return step;
  });
}
