/*
 * What a sync with RespectIgnoreDifferences=true applies, by Argo CD v3.5.1's own code
 * (argocd-sync.test, see build.sh), for objects of the examples under their computed ignores:
 * the live objects are the controller's writes (test/oracles `reconcile --write-live`: the Istio
 * and ALB reconcilers of v1.9.1) or, where no reconciler runs here, the documented writes
 * (Service hash selector, Gateway API plugin weights, DestinationRule subset hashes); the targets
 * are the synthesised objects with a user's edit. Prints, per case, whether the edit is applied
 * and whether the controller's values are kept; exits 1 when a case differs from `expect`.
 *
 *   npx ts-node --transpile-only test/argocd-diff/sync/cases.ts
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { ArgoCdApplication, CanaryRollout, CanaryStep, IstioSplitLevel, IstioTrafficSplit } from '../../../src';
import { synthAlbApps } from '../../support/alb-apps';

const ROOT = path.join(__dirname, '..', '..', '..');
const BIN = process.env.ARGOCD_SYNC_BIN ?? path.join(__dirname, 'argocd-sync.test');
const ORACLE = path.join(process.env.ORACLE_BIN_DIR ?? path.join(ROOT, 'test', 'oracles', 'bin'), 'oracle');

const tree = fs.mkdtempSync(path.join(os.tmpdir(), 'argocd-sync-'));
const dist = path.join(tree, 'dist');
for (const name of ['seed-002-x0tta6bl4', 'seed-004-gateway-api']) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(path.join(ROOT, 'examples', name, 'main.ts')).buildApp(path.join(dist, name)).synth();
}
synthAlbApps(dist);
execFileSync(ORACLE, ['reconcile', '--write-live', path.join(tree, 'live'), dist], { maxBuffer: 64 * 1024 * 1024 });

const docs = (f: string): any[] => YAML.parseAllDocuments(fs.readFileSync(f, 'utf8')).map((d) => d.toJSON()).filter(Boolean);
const all = (dir: string): any[] => fs.readdirSync(dir).flatMap((f) => docs(path.join(dir, f)));
const clone = (o: any): any => JSON.parse(JSON.stringify(o));
const find = (objs: any[], kind: string, name: string): any => objs.find((o) => o.kind === kind && o.metadata.name === name);
const ignoresOf = (app: string): any[] => all(path.join(dist, app)).find((o) => o.kind === 'Application').spec.ignoreDifferences;

interface Case {
  readonly label: string;
  readonly ignores: any[];
  readonly target: any;
  readonly live: any;
  readonly edited: (applied: any) => boolean;
  readonly kept: (applied: any) => boolean;
  readonly expect: { edited: boolean; kept: boolean };
}
const cases: Case[] = [];

{ // seed 002: VirtualService (the Istio reconciler's write) and a Service.
  const objs = all(path.join(dist, 'seed-002-x0tta6bl4'));
  const live = docs(path.join(tree, 'live', 'seed-002-x0tta6bl4', 'virtualservice-x0tta6bl4-production-proxy-api.yaml'))[0];
  const target = clone(find(objs, 'VirtualService', 'proxy-api'));
  Object.assign(target.spec.http.find((r: any) => r.name === 'primary'), { timeout: '5s', retries: { attempts: 3 } });
  const primary = (o: any) => o.spec.http.find((r: any) => r.name === 'primary');
  cases.push({
    label: 'VirtualService proxy-api: timeout and retries added to route primary',
    ignores: ignoresOf('seed-002-x0tta6bl4'),
    target,
    live,
    edited: (a) => primary(a).timeout === '5s',
    kept: (a) => primary(a).route[1].weight === 30,
    expect: { edited: false, kept: true },
  });
  const svc = find(objs, 'Service', 'proxy-api-stable');
  const svcLive = clone(svc);
  svcLive.spec.selector['rollouts-pod-template-hash'] = '6c9f7b8d4';
  const svcTarget = clone(svc);
  svcTarget.spec.selector.tier = 'web';
  cases.push({
    label: 'Service proxy-api-stable: a selector key added',
    ignores: ignoresOf('seed-002-x0tta6bl4'),
    target: svcTarget,
    live: svcLive,
    edited: (a) => a.spec.selector.tier === 'web',
    kept: (a) => a.spec.selector['rollouts-pod-template-hash'] === '6c9f7b8d4',
    expect: { edited: true, kept: true },
  });
}
{ // seed 004: HTTPRoute with the plugin's weights 70/30.
  const route = find(all(path.join(dist, 'seed-004-gateway-api')), 'HTTPRoute', 'myapp-prod');
  const live = clone(route);
  live.spec.rules[0].backendRefs[0].weight = 70;
  live.spec.rules[0].backendRefs[1].weight = 30;
  const target = clone(route);
  target.spec.rules[0].timeouts = { request: '10s' };
  cases.push({
    label: 'HTTPRoute myapp-prod: timeouts added to rule 0',
    ignores: ignoresOf('seed-004-gateway-api'),
    target,
    live,
    edited: (a) => a.spec.rules[0].timeouts?.request === '10s',
    kept: (a) => a.spec.rules[0].backendRefs[1].weight === 30,
    expect: { edited: false, kept: true },
  });
}
{ // ALB: the Ingress after the ALB reconciler's header route ("/*" path in spec.rules).
  const live = all(path.join(tree, 'live', 'alb-header'))[0];
  const target = clone(find(all(path.join(dist, 'alb-header')), 'Ingress', live.metadata.name));
  target.spec.rules[0].host = 'api2.example.com';
  cases.push({
    label: `Ingress ${live.metadata.name} (ALB, header route on): rule host changed`,
    ignores: ignoresOf('alb-header'),
    target,
    live,
    edited: (a) => a.spec.rules[0].host === 'api2.example.com',
    kept: (a) => a.spec.rules.some((r: any) => r.http.paths.some((p: any) => p.path === '/*')),
    expect: { edited: true, kept: false },
  });
}
{ // DestinationRule of a subset-level split, with the subset hashes UpdateHash writes.
  const chart = Testing.chart();
  new CanaryRollout(chart, 'api', { metadata: { name: 'api', namespace: 'shop' }, containers: [{ image: 'shop/api:1.0.0', portNumber: 8080 }], trafficSplit: new IstioTrafficSplit(chart, 'traffic', { level: IstioSplitLevel.SUBSET }), steps: [CanaryStep.weight(30)] });
  const dr = { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'api', namespace: 'shop' }, spec: { host: 'api', subsets: [{ name: 'stable', labels: { app: 'api' } }, { name: 'canary', labels: { app: 'api' } }] } };
  const live = clone(dr);
  live.spec.subsets[1].labels['rollouts-pod-template-hash'] = 'bbb';
  const target = clone(dr);
  target.spec.subsets[1].trafficPolicy = { connectionPool: { tcp: { maxConnections: 10 } } };
  cases.push({
    label: 'DestinationRule api: trafficPolicy added to subset canary',
    ignores: ArgoCdApplication.controllerOwnedFields([chart]),
    target,
    live,
    edited: (a) => a.spec.subsets[1].trafficPolicy !== undefined,
    kept: (a) => a.spec.subsets[1].labels['rollouts-pod-template-hash'] === 'bbb',
    expect: { edited: true, kept: false },
  });
}

let failed = false;
for (const [i, c] of cases.entries()) {
  const input = path.join(tree, `in-${i}.json`);
  const output = path.join(tree, `out-${i}.json`);
  fs.writeFileSync(input, JSON.stringify({ ignoreDifferences: c.ignores, live: [c.live], target: [c.target] }));
  execFileSync(BIN, ['-test.run', '^TestCdk8sRespectIgnoreDifferences$'], { env: { ...process.env, CDK8S_SYNC_IN: input, CDK8S_SYNC_OUT: output } });
  const applied = JSON.parse(fs.readFileSync(output, 'utf8'))[0];
  const result = { edited: c.edited(applied), kept: c.kept(applied) };
  const ok = result.edited === c.expect.edited && result.kept === c.expect.kept;
  failed ||= !ok;
  console.log(JSON.stringify({ case: c.label, userEditApplied: result.edited, controllerValueKept: result.kept, asExpected: ok }));
}
fs.rmSync(tree, { recursive: true, force: true });
process.exit(failed ? 1 : 0);
