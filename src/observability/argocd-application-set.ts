import { ApiObject, ApiObjectMetadata, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { ArgoCdApplication, respectsListPaths } from './argocd-application';
import { ArgoCdSyncMode, mergeSyncOptions, RESPECT_IGNORE_DIFFERENCES } from './argocd-sync-mode';
import { API_KINDS } from '../synth/api-kinds';
import { addRuleValidation, throwViolation } from '../validation/rule-violation';

/** One folder of synthesised manifests: one service in one environment. */
export interface ApplicationSetFolder {
  /** The service (the Application's `service` label). */
  readonly service: string;
  /** The environment (the Application's `environment` label, and the RollingSync step it is in). */
  readonly environment: string;
  /** The folder in the repository, e.g. `dist/services/billing/prod`. */
  readonly path: string;
  /** The namespace its objects without one go to. */
  readonly namespace: string;
  /**
   * Glob of this service's files in `path` (`source.directory.include`), when several services share
   * a folder one file each (ProgressiveApp writes one file per chart).
   * @default - every manifest in `path`
   */
  readonly include?: string;
  /**
   * The constructs whose objects the folder holds: the fields the Argo Rollouts controller writes on
   * them are ignored (`ArgoCdApplication.controllerOwnedFields`).
   * @default - none (nothing ignored)
   */
  readonly syncs?: IConstruct[];
}

/** Properties of an `ArgoCdApplicationSet`. */
export interface ArgoCdApplicationSetProps {
  /**
   * Metadata of the ApplicationSet.
   * @default - a generated name, namespace argocd
   */
  readonly metadata?: ApiObjectMetadata;
  /** Git repository with the synthesised manifests (no credentials). */
  readonly repoUrl: string;
  /**
   * Branch, tag or commit.
   * @default 'HEAD'
   */
  readonly targetRevision?: string;
  /**
   * Argo CD project of the Applications.
   * @default 'default'
   */
  readonly project?: string;
  /** The folders, one Application each (a list generator: one element per folder). */
  readonly folders: ApplicationSetFolder[];
  /**
   * The environments in release order: RollingSync syncs every Application of the first, then of the
   * next, by their `environment` label. Every folder's environment must be listed.
   * @default - the folders' environments in order of first appearance
   */
  readonly environments?: string[];
  /**
   * How many Applications of one environment sync at a time.
   * @default - all of them (the controller's 100%)
   */
  readonly maxUpdate?: number;
  /**
   * Environments on several clusters: a cluster generator picks, for each folder, the Argo CD
   * clusters whose Secret has this label set to the folder's environment (one Application per
   * folder and cluster, named `<service>-<environment>-<cluster>`, the cluster's name normalized by
   * Argo CD: lower case, characters other than a-z, 0-9, - and . replaced by -).
   * @default - every Application goes to the cluster Argo CD runs in
   */
  readonly clusterEnvironmentLabel?: string;
  /**
   * How a sync treats the objects whose fields the controller writes (see `ArgoCdSyncMode`).
   * @default ArgoCdSyncMode.APPLY_OUT_OF_SYNC_ONLY
   */
  readonly syncMode?: ArgoCdSyncMode;
  /**
   * Further sync options of every Application, before those of `syncMode`.
   * @default - only those of `syncMode`
   */
  readonly syncOptions?: string[];
}

/** A Kubernetes name or namespace: safe to write raw inside a JSON string. */
const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/**
 * The ignoreDifferences of every folder, as few shapes as possible: one folder's list is its shape (the
 * JSON text) with the names and namespaces it mentions replaced by `{{ index .ignoreValues i }}`, so
 * folders of the same structure share one shape and each element carries only its values. Rendering a
 * shape with the element's values gives back that folder's list exactly. Per-element lists would make
 * the ApplicationSet too large at fleet scale (at 1000 services × 3 environments, 2.4 MB: over etcd's
 * 1.5 MiB request limit, so the API server refuses it).
 */
function ignoreShapes(folders: ApplicationSetFolder[]): { shapes: string[]; elements: { shape: string; values: string[] }[] } {
  const shapes = new Map<string, number>();
  const elements = folders.map((folder) => {
    const entries = ArgoCdApplication.controllerOwnedFields(folder.syncs ?? []);
    const names = [...new Set(entries.flatMap((e) => [e.name, e.namespace]).filter((v): v is string => v !== undefined && NAME.test(v)))]
      .sort((a, b) => b.length - a.length);
    const escape = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    // One pass (longest name first), so a replacement is never scanned again; `{{` of the text stays
    // literal. Values are numbered in order of appearance, so folders of the same structure get the same shape.
    const pattern = new RegExp([...names.map(escape), '\\{\\{'].join('|'), 'g');
    const values: string[] = [];
    const shape = JSON.stringify(entries).replace(pattern, (m) => {
      if (m === '{{') return '{{ "{{" }}';
      if (!values.includes(m)) values.push(m);
      return `{{ index .ignoreValues ${values.indexOf(m)} }}`;
    });
    let index = shapes.get(shape);
    if (index === undefined) {
      index = shapes.size;
      shapes.set(shape, index);
    }
    return { shape: String(index), values };
  });
  return { shapes: [...shapes.keys()], elements };
}

/** Each element's ignoreDifferences (its shape, with its values), and its file glob if it has one. */
function templatePatch(shapes: string[]): string {
  return [
    'spec:',
    ...shapes.flatMap((shape, i) => [`{{- ${i === 0 ? 'if' : 'else if'} eq .ignoreShape "${i}" }}`, `  ignoreDifferences: ${shape}`]),
    ...(shapes.length > 0 ? ['{{- end }}'] : []),
    '{{- if .include }}',
    '  source:',
    '    directory:',
    '      include: {{ toJson .include }}',
    '{{- end }}',
    '',
  ].join('\n');
}

/**
 * An Argo CD ApplicationSet over synthesised folders (one per service and environment): a list
 * generator with one element per folder (optionally in a matrix with a cluster generator), a
 * `RollingSync` progressive sync by environment, and per Application the `ignoreDifferences` of the
 * fields the Argo Rollouts controller writes in that folder (carried by the element, applied by
 * `templatePatch`), synced per `syncMode`.
 *
 * RollingSync needs the ApplicationSet controller's progressive syncs
 * (`applicationsetcontroller.enable.progressive.syncs: true`); it syncs the Applications itself
 * (https://argo-cd.readthedocs.io/en/stable/operator-manual/applicationset/Progressive-Syncs/).
 */
export class ArgoCdApplicationSet extends Construct {
  /** The ApplicationSet. */
  public readonly apiObject: ApiObject;

  constructor(scope: Construct, id: string, props: ArgoCdApplicationSetProps) {
    super(scope, id);
    if (props.folders.length === 0) {
      throwViolation(this, { property: 'folders', field: 'spec.generators[0].list.elements', message: 'no folders: the ApplicationSet would generate no Application', allowed: 'one or more folders' });
    }
    const seen = new Set<string>();
    for (const [i, folder] of props.folders.entries()) {
      for (const [key, value] of [['service', folder.service], ['environment', folder.environment]]) {
        if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(value) || value.length > 63) {
          throwViolation(this, { property: `folders[${i}].${key}`, field: `metadata.labels.${key}`, message: `Invalid value: "${value}": must be a DNS-1123 label (it names the Application and labels it)`, allowed: 'lower-case letters, digits and -, at most 63 characters' });
        }
      }
      if (folder.path.startsWith('/') || folder.path.split('/').includes('..')) {
        throwViolation(this, { property: `folders[${i}].path`, field: 'spec.template.spec.source.path', message: `Invalid value: "${folder.path}": must be relative to the repository root, without ..`, allowed: 'a relative path such as dist/billing/prod' });
      }
      const key = `${folder.service}-${folder.environment}`;
      if (seen.has(key)) {
        throwViolation(this, { property: `folders[${i}]`, field: 'spec.generators[0].list.elements', message: `service "${folder.service}" in environment "${folder.environment}" is listed twice`, allowed: 'one folder per service and environment' });
      }
      seen.add(key);
    }
    const order = [...new Set(props.folders.map((f) => f.environment))];
    const environments = props.environments ?? order;
    const unlisted = order.filter((e) => !environments.includes(e));
    if (unlisted.length > 0) {
      throwViolation(this, { property: 'environments', field: 'spec.strategy.rollingSync.steps', message: `environments ${unlisted.join(', ')} have folders but no RollingSync step: their Applications would never sync`, allowed: environments.join(', ') });
    }
    if (props.maxUpdate !== undefined && !(Number.isInteger(props.maxUpdate) && props.maxUpdate > 0)) {
      throwViolation(this, { property: 'maxUpdate', field: 'spec.strategy.rollingSync.steps[].maxUpdate', message: `Invalid value: ${props.maxUpdate}: must be a positive integer`, allowed: 'an integer above 0' });
    }

    const clusters = props.clusterEnvironmentLabel;
    this.apiObject = new ApiObject(this, 'Resource', {
      ...API_KINDS.applicationSet,
      metadata: { namespace: 'argocd', ...props.metadata },
      // At synth time, from the objects' final JSON: one computation of the folders' ignores gives
      // the elements and the templatePatch their shapes are numbered in.
      spec: Lazy.any({
        produce: () => {
          const ignores = ignoreShapes(props.folders);
          const elements = props.folders.map((f, i) => ({
            service: f.service,
            environment: f.environment,
            path: f.path,
            namespace: f.namespace,
            include: f.include ?? '',
            ignoreShape: ignores.elements[i].shape,
            ignoreValues: ignores.elements[i].values,
          }));
          const list = { list: { elements } };
          return {
            goTemplate: true,
            goTemplateOptions: ['missingkey=error'],
            generators: clusters
              ? [{ matrix: { generators: [list, { clusters: { selector: { matchLabels: { [clusters]: '{{.environment}}' } } } }] } }]
              : [list],
            strategy: {
              type: 'RollingSync',
              rollingSync: {
                steps: environments.map((environment) => ({
                  matchExpressions: [{ key: 'environment', operator: 'In', values: [environment] }],
                  maxUpdate: props.maxUpdate,
                })),
              },
            },
            template: {
              metadata: {
                // nameNormalized: the cluster's name made a valid object name (an EKS cluster added by
                // `argocd cluster add` is named by its ARN, which has : and /).
                name: clusters ? '{{.service}}-{{.environment}}-{{.nameNormalized}}' : '{{.service}}-{{.environment}}',
                labels: { service: '{{.service}}', environment: '{{.environment}}' },
              },
              spec: {
                project: props.project ?? 'default',
                source: { repoURL: props.repoUrl, path: '{{.path}}', targetRevision: props.targetRevision ?? 'HEAD' },
                destination: { server: clusters ? '{{.server}}' : 'https://kubernetes.default.svc', namespace: '{{.namespace}}' },
                syncPolicy: { syncOptions: mergeSyncOptions(props.syncMode ?? ArgoCdSyncMode.APPLY_OUT_OF_SYNC_ONLY, props.syncOptions) },
              },
            },
            templatePatch: templatePatch(ignores.shapes),
          };
        },
      }),
    });
    addRuleValidation(this, () => {
      const spec = this.apiObject.toJson().spec?.template?.spec;
      // The folders' ignores are computed again only when a sync would respect them.
      if (!(spec?.syncPolicy?.syncOptions ?? []).includes(RESPECT_IGNORE_DIFFERENCES)) return [];
      const property = props.syncOptions?.includes(RESPECT_IGNORE_DIFFERENCES) ? 'syncOptions' : 'syncMode';
      const found = props.folders.flatMap((f) => respectsListPaths(spec, property, ArgoCdApplication.controllerOwnedFields(f.syncs ?? [])));
      return [...new Map(found.map((v) => [v.message, v])).values()];
    });
  }
}
