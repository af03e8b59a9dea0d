import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart, Names, YamlOutputType } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ManifestYaml } from './manifest-yaml';

/*
 * cdk8s's `App.synth()` algorithm, with each whole-app step run once instead of once per chart.
 * Only cdk8s's public API is used; every step mirrors the cdk8s 2.70 source it names, and YAML
 * is rendered by `ManifestYaml`, so the files written are byte-identical.
 */

/** A chart's API objects in dependency order, each with its rendered manifest. */
interface RenderedChart {
  readonly chart: Chart;
  readonly objects: ApiObject[];
  readonly manifests: any[];
}

/** A YAML file to write, relative to the outdir. */
interface ManifestFile {
  readonly path: string;
  readonly docs: any[];
}

/** What `App.synth()` writes: folders (created even when empty) and files, in write order. */
interface SynthesisPlan {
  readonly folders: string[];
  readonly files: ManifestFile[];
}

/**
 * Validates, resolves dependencies and renders every chart once, then writes the files
 * `App.synth()` would write. Nothing is written (not even the outdir) when any step fails.
 */
export function synthesizeApp(app: App, recordConstructMetadata: boolean): void {
  const { rendered, plan } = renderingEachObjectOnce(app, () => {
    validateApp(app);
    const hasDependentCharts = resolveDependencies(app);
    const charts = app.charts.map(renderChart);
    return { rendered: charts, plan: planFiles(app, charts, hasDependentCharts) };
  });

  const yaml = new ManifestYaml();
  writeAtomically(app.outdir, (outdir) => {
    for (const folder of plan.folders) {
      fs.mkdirSync(path.join(outdir, folder), { recursive: true });
    }
    for (const file of plan.files) {
      fs.writeFileSync(path.join(outdir, file.path), yaml.stringify(file.docs), { encoding: 'utf8' });
    }
    if (recordConstructMetadata) {
      writeConstructMetadata(outdir, rendered.flatMap((r) => r.objects));
    }
  });
}

/**
 * Runs `write` on a staging folder next to `outdir` (holding a copy of what `outdir` held, as
 * `App.synth()` keeps files it does not write), then puts the staging folder in place with
 * renames: a failed write leaves `outdir` as it was, never half old and half new.
 */
