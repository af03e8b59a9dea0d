/**
 * Input a plan cannot be made from; `path` locates the offending value in the object (the CLI
 * turns it into a file line).
 */
export class PlanError extends Error {
  constructor(message: string, public readonly path: (string | number)[] = []) {
    super(message);
    this.name = 'PlanError';
  }
}
