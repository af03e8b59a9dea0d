export { Preflight, PreflightOutcome, PreflightReport } from './preflight';
export type { PreflightOptions, PreflightResult } from './preflight';
