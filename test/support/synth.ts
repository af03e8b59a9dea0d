import { App, Chart, Testing } from 'cdk8s';
import { SchemaValidator } from './schema';

export const schemas = new SchemaValidator();

/** A chart in a test app, with a namespace like the seeds'. */
export function testChart(namespace = 'test'): Chart {
  return new Chart(Testing.app(), 'test', { namespace });
}

/** Synthesises a chart (validation included) and returns its objects. */
export function synth(chart: Chart): any[] {
  return Testing.synth(chart);
}

/** The first object of a kind (and name, if given). */
export function find(objects: any[], kind: string, name?: string): any {
  const found = objects.find((o) => o.kind === kind && (name === undefined || o.metadata?.name === name));
  if (!found) throw new Error(`no ${kind}${name ? ` named ${name}` : ''} in ${objects.map((o) => `${o.kind}/${o.metadata?.name}`).join(', ')}`);
  return found;
}

/** Synth-time validation errors of an app, as cdk8s reports them (one string per error). */
export function validationErrors(app: App): string[] {
  try {
    app.synth();
    return [];
  } catch (e: any) {
    const lines = String(e.message).split('\n').slice(1).map((l) => l.trim());
    return lines.length > 0 ? lines : [e.message];
  }
}

/** Runs a construction that must throw, and returns the error message. */
export function constructionError(fn: () => void): string {
  try {
    fn();
  } catch (e: any) {
    return e.message;
  }
  throw new Error('expected an error, got none');
}
