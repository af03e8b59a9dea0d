import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Duration, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import {
  AnalysisArgument, AnalysisCheck, AnalysisTemplateRef, AntiAffinity, BlueGreenRollout, CanaryRollout, CanaryStep, GatewayApiTrafficSplit,
  IstioTrafficSplit, NginxTrafficSplit, NotificationTarget, ProgressiveApp, PrometheusAnalysis, RolloutNotifications,
  RolloutNotificationTrigger, SharedAnalysisTemplate, StringMatch,
} from '../src';
import { FakeTemplate, FixedTrafficSplit } from './support/doubles';

/**
 * The invalid-input corpus: one case per rule of sections A to C of the validation reference that
 * the typed API (or an escape hatch) can express, plus the library's own rules. Each case must fail
 * synthesis with an error that names the construct path and the property, and write nothing.
 */
interface Case {
  /** Rule number in the validation reference, or `lib` for the library's own rules. */
  readonly rule: string;
  /** Builds the invalid app in `chart`. */
  readonly build: (chart: Chart) => void;
  /** Expected `[construct path] property` prefix of the error line. */
  readonly prefix: string;
  /** Expected text (the controller's, where it has one). */
  readonly text: string;
}

const container = { image: 'registry.example.com/api:1.0.0', portNumber: 8080 };
const canary = (chart: Chart, props: any = {}) => new CanaryRollout(chart, 'api', { metadata: { name: 'api' }, containers: [container], ...props });
const blueGreen = (chart: Chart, props: any = {}) => new BlueGreenRollout(chart, 'api', { metadata: { name: 'api' }, containers: [container], ...props });
const patch = (construct: any, p: JsonPatch) => ApiObject.of(construct).addJsonPatch(p);
const analysis = (chart: Chart, props: any) => new PrometheusAnalysis(chart, 'analysis', {
  metadata: { name: 'api-analysis' }, address: 'http://prometheus:9090', checks: [AnalysisCheck.successRate({ atLeast: 0.99 })], ...props,
});

