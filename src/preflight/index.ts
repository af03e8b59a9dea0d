export { Preflight, PreflightOptions, PreflightOutcome, PreflightReport, PreflightResult } from './preflight';
