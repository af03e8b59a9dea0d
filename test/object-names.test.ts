import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, JsonPatch } from 'cdk8s';
import { AnalysisCheck, AnalysisTemplateRef, BlueGreenRollout, CanaryRollout, ProgressiveApp, PrometheusAnalysis } from '../src';
import { validationErrors } from './support/synth';
import { labelValueErrors, nameErrors, qualifiedNameErrors } from '../src/validation/object-names';

const container = { image: 'registry.example.com/web:1.0.0', portNumber: 8080 };
const SUBDOMAIN = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const DNS1035 = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character";

function app(): { app: App; chart: Chart } {
  const a = new App();
  return { app: a, chart: new Chart(a, 'test', { namespace: 'shop' }) };
}

describe('names are checked against the API server\'s rule for their kind', () => {
  test('the rules: subdomain for most kinds, DNS-1035 label for Services, DNS-1123 label for Namespaces, path segment for RBAC', () => {
    expect(nameErrors('Rollout', 'web.v2')).toEqual([]);
    expect(nameErrors('Rollout', 'MyApp')).toEqual([expect.stringContaining(SUBDOMAIN)]);
    expect(nameErrors('Service', 'web.v2')).toEqual([expect.stringContaining(DNS1035)]);
    expect(nameErrors('Service', '1web')).toEqual([expect.stringContaining(DNS1035)]);
    expect(nameErrors('Service', 'a'.repeat(64))).toEqual(['must be no more than 63 characters']);
    expect(nameErrors('ConfigMap', 'a'.repeat(254))).toEqual(['must be no more than 253 characters']);
    expect(nameErrors('Namespace', 'a.b')).toEqual([expect.stringContaining('a lowercase RFC 1123 label must consist')]);
    expect(nameErrors('ClusterRole', 'system:controller')).toEqual([]);
    expect(nameErrors('ClusterRole', 'a/b')).toEqual(["may not contain '/'"]);
  });

  test('metadata: { name: \'MyApp\' } fails at synth: the Rollout and its derived Services, with the construct path; nothing written', () => {
    const outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'names-')), 'dist');
    const a = new ProgressiveApp({ outdir });
    new CanaryRollout(new Chart(a, 'test', { namespace: 'shop' }), 'web', { metadata: { name: 'MyApp' }, containers: [container] });
    expect(validationErrors(a)).toEqual([
      `[test/web] metadata.name: metadata.name: Rollout "MyApp": Invalid value: "MyApp": ${SUBDOMAIN} (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*') (allowed: a lowercase DNS-1123 name)`,
      expect.stringMatching(/^\[test\/web\] metadata\.name: metadata\.name: Service "MyApp-stable" \(test\/web\/StableService\/Resource\): Invalid value: "MyApp-stable": a DNS-1035 label .*\(allowed: a DNS-1035 label of at most 63 characters \(derived Service names add -stable, -canary, -active or -preview to the name\)\)$/),
      expect.stringMatching(/^\[test\/web\] metadata\.name: metadata\.name: Service "MyApp-canary" \(test\/web\/CanaryService\/Resource\)/),
    ]);
    expect(fs.existsSync(outdir)).toBe(false);
  });

  test('a name whose derived -stable / -canary Services pass 63 characters', () => {
    const { app: a, chart } = app();
    const name = 'a'.repeat(57);
    new CanaryRollout(chart, 'web', { metadata: { name }, containers: [container] });
    expect(validationErrors(a)).toEqual([
      `[test/web] metadata.name: metadata.name: Service "${name}-stable" (test/web/StableService/Resource): Invalid value: "${name}-stable": must be no more than 63 characters (allowed: a DNS-1035 label of at most 63 characters (derived Service names add -stable, -canary, -active or -preview to the name))`,
      expect.stringContaining(`Service "${name}-canary" (test/web/CanaryService/Resource): Invalid value: "${name}-canary": must be no more than 63 characters`),
    ]);
  });

  test('blue-green: -preview and -active', () => {
    const { app: a, chart } = app();
    new BlueGreenRollout(chart, 'web', { metadata: { name: 'b'.repeat(57) }, containers: [container] });
    expect(validationErrors(a)).toEqual([
      expect.stringContaining(`Service "${'b'.repeat(57)}-active"`),
      expect.stringContaining(`Service "${'b'.repeat(57)}-preview"`),
    ]);
  });

  test('the final JSON is checked: a name set by JSON patch, an invalid namespace', () => {
    const { app: a, chart } = app();
    const rollout = new CanaryRollout(chart, 'web', { containers: [container] });
    ApiObject.of(rollout).addJsonPatch(JsonPatch.replace('/metadata/name', 'Web_2'));
    ApiObject.of(rollout).addJsonPatch(JsonPatch.replace('/metadata/namespace', 'Shop'));
    expect(validationErrors(a)).toEqual([
      expect.stringMatching(/^\[test\/web\] metadata\.name: metadata\.name: Rollout "Web_2": Invalid value: "Web_2": a lowercase RFC 1123 subdomain/),
      expect.stringMatching(/^\[test\/web\] metadata\.namespace: metadata\.namespace: Rollout "Web_2": Invalid value: "Shop": a lowercase RFC 1123 label .* \(allowed: a DNS-1123 label of at most 63 characters\)$/),
    ]);
  });

  test('a referenced template name that is no object name', () => {
    const { app: a, chart } = app();
    new CanaryRollout(chart, 'web', { containers: [container], backgroundAnalysis: { templates: [AnalysisTemplateRef.fromName('Success_Rate')] } });
    expect(validationErrors(a)).toEqual([
      expect.stringMatching(/^\[test\/web\] spec\.strategy\.canary\.analysis: spec\.strategy\.canary\.analysis\.templates: templateName: Invalid value: "Success_Rate": a lowercase RFC 1123 subdomain/),
    ]);
  });

  test('label and annotation keys and label values: the API server\'s IsQualifiedName and IsValidLabelValue', () => {
    expect(qualifiedNameErrors('notifications.argoproj.io/subscribe.on-rollout-completed.slack')).toEqual([]);
    expect(qualifiedNameErrors('app')).toEqual([]);
    expect(qualifiedNameErrors(`example.com/${'a'.repeat(64)}`)).toEqual(['name part must be no more than 63 characters']);
    expect(qualifiedNameErrors('Example.com/a')).toEqual([expect.stringMatching(/^prefix part a lowercase RFC 1123 subdomain/)]);
    expect(qualifiedNameErrors('a/b/c')).toEqual([expect.stringContaining("separated by at most one '/'")]);
    expect(qualifiedNameErrors('example.com/')).toEqual(['name part must be non-empty']);
    expect(qualifiedNameErrors('-x')).toEqual([expect.stringMatching(/^name part must consist of alphanumeric characters/)]);
    expect(labelValueErrors('')).toEqual([]);
    expect(labelValueErrors('v1.2_3')).toEqual([]);
    expect(labelValueErrors('a b')).toEqual([expect.stringMatching(/^a valid label must be an empty string/)]);
    expect(labelValueErrors('a'.repeat(64))).toEqual(['must be no more than 63 characters']);
  });

  test('an annotation key with a name part over 63 characters (found by the fuzz: notification subscriptions) fails at synth with the construct path', () => {
    const { app: a, chart } = app();
    const rollout = new CanaryRollout(chart, 'web', { containers: [container] });
    ApiObject.of(rollout).metadata.addAnnotation(`notifications.argoproj.io/subscribe.on-analysis-run-failed.${'h'.repeat(40)}`, '');
    ApiObject.of(rollout).metadata.addLabel('team', 'platform team');
    expect(validationErrors(a)).toEqual([
      expect.stringMatching(/^\[test\/web\] metadata\.labels: metadata\.labels\.team: Rollout "test-web-c8[0-9a-f]+": Invalid value: "platform team": a valid label must be an empty string/),
      expect.stringMatching(/^\[test\/web\] metadata\.annotations: metadata\.annotations: Rollout "test-web-c8[0-9a-f]+": Invalid value: "notifications\.argoproj\.io\/subscribe\.on-analysis-run-failed\.h{40}": name part must be no more than 63 characters/),
    ]);
  });

  test('valid names pass', () => {
    const { app: a, chart } = app();
    new CanaryRollout(chart, 'web', { metadata: { name: 'a'.repeat(56) }, containers: [container] });
    new BlueGreenRollout(chart, 'bg', { metadata: { name: 'b'.repeat(55) }, containers: [container] });
    expect(validationErrors(a)).toEqual([]);
  });
});

