import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { schemas } from './support/synth';
import { buildApp as aragora } from '../examples/seed-000-aragora/main';
import { buildApp as blog } from '../examples/seed-003-blog-platform/main';

/** Synthesises the example (every synth-time validation runs) into a temporary directory; returns its objects. */
function objects(build: (outdir: string) => any): any[] {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'observability-example-'));
  try {
    const app = build(outdir);
    app.synth();
    return app.charts.flatMap((c: any) => c.toJson());
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

describe.each([['seed 000', aragora, ['aragora']], ['seed 003', blog, ['staging', 'production']]])('%s', (_, build, namespaces) => {
  const all = objects(build as any);

  // RolloutAlerts joins the examples once test/support/schema.ts compiles the PrometheusRule schema.
  test('emits dashboard, notifications, ServiceMonitor and an Application, all schema-valid', () => {
    for (const o of all) expect(schemas.errors(o)).toEqual([]);
    for (const ns of namespaces as string[]) {
      const inNs = all.filter((o) => o.metadata.namespace === ns);
      expect(inNs.filter((o) => o.kind === 'ServiceMonitor')).toHaveLength(1);
      expect(inNs.filter((o) => o.kind === 'ConfigMap' && o.metadata.labels?.grafana_dashboard === '1')).toHaveLength(1);
      const rollout = inNs.find((o) => o.kind === 'Rollout');
      expect(Object.keys(rollout.metadata.annotations).filter((k) => k.startsWith('notifications.argoproj.io/subscribe.'))).toHaveLength(3);
      expect(inNs.filter((o) => o.kind === 'AnalysisTemplate').every((t) => t.metadata.annotations['argocd.argoproj.io/sync-wave'] === '-1')).toBe(true);
    }
    const applications = all.filter((o) => o.kind === 'Application');
    expect(applications.map((a) => a.spec.destination.namespace).sort()).toEqual([...(namespaces as string[])].sort());
    for (const a of applications) expect(a.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
  });

  test('deterministic', () => {
    expect(JSON.stringify(objects(build as any))).toBe(JSON.stringify(all));
  });
});
