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
   * folder and cluster, named `<service>-<environment>-<cluster>`).
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

const TEMPLATE_PATCH = [
  'spec:',
  '  ignoreDifferences: {{ toJson .ignoreDifferences }}',
  '{{- if .include }}',
  '  source:',
  '    directory:',
  '      include: {{ toJson .include }}',
  '{{- end }}',
  '',
].join('\n');

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
    const elements = Lazy.any({
      produce: () => props.folders.map((f) => ({
        service: f.service,
        environment: f.environment,
        path: f.path,
        namespace: f.namespace,
        include: f.include ?? '',
        ignoreDifferences: ArgoCdApplication.controllerOwnedFields(f.syncs ?? []),
      })),
    });
    const list = { list: { elements } };
    const generators = clusters
      ? [{ matrix: { generators: [list, { clusters: { selector: { matchLabels: { [clusters]: '{{.environment}}' } } } }] } }]
      : [list];
    this.apiObject = new ApiObject(this, 'Resource', {
      ...API_KINDS.applicationSet,
      metadata: { namespace: 'argocd', ...props.metadata },
      spec: {
        goTemplate: true,
        goTemplateOptions: ['missingkey=error'],
        generators,
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
            name: clusters ? '{{.service}}-{{.environment}}-{{.name}}' : '{{.service}}-{{.environment}}',
            labels: { service: '{{.service}}', environment: '{{.environment}}' },
          },
          spec: {
            project: props.project ?? 'default',
            source: { repoURL: props.repoUrl, path: '{{.path}}', targetRevision: props.targetRevision ?? 'HEAD' },
            destination: { server: clusters ? '{{.server}}' : 'https://kubernetes.default.svc', namespace: '{{.namespace}}' },
            syncPolicy: { syncOptions: mergeSyncOptions(props.syncMode ?? ArgoCdSyncMode.APPLY_OUT_OF_SYNC_ONLY, props.syncOptions) },
          },
        },
        // Each element's own list, as JSON (valid YAML), and its file glob if it has one.
        templatePatch: TEMPLATE_PATCH,
      },
    });
    addRuleValidation(this, () => {
      const spec = this.apiObject.toJson().spec?.template?.spec;
      const property = props.syncOptions?.includes(RESPECT_IGNORE_DIFFERENCES) ? 'syncOptions' : 'syncMode';
      const found = props.folders.flatMap((f) => respectsListPaths(spec, property, ArgoCdApplication.controllerOwnedFields(f.syncs ?? [])));
      return [...new Map(found.map((v) => [v.message, v])).values()];
    });
  }
}