describe('two objects of the same kind, namespace and name are refused', () => {
  const check = (name: string) => AnalysisCheck.promql({ name, query: 'vector(1)', successCondition: 'result[0] == 1' });

  test('two rollouts: both construct paths', () => {
    const { app: a, chart } = app();
    new CanaryRollout(chart, 'web', { metadata: { name: 'web' }, containers: [container] });
    new CanaryRollout(new Chart(a, 'other', { namespace: 'shop' }), 'web2', { metadata: { name: 'web' }, containers: [container] });
    const errors = validationErrors(a);
    expect(errors).toContain('[] metadata.name: metadata.name: Rollout "web" in namespace "shop" is written twice, by test/web/Resource and other/web2/Resource: the last one applied replaces the other (allowed: one object per kind, namespace and name)');
    expect(errors).toContain('[] metadata.name: metadata.name: Service "web-stable" in namespace "shop" is written twice, by test/web/StableService/Resource and other/web2/StableService/Resource: the last one applied replaces the other (allowed: one object per kind, namespace and name)');
  });

  test('two templates; in other namespaces they may share a name, cluster templates may not', () => {
    const { app: a, chart } = app();
    new PrometheusAnalysis(chart, 'one', { metadata: { name: 'checks' }, checks: [check('a')] });
    new PrometheusAnalysis(chart, 'two', { metadata: { name: 'checks' }, checks: [check('b')] });
    new PrometheusAnalysis(new Chart(a, 'elsewhere', { namespace: 'other' }), 'three', { metadata: { name: 'checks' }, checks: [check('c')] });
    new PrometheusAnalysis(new Chart(a, 'c1', { namespace: 'x' }), 'shared', { metadata: { name: 'shared' }, clusterScope: true, checks: [check('d')] });
    new PrometheusAnalysis(new Chart(a, 'c2', { namespace: 'y' }), 'shared', { metadata: { name: 'shared' }, clusterScope: true, checks: [check('e')] });
    expect(validationErrors(a)).toEqual([
      '[] metadata.name: metadata.name: AnalysisTemplate "checks" in namespace "shop" is written twice, by test/one/Resource and test/two/Resource: the last one applied replaces the other (allowed: one object per kind, namespace and name)',
      '[] metadata.name: metadata.name: ClusterAnalysisTemplate "shared" is written twice, by c1/shared/Resource and c2/shared/Resource: the last one applied replaces the other (allowed: one object per kind, namespace and name)',
    ]);
  });
});