const cases: Case[] = [
  { rule: 'A1', build: (c) => canary(c, { replicas: -1 }), prefix: '[corpus/api] replicas', text: 'must be greater than or equal to 0' },
  {
    rule: 'A5',
    prefix: '[corpus/api] podMetadata',
    text: '`selector` does not match template `labels`',
    build: (c) => patch(canary(c), JsonPatch.replace('/spec/template/metadata/labels/app.kubernetes.io~1name', 'other')),
  },
  { rule: 'A6', build: (c) => canary(c, { revisionHistoryLimit: -1 }), prefix: '[corpus/api] revisionHistoryLimit', text: 'must be greater than or equal to 0' },
  {
    rule: 'A7',
    prefix: '[corpus/api] progressDeadline',
    text: 'must be greater than minReadySeconds',
    build: (c) => canary(c, { minReady: Duration.minutes(10), progressDeadline: Duration.minutes(1) }),
  },
  {
    rule: 'A8',
    prefix: '[corpus/api] strategy',
    text: "Rollout has missing field '.spec.strategy.canary or .spec.strategy.blueGreen'",
    build: (c) => patch(canary(c), JsonPatch.remove('/spec/strategy/canary')),
  },
  {
    rule: 'A10',
    prefix: '[corpus/api] previewService',
    text: 'same service for the active and preview services',
    build: (c) => patch(blueGreen(c), JsonPatch.replace('/spec/strategy/blueGreen/previewService', 'api-active')),
  },
  {
    rule: 'A11',
    prefix: '[corpus/api] scaleDownDelayRevisionLimit',
    text: "revision history limit can not be smaller than the rollout's scale down limit",
    build: (c) => blueGreen(c, { revisionHistoryLimit: 2, scaleDownDelayRevisionLimit: 3 }),
  },
  {
    rule: 'A13',
    prefix: '[corpus/api] maxSurge',
    text: 'MaxSurge and MaxUnavailable both can not be zero',
    build: (c) => canary(c, { maxSurge: kplus.PercentOrAbsolute.absolute(0), maxUnavailable: kplus.PercentOrAbsolute.percent(0) }),
  },
  {
    rule: 'A15',
    prefix: '[corpus/api] pingPong',
    text: 'spec.strategy.trafficRouting.alb: Invalid value: null: Ping-pong feature works with the ALB and Istio traffic routers only',
    build: (c) => patch(canary(c, { trafficSplit: new NginxTrafficSplit(c, 'traffic', { host: 'api.example.com' }) }),
      JsonPatch.add('/spec/strategy/canary/pingPong', { pingService: 'ping', pongService: 'pong' })),
  },
  {
    // v1.9.1 refuses plugin routers too (the later controller accepts them).
    rule: 'A15',
    prefix: '[corpus/api] pingPong',
    text: 'spec.strategy.trafficRouting.alb: Invalid value: null: Ping-pong feature works with the ALB and Istio traffic routers only',
    build: (c) => patch(canary(c, { trafficSplit: new GatewayApiTrafficSplit(c, 'traffic', { gateways: [{ name: 'public' }] }) }),
      JsonPatch.add('/spec/strategy/canary/pingPong', { pingService: 'ping', pongService: 'pong' })),
  },
  {
    rule: 'A19',
    prefix: '[corpus/api] canaryService',
    text: 'Canary service and Stable service must to be set to use Traffic Routing',
    build: (c) => patch(canary(c, { trafficSplit: new NginxTrafficSplit(c, 'traffic', { host: 'api.example.com' }) }),
      JsonPatch.remove('/spec/strategy/canary/canaryService')),
  },
  { rule: 'A20', build: (c) => canary(c, { scaleDownDelay: Duration.seconds(30) }), prefix: '[corpus/api] scaleDownDelay', text: 'Canary scaleDownDelaySeconds can only be used with traffic routing' },
  { rule: 'A21', build: (c) => canary(c, { dynamicStableScale: true }), prefix: '[corpus/api] dynamicStableScale', text: 'Canary dynamicStableScale can only be used with traffic routing' },
  {
    rule: 'A22',
    prefix: '[corpus/api] dynamicStableScale',
    text: 'Canary dynamicStableScale cannot be used with scaleDownDelaySeconds',
    build: (c) => canary(c, { trafficSplit: new NginxTrafficSplit(c, 'traffic', { host: 'api.example.com' }), dynamicStableScale: true, scaleDownDelay: Duration.seconds(30) }),
  },
  {
    rule: 'A23',
    prefix: '[corpus/api] maxTrafficWeight',
    text: 'Canary maxTrafficWeight in traffic routing only supported in Nginx and Plugins',
    build: (c) => canary(c, { trafficSplit: new FixedTrafficSplit({ istio: { virtualService: { name: 'api' } }, maxTrafficWeight: 50 }) }),
  },
  {
    rule: 'A24',
    prefix: '[corpus/api] steps[0]',
    text: 'Step must have one of the following set',
    build: (c) => patch(canary(c, { steps: [CanaryStep.weight(10)] }), JsonPatch.add('/spec/strategy/canary/steps/0/pause', {})),
  },
  { rule: 'A26', build: (c) => canary(c, { steps: [CanaryStep.weight(101)] }), prefix: '[corpus/api] steps[0]', text: 'SetWeight needs to be between 0 and 100' },
  {
    rule: 'A27',
    prefix: '[corpus/api] steps[0]',
    text: 'Duration needs to be greater than 0',
    build: (c) => patch(canary(c, { steps: [CanaryStep.pause(Duration.minutes(1))] }), JsonPatch.replace('/spec/strategy/canary/steps/0/pause/duration', '5x')),
  },
  { rule: 'A28', build: (c) => canary(c, { steps: [CanaryStep.canaryScaleWeight(10)] }), prefix: '[corpus/api] steps[0]', text: 'SetCanaryScale requires TrafficRouting to be set' },
  {
    rule: 'A29',
    prefix: '[corpus/api] steps[0]',
    text: 'SetHeaderRoute requires TrafficRouting, supports Istio and ALB and Apisix',
    build: (c) => canary(c, {
      trafficSplit: new NginxTrafficSplit(c, 'traffic', { host: 'api.example.com' }),
      steps: [CanaryStep.headerRoute({ name: 'x-canary', match: [{ name: 'X-Canary', value: StringMatch.exact('true') }] })],
    }),
  },
  {
    rule: 'A30',
    prefix: '[corpus/api] steps[0]',
    text: 'SetMirrorRoute requires TrafficRouting, supports Istio only',
    build: (c) => canary(c, { trafficSplit: new NginxTrafficSplit(c, 'traffic', { host: 'api.example.com' }), steps: [CanaryStep.mirrorRoute({ name: 'm' })] }),
  },
  {
    rule: 'A31',
    prefix: '[corpus/api] steps[0]',
    text: "Rollout has missing field 'spec.strategy.canary.trafficRouting.managedRoutes'",
    build: (c) => patch(canary(c, {
      trafficSplit: new IstioTrafficSplit(c, 'traffic', {}),
      steps: [CanaryStep.mirrorRoute({ name: 'm' })],
    }), JsonPatch.remove('/spec/strategy/canary/trafficRouting/managedRoutes')),
  },
  {
    rule: 'A33',
    prefix: '[corpus/api] steps[1]',
    text: 'Experiment template weight cannot be set unless TrafficRouting is enabled',
    build: (c) => patch(canary(c, { steps: [CanaryStep.weight(10)] }),
      JsonPatch.add('/spec/strategy/canary/steps/-', { experiment: { templates: [{ name: 'e', specRef: 'canary', weight: 5 }] } })),
  },
  {
    rule: 'A34',
    prefix: '[corpus/api] steps[0]',
    text: 'Analyses arguments must refer to valid object metadata supported by downwardAPI',
    build: (c) => canary(c, { steps: [CanaryStep.analysis({ templates: [new FakeTemplate('t')], args: [AnalysisArgument.fieldRef('a', 'metadata.labelz')] })] }),
  },
  { rule: 'A35', build: (c) => canary(c, { antiAffinity: AntiAffinity.preferred(101) }), prefix: '[corpus/api] antiAffinity', text: 'AntiAffinity weight must be between 1-100' },
  {
    rule: 'B37',
    prefix: '[corpus/api] stableService',
    text: 'Service "own-stable" has unmatch label "app" in rollout',
    build: (c) => {
      const svc = new kplus.Service(c, 'own', { metadata: { name: 'own-stable' }, ports: [{ port: 80, targetPort: 8080 }] });
      svc.selectLabel('app', 'someone-else');
      canary(c, { stableService: svc });
    },
  },
  {
    rule: 'B40',
    prefix: '[corpus/api] spec.strategy.canary.analysis',
    text: 'args.service-name was not resolved',
    build: (c) => canary(c, { backgroundAnalysis: { templates: [new FakeTemplate('success-rate', ['service-name'])] } }),
  },
  {
    rule: 'B41',
    prefix: '[corpus/api] spec.strategy.canary.steps[0].analysis',
    text: 'which runs indefinitely',
    build: (c) => canary(c, { steps: [CanaryStep.analysis({ templates: [analysis(c, { interval: Duration.minutes(1) })] })] }),
  },
  {
    rule: 'B45',
    prefix: '[corpus/traffic] ',
    text: 'has no rules using service api-stable backend',
    build: (c) => {
      const traffic = new NginxTrafficSplit(c, 'traffic', { host: 'api.example.com' });
      canary(c, { trafficSplit: traffic });
      const ingress = c.node.findAll().find((n) => n instanceof ApiObject && (n as ApiObject).kind === 'Ingress') as ApiObject;
      ingress.addJsonPatch(JsonPatch.replace('/spec/rules/0/http/paths/0/backend/service/name', 'elsewhere'));
    },
  },
  {
    rule: 'B47',
    prefix: '[corpus/traffic] ',
    text: "Canary Service 'api-canary' not found in route",
    build: (c) => {
      canary(c, { trafficSplit: new IstioTrafficSplit(c, 'traffic', {}) });
      const vs = c.node.findAll().find((n) => n instanceof ApiObject && (n as ApiObject).kind === 'VirtualService') as ApiObject;
      vs.addJsonPatch(JsonPatch.remove('/spec/http/0/route/1'));
    },
  },
  {
    rule: 'C57',
    prefix: '[corpus/analysis] ',
    text: 'must be >= failureLimit + consecutiveSuccessLimit',
    build: (c) => analysis(c, { interval: Duration.minutes(1), count: 2, failureLimit: 2, consecutiveSuccessLimit: 1 }),
  },
  {
    rule: 'lib',
    prefix: '[corpus/api] canaryMetadata',
    text: 'is also a selector label',
    build: (c) => canary(c, { canaryMetadata: { labels: { 'app.kubernetes.io/name': 'x' } } }),
  },
  { rule: 'lib', prefix: '[corpus/traffic] ', text: 'is not bound to any rollout', build: (c) => new NginxTrafficSplit(c, 'traffic', { host: 'api.example.com' }) },
  {
    rule: 'C63',
    prefix: '[corpus/shared] spec.metrics[0]',
    text: '"service-name,status=~"2.."" is not an argument name',
    build: (c) => new SharedAnalysisTemplate(c, 'shared', {
      name: 'success-rate',
      spec: { args: [{ name: 'service-name' }], metrics: [{ name: 'success-rate', successCondition: 'result[0] >= 0.95', provider: { prometheus: { address: 'http://prometheus:9090', query: 'http_requests_total{service="{{args.service-name,status=~"2.."}}"}' } } }] },
    }),
  },
  {
    rule: 'C63',
    prefix: '[corpus/analysis] checks[0]',
    text: 'failed to resolve {{args.tier}}: spec.args declares no argument "tier"',
    build: (c) => {
      const template = analysis(c, { checks: [AnalysisCheck.promql({ name: 'tier', query: 'vector(1)', successCondition: 'result[0] == 1' })] });
      patch(template, JsonPatch.replace('/spec/metrics/0/provider/prometheus/query', 'up{tier="{{args.tier}}"}'));
    },
  },
  {
    rule: 'lib',
    prefix: '[corpus/shared] spec.metrics[0]',
    text: 'PromQL syntax error',
    build: (c) => new SharedAnalysisTemplate(c, 'shared', { name: 'latency', spec: { metrics: [{ name: 'latency', provider: { prometheus: { query: 'sum(rate(x[2m])' } } }] } }),
  },
  {
    rule: 'lib',
    prefix: '[corpus/shared] spec.metrics[0]',
    text: 'condition expected bool, but got number',
    build: (c) => new SharedAnalysisTemplate(c, 'shared', { name: 'latency', spec: { metrics: [{ name: 'latency', successCondition: 'result[0] * 2', provider: { prometheus: { query: 'vector(1)' } } }] } }),
  },
  {
    rule: 'api',
    prefix: '[corpus/api] metadata.name',
    text: 'Rollout "MyApp": Invalid value: "MyApp": a lowercase RFC 1123 subdomain',
    build: (c) => canary(c, { metadata: { name: 'MyApp' } }),
  },
  {
    rule: 'api',
    prefix: '[corpus/api] metadata.name',
    text: 'Invalid value: "a23456789012345678901234567890123456789012345678901234567-stable": must be no more than 63 characters',
    build: (c) => canary(c, { metadata: { name: 'a23456789012345678901234567890123456789012345678901234567' } }),
  },
  {
    rule: 'api',
    prefix: '[corpus/api] metadata.namespace',
    text: 'Invalid value: "Corpus": a lowercase RFC 1123 label',
    build: (c) => patch(canary(c), JsonPatch.replace('/metadata/namespace', 'Corpus')),
  },
  {
    rule: 'api',
    prefix: '[corpus/traffic] ingressAnnotations',
    text: 'annotations.kubernetes.io/ingress.class: Invalid value: "nginx": can not be set when the class field is also set',
    build: (c) => canary(c, { trafficSplit: new NginxTrafficSplit(c, 'traffic', { host: 'api.example.com', ingressAnnotations: { 'kubernetes.io/ingress.class': 'nginx' } }) }),
  },
  {
    rule: 'api',
    prefix: '[] metadata.name',
    text: 'Rollout "api" in namespace "corpus" is written twice, by corpus/api/Resource and corpus/api2/Resource',
    build: (c) => {
      canary(c);
      new CanaryRollout(c, 'api2', { metadata: { name: 'api' }, containers: [container], stableService: new kplus.Service(c, 's', { metadata: { name: 's' }, ports: [{ port: 8080 }] }), canaryService: new kplus.Service(c, 'cs', { metadata: { name: 'cs' }, ports: [{ port: 8080 }] }) });
    },
  },
  {
    rule: 'B39',
    prefix: '[corpus/api] spec.strategy.canary.analysis',
    text: 'AnalysisTemplate \'api-analysis\' not found: it is in namespace "monitoring", the rollout in "corpus"',
    build: (c) => canary(c, { backgroundAnalysis: { templates: [analysis(c, { metadata: { name: 'api-analysis', namespace: 'monitoring' } })] } }),
  },
  {
    rule: 'B40',
    prefix: '[corpus/api] spec.strategy.canary.analysis',
    text: 'templateName: Invalid value: "Success_Rate"',
    build: (c) => canary(c, { backgroundAnalysis: { templates: [AnalysisTemplateRef.fromName('Success_Rate')] } }),
  },
  // numbers: one validator, written positively (NaN, infinities and fractions fail)
  { rule: 'A1', build: (c) => canary(c, { replicas: NaN }), prefix: '[corpus/api] replicas', text: 'Invalid value: NaN: must be an integer' },
  { rule: 'A1', build: (c) => canary(c, { replicas: 1.5 }), prefix: '[corpus/api] replicas', text: 'Invalid value: 1.5: must be an integer' },
  { rule: 'lib', build: (c) => canary(c, { containers: [{ ...container, portNumber: 65536 }] }), prefix: '[corpus/api] containers[0].portNumber', text: 'must be an integer from 1 to 65535' },
  { rule: 'lib', build: (c) => canary(c, { autoscaling: { minReplicas: 0, maxReplicas: 3 } }), prefix: '[corpus/api] autoscaling.minReplicas', text: 'must be an integer >= 1' },
  { rule: 'lib', build: (c) => canary(c, { minReady: Duration.millis(500) }), prefix: '[corpus/api] minReady', text: 'must be a whole number of seconds' },
  // credentials: one detector, on every prop and on the final manifests
  { rule: 'lib', build: (c) => analysis(c, { address: 'http://admin:pw@prometheus:9090' }), prefix: '[corpus/analysis] address', text: 'the address holds a URL with user:password@' },
  {
    rule: 'lib',
    prefix: '[corpus/api] spec.template.metadata.annotations.note',
    text: 'holds a Slack token; secrets are never written into manifests',
    build: (c) => canary(c, { podMetadata: { annotations: { note: 'token xoxb-123-456' } } }),
  },
  // PromQL Prometheus refuses, argument values that break out of their position, dry-run rules
  {
    rule: 'lib',
    prefix: '[corpus/analysis] checks[0]',
    text: 'PromQL [0h]: duration must be greater than 0',
    build: (c) => analysis(c, { checks: [AnalysisCheck.promql({ name: 'errors', query: 'sum(rate(errors_total[0h]))', successCondition: 'result[0] < 1' })] }),
  },
  {
    rule: 'lib',
    prefix: '[corpus/api] backgroundAnalysis.args',
    text: 'the value of args.job would change the query',
    build: (c) => canary(c, {
      backgroundAnalysis: {
        templates: [analysis(c, { checks: [AnalysisCheck.promql({ name: 'errors', query: 'sum(rate(errors_total{job="{{args.job}}"}[5m]))', successCondition: 'result[0] < 1' })] })],
        args: [AnalysisArgument.value('job', 'x"} or vector(1) or up{job="')],
      },
    }),
  },
  { rule: 'C62', build: (c) => canary(c, { backgroundAnalysis: { templates: [analysis(c, {})], dryRunMetrics: ['latency'] } }), prefix: '[corpus/api] backgroundAnalysis.dryRunMetrics[0]', text: "Rule didn't match any metric name(s)" },
  // strings Go's YAML library would read otherwise, refused where cdk8s would write them as they are
  {
    rule: 'lib',
    prefix: '[corpus/api] spec.template.metadata.labels.version',
    text: "written unquoted by cdk8s, Go's YAML library (kubectl, the API server, Argo CD) reads it as another type",
    build: (c) => canary(c, { podMetadata: { labels: { version: '0o17' } } }),
  },
  {
    rule: 'lib',
    prefix: '[corpus/api] spec.template.metadata.annotations.note',
    text: "character U+2028 is not read back by Go's YAML library",
    build: (c) => canary(c, { podMetadata: { annotations: { note: 'line\u2028separator' } } }),
  },
  {
    rule: 'lib',
    prefix: '[corpus/notify] subscriptions[0]',
    text: 'name part must be no more than 63 characters',
    build: (c) => new RolloutNotifications(c, 'notify', {
      rollout: canary(c),
      subscriptions: [{ triggers: [RolloutNotificationTrigger.ANALYSIS_RUN_FAILED], targets: [NotificationTarget.webhook('release-announcements-for-the-platform-team')] }],
    }),
  },
  {
    rule: 'lib',
    prefix: '[corpus/api] metadata.annotations',
    text: 'name part must be no more than 63 characters',
    build: (c) => ApiObject.of(canary(c)).metadata.addAnnotation(`example.com/${'a'.repeat(64)}`, 'x'),
  },
  {
    rule: 'lib',
    prefix: '[corpus/api] metadata.labels',
    text: 'a valid label must be an empty string',
    build: (c) => ApiObject.of(canary(c)).metadata.addLabel('team', 'platform team'),
  },
];

describe.each([['App', (outdir: string) => new App({ outdir })], ['ProgressiveApp', (outdir: string) => new ProgressiveApp({ outdir })]])('with %s', (_name, createApp) => {
  test.each(cases.map((c) => [c.rule, c.text, c] as const))('%s: %s', (_rule, _text, c) => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'corpus-'));
    fs.rmSync(outdir, { recursive: true });
    const app = createApp(outdir);
    let message = '';
    try {
      c.build(new Chart(app, 'corpus', { namespace: 'corpus' }));
      app.synth();
    } catch (e: any) {
      message = e.message;
    }
    const line = message.split('\n').find((l) => l.includes(c.text));
    expect(line).toBeDefined();
    expect(line!.trim().startsWith(c.prefix)).toBe(true);
    // Nothing is written: no manifest (cdk8s's App creates the empty outdir before validating).
    expect(fs.existsSync(outdir) ? fs.readdirSync(outdir) : []).toEqual([]);
  });
});
