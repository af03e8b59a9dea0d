/**
 * Checks what `cdk8s synth` wrote in the consumer app (see consumer-app.sh): every object passes the schema
 * checks, the objects of the Quick start are there, and the plan is seed 000's (5/20/50/80 %
 * after 2/5/5/5-minute pauses, 17 minutes). Usage: check-consumer-output.ts <app dir>
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { SchemaValidator } from '../support/schema';

const appDir = process.argv[2];
const dist = path.join(appDir, 'dist');
const objects = fs.readdirSync(dist).filter((f) => f.endsWith('.yaml')).sort()
  .flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(dist, f), 'utf8')).map((d) => d.toJS()));
const failures: string[] = [];
const schemas = new SchemaValidator();
for (const obj of objects) failures.push(...schemas.errors(obj));

const kinds = objects.map((o) => `${o.kind}/${o.metadata.name}`);
for (const expected of ['Rollout/aragora', 'Service/aragora-stable', 'Service/aragora-canary', 'Ingress/aragora-stable', 'PrometheusRule', 'ConfigMap', 'AnalysisTemplate']) {
  if (!kinds.some((k) => k === expected || k.startsWith(`${expected}/`))) failures.push(`no ${expected} in ${kinds.join(', ')}`);
}

const rollout = objects.find((o) => o.kind === 'Rollout');
const steps = JSON.stringify(rollout?.spec?.strategy?.canary?.steps);
const seed000 = JSON.stringify([5, 2, 20, 5, 50, 5, 80, 5].map((n, i) => (i % 2 === 0 ? { setWeight: n } : { pause: { duration: `${n}m` } })));
if (steps !== seed000) failures.push(`steps ${steps}, expected seed 000's ${seed000}`);

// `npx cdk8s-argo-rollouts plan dist/ --format json`, run by the installed package's bin.
const plans = JSON.parse(fs.readFileSync(path.join(appDir, 'plan.json'), 'utf8'));
if (plans.length !== 1 || plans[0].minimumDurationSeconds !== 17 * 60) failures.push(`plan: ${JSON.stringify(plans.map((p: any) => [p.name, p.minimumDurationSeconds]))}, expected aragora in 1020 s`);

// One sentence each, naming what to change or install (see bad-input.js).
const mixed = fs.readFileSync(path.join(appDir, 'mixed.txt'), 'utf8').trim();
if (!mixed.startsWith('[shop/web] stableService: stableService: this Service comes from cdk8s-plus-33, but cdk8s-argo-rollouts is built on cdk8s-plus-27')) {
  failures.push(`a cdk8s-plus-33 Service gave: ${mixed}`);
}
const missingPeer = fs.readFileSync(path.join(appDir, 'missing-peer.txt'), 'utf8').trim();
if (!missingPeer.startsWith('cdk8s-argo-rollouts needs the peer dependency cdk8s-plus-27@^2.9.5, which is not installed: run `npm install cdk8s-plus-27@^2.9.5`')) {
  failures.push(`without cdk8s-plus-27: ${missingPeer}`);
}

if (failures.length > 0) {
  console.error(`consumer app: ${failures.length} problem(s):\n${failures.join('\n')}`);
  process.exit(1);
}
console.log(`consumer app: ${objects.length} objects pass the schema checks; seed 000's plan (17 minutes); bad input explained`);