export function writeAtomically(outdir: string, write: (staging: string) => void): void {
  const target = path.resolve(outdir);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const staging = fs.mkdtempSync(`${target}.synth-`);
  try {
    if (fs.existsSync(target)) fs.cpSync(target, staging, { recursive: true });
    write(staging);
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  if (!fs.existsSync(target)) {
    fs.renameSync(staging, target);
    return;
  }
  const previous = `${staging}.previous`;
  fs.renameSync(target, previous);
  try {
    fs.renameSync(staging, target);
  } catch (e) {
    fs.renameSync(previous, target);
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  fs.rmSync(previous, { recursive: true, force: true });
}

/** Every manifest of the app as one multi-document YAML string, as `App.synthYaml()` returns it. */
export function synthesizeYaml(app: App): string {
  const manifests = renderingEachObjectOnce(app, () => {
    resolveDependencies(app);
    validateApp(app);
    return app.charts.flatMap((chart) => renderChart(chart).manifests);
  });
  return new ManifestYaml().stringify(manifests);
}

/**
 * Runs `synthesis` with each API object's `toJson()` computed at most once: validations that read
 * other objects' manifests (a traffic split reading its rollout, alerts reading its pauses) and the
 * final write share one render. The app is complete once synthesis starts, so a render cannot
 * change; renders are frozen so no reader can alter what is written.
 */
function renderingEachObjectOnce<T>(app: App, synthesis: () => T): T {
  const objects = app.node.findAll().filter(ApiObject.isApiObject);
  const own = objects.map((object) => Object.getOwnPropertyDescriptor(object, 'toJson'));
  for (const object of objects) {
    const render = object.toJson.bind(object);
    let manifest: any;
    Object.defineProperty(object, 'toJson', { configurable: true, value: () => manifest ??= deepFreeze(render()) });
  }
  try {
    return synthesis();
  } finally {
    objects.forEach((object, i) => (own[i] ? Object.defineProperty(object, 'toJson', own[i]!) : delete (object as any).toJson));
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    Object.values(value).forEach(deepFreeze);
  }
  return value;
}

/** cdk8s `validate()`: every construct's validations, reported with their construct paths. */
function validateApp(app: App): void {
  const errors = app.node.findAll().flatMap((c) => c.node.validate().map((e) => `[${c.node.path}] ${e}`));
  if (errors.length > 0) {
    throw new Error(`Validation failed with the following errors:\n  ${errors.join('\n  ')}`);
  }
}

/**
 * cdk8s `resolveDependencies()`: nested charts and cross-chart construct dependencies become chart
 * dependencies, construct dependencies become API object dependencies. Returns whether any chart
 * depends on another (which switches chart files to indexed names).
 */
function resolveDependencies(app: App): boolean {
  const subtrees = new Map<IConstruct, IConstruct[]>();
  const subtree = (c: IConstruct): IConstruct[] => {
    let found = subtrees.get(c);
    if (!found) {
      found = c.node.findAll();
      subtrees.set(c, found);
    }
    return found;
  };
  const dependencies = () => subtree(app).flatMap((source) => source.node.dependencies.map((target) => ({ source, target })));
  let hasDependentCharts = false;

  for (const parent of subtree(app).filter(Chart.isChart)) {
    for (const child of parent.node.children.filter(Chart.isChart)) {
      parent.node.addDependency(child);
      hasDependentCharts = true;
    }
  }

  for (const { source, target } of dependencies()) {
    const sourceChart = Chart.of(source);
    const targetChart = Chart.of(target);
    if (sourceChart !== targetChart) {
      sourceChart.node.addDependency(targetChart);
      hasDependentCharts = true;
    }
  }

  // listed again: the chart dependencies just added take part too, as in cdk8s
  for (const { source, target } of dependencies()) {
    const objectsOf = (c: IConstruct) => {
      const chart = Chart.of(c);
      return subtree(c).filter((x) => ApiObject.isApiObject(x) && Chart.of(x) === chart);
    };
    const sources = objectsOf(source);
    for (const targetObject of objectsOf(target)) {
      for (const sourceObject of sources) {
        if (targetObject !== sourceObject) sourceObject.node.addDependency(targetObject);
      }
    }
  }
  return hasDependentCharts;
}

/** cdk8s `chartToKube()`: the chart's own API objects (not its nested charts'), in dependency order. */
function renderChart(chart: Chart): RenderedChart {
  const objects = dependencyOrder(chart).filter((x): x is ApiObject => ApiObject.isApiObject(x) && Chart.of(x) === chart);
  return { chart, objects, manifests: objects.map((o) => o.toJson()) };
}

/**
 * The order of cdk8s `new DependencyGraph(scope.node).topology()`, in linear time: the constructs
 * of the subtree, each after the ones it depends on (within the subtree), depth first from the
 * constructs nothing depends on, in tree order. Cycles were already reported by `app.charts`.
 */
export function dependencyOrder(scope: IConstruct): IConstruct[] {
  const constructs = scope.node.findAll();
  const inSubtree = new Set(constructs);
  const dependencies = new Map<IConstruct, IConstruct[]>();
  const dependedOn = new Set<IConstruct>();
  for (const c of constructs) {
    const targets = c.node.dependencies.filter((d) => inSubtree.has(d));
    dependencies.set(c, targets);
    targets.forEach((d) => dependedOn.add(d));
  }
  const order: IConstruct[] = [];
  const visited = new Set<IConstruct>();
  const visit = (c: IConstruct) => {
    if (visited.has(c)) return;
    visited.add(c);
    dependencies.get(c)!.forEach(visit);
    order.push(c);
  };
  constructs.filter((c) => !dependedOn.has(c)).forEach(visit);
  return order;
}

/** The files `App.synth()` writes for the app's `yamlOutputType`, in the order it writes them. */
function planFiles(app: App, charts: RenderedChart[], hasDependentCharts: boolean): SynthesisPlan {
  const ext = app.outputFileExtension;
  const chartName = (chart: Chart, index: number) =>
    (hasDependentCharts ? `${index.toString().padStart(4, '0')}-` : '') + Names.toDnsLabel(chart);

  switch (app.yamlOutputType) {
    case YamlOutputType.FILE_PER_APP:
      return {
        folders: [],
        files: charts.length > 0 ? [{ path: `app${ext}`, docs: charts.flatMap((c) => c.manifests) }] : [],
      };
    case YamlOutputType.FILE_PER_CHART:
      return {
        folders: [],
        files: charts.map((c, i) => ({ path: chartName(c.chart, i) + ext, docs: c.manifests })),
      };
    case YamlOutputType.FILE_PER_RESOURCE:
      // named after the rendered manifest (JSON patches included), as cdk8s does for this type
      return {
        folders: [],
        files: charts.flatMap((c) => c.manifests.map((m) => ({ path: resourceFileName(m.kind, m.metadata.name) + ext, docs: [m] }))),
      };
    case YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE: {
      // named after the ApiObject (before JSON patches), as cdk8s does for this type
      const folders = charts.map((c, i) => chartName(c.chart, i));
      return {
        folders,
        files: charts.flatMap((c, i) => c.objects.map((o, j) => ({
          path: path.join(folders[i], resourceFileName(o.kind, o.metadata.name) + ext),
          docs: [c.manifests[j]],
        }))),
      };
    }
    default:
      return { folders: [], files: [] };
  }
}

/** cdk8s's per-resource file name, `<kind>.<name>` stripped of unsafe characters (its regex, verbatim). */
function resourceFileName(kind: string, name: string | undefined): string {
  return `${kind}.${name}`.replace(/[^0-9a-zA-Z-_.]/g, '');
}

/** cdk8s `writeConstructMetadata()`: `construct-metadata.json`, object name → construct path. */
function writeConstructMetadata(outdir: string, objects: ApiObject[]): void {
  const resources: { [name: string]: { path: string } } = {};
  for (const o of objects) {
    resources[o.name] = { path: o.node.path };
  }
  fs.writeFileSync(path.join(outdir, 'construct-metadata.json'), JSON.stringify({ version: '1.0.0', resources }));
}
