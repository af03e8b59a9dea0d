import { ApiObject, ApiObjectMetadata, Chart, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { ArgoCdSyncMode, listPaths, mergeSyncOptions, RESPECT_IGNORE_DIFFERENCES } from './argocd-sync-mode';
import { ArgoCdIgnoreDifference, controllerOwnedFields } from './controller-owned-fields';
import { API_KINDS } from '../synth/api-kinds';
import { inlineCredential } from '../validation/credentials';
import { addRuleValidation, RuleViolation, throwViolation } from '../validation/rule-violation';

/** The annotation Argo CD orders a sync by (lower waves first, each healthy before the next). */
export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';

/** Properties of an `ArgoCdApplication`. */
export interface ArgoCdApplicationProps {
  /**
   * Metadata of the Application.
   * @default - a generated name, namespace argocd
   */
  readonly metadata?: ApiObjectMetadata;
  /** Git repository with the synthesised manifests (no credentials: Argo CD reads them from its repository Secrets). */
  readonly repoUrl: string;
  /** Directory of the manifests in the repository (e.g. `dist/seed-000-aragora`). */
  readonly path: string;
  /**
   * Branch, tag or commit.
   * @default 'HEAD'
   */
  readonly targetRevision?: string;
  /**
   * Argo CD project.
   * @default 'default'
   */
  readonly project?: string;
  /**
   * Namespace objects without one are deployed to.
   * @default - the chart's namespace
   */
  readonly destinationNamespace?: string;
  /**
   * Cluster API server.
   * @default 'https://kubernetes.default.svc' (the cluster Argo CD runs in)
   */
  readonly destinationServer?: string;
  /**
   * Sync automatically when Git changes.
   * @default true
   */
  readonly automated?: boolean;
  /**
   * Delete objects removed from Git (automated sync only).
   * @default true
   */
  readonly prune?: boolean;
  /**
   * Revert changes made in the cluster (automated sync only).
   * @default true
   */
  readonly selfHeal?: boolean;
  /**
   * How a sync treats the objects whose fields the controller writes (see `ArgoCdSyncMode`).
   * @default ArgoCdSyncMode.APPLY_OUT_OF_SYNC_ONLY
   */
  readonly syncMode?: ArgoCdSyncMode;
  /**
   * Sync options such as `CreateNamespace=true` or `ServerSideApply=true` (dashboards over 256 KiB),
   * before those of `syncMode`.
   * @default - only those of `syncMode`
   */
  readonly syncOptions?: string[];
  /**
   * The constructs whose objects this Application syncs; the fields the Argo Rollouts controller
   * writes on them are ignored (see `ArgoCdApplication.controllerOwnedFields`).
   * @default - every chart of the app
   */
  readonly syncs?: IConstruct[];
  /**
   * Further `ignoreDifferences` entries, after the computed ones.
   * @default - none
   */
  readonly ignoreDifferences?: ArgoCdIgnoreDifference[];
}

/**
 * An Argo CD Application that syncs the synthesised output from Git, with automated sync, prune and
 * self-heal by default.
 *
 * It never fights the Argo Rollouts controller: its `ignoreDifferences` list the fields the
 * controller writes mid-release on the objects it syncs (traffic weights, header and mirror routes,
 * Service selectors...; computed at synth time from the final Rollouts), so self-heal leaves them
 * alone: an ignored field never makes the Application OutOfSync
 * (https://argo-cd.readthedocs.io/en/stable/user-guide/diffing/). `syncMode` says what a sync of an
 * object the user changed in Git does with them (default `ApplyOutOfSyncOnly=true`: applies it as
 * written, the controller writes them again).
 */
export class ArgoCdApplication extends Construct {
  /**
   * The `ignoreDifferences` for the fields the Argo Rollouts controller writes on the objects under
   * `scopes` (their final JSON), one entry per object. See `controllerOwnedFields`.
   */
  public static controllerOwnedFields(scopes: IConstruct[]): ArgoCdIgnoreDifference[] {
    return controllerOwnedFields(apiObjectsOf(scopes).map((o) => o.toJson()));
  }

  /**
   * Puts every AnalysisTemplate and ClusterAnalysisTemplate under `scope` in sync wave -1, so Argo CD
   * applies them before the rollouts that reference them (a rollout whose template is missing fails
   * its analysis). Call it once the objects exist.
   */
  public static orderTemplatesFirst(scope: IConstruct): void {
    const kinds = [API_KINDS.analysisTemplate.kind, API_KINDS.clusterAnalysisTemplate.kind];
    for (const c of scope.node.findAll()) {
      if (c instanceof ApiObject && kinds.includes(c.kind)) c.metadata.addAnnotation(SYNC_WAVE_ANNOTATION, '-1');
    }
  }

  /** The Application. */
  public readonly apiObject: ApiObject;

  constructor(scope: Construct, id: string, props: ArgoCdApplicationProps) {
    super(scope, id);
    addRuleValidation(this, () => respectsListPaths(this.apiObject.toJson().spec, props.syncOptions?.includes(RESPECT_IGNORE_DIFFERENCES) ? 'syncOptions' : 'syncMode'));
    if (!/^(https?|ssh|git):\/\/[^\s]+$|^git@[^\s:]+:[^\s]+$/.test(props.repoUrl)) {
      throwViolation(this, { property: 'repoUrl', field: 'spec.source.repoURL', message: `Invalid value: "${props.repoUrl}": not a Git URL`, allowed: 'https://, ssh://, git:// or git@host:path URLs' });
    }
    const credential = inlineCredential(props.repoUrl);
    if (credential) {
      throwViolation(this, { property: 'repoUrl', field: 'spec.source.repoURL', message: `the URL carries credentials; secrets are never written into manifests (found ${credential})`, allowed: 'a URL without user:password@ (Argo CD repository credentials hold them)' });
    }
    if (props.path.startsWith('/') || props.path.split('/').includes('..')) {
      throwViolation(this, { property: 'path', field: 'spec.source.path', message: `Invalid value: "${props.path}": must be relative to the repository root, without ..`, allowed: 'a relative path such as dist/my-app' });
    }
    const automated = props.automated ?? true;
    if (!automated && (props.prune !== undefined || props.selfHeal !== undefined)) {
      throwViolation(this, { property: props.prune !== undefined ? 'prune' : 'selfHeal', field: 'spec.syncPolicy.automated', message: 'prune and selfHeal apply to automated sync only', allowed: 'automated: true, or no prune/selfHeal' });
    }
    this.apiObject = new ApiObject(this, 'Resource', {
      ...API_KINDS.application,
      metadata: { namespace: 'argocd', ...props.metadata },
      spec: {
        project: props.project ?? 'default',
        source: { repoURL: props.repoUrl, path: props.path, targetRevision: props.targetRevision ?? 'HEAD' },
        destination: {
          server: props.destinationServer ?? 'https://kubernetes.default.svc',
          namespace: props.destinationNamespace ?? Chart.of(this).namespace,
        },
        syncPolicy: {
          automated: automated ? { prune: props.prune ?? true, selfHeal: props.selfHeal ?? true } : undefined,
          syncOptions: mergeSyncOptions(props.syncMode ?? ArgoCdSyncMode.APPLY_OUT_OF_SYNC_ONLY, props.syncOptions),
        },
        ignoreDifferences: Lazy.any({
          produce: () => {
            const entries = [...ArgoCdApplication.controllerOwnedFields(props.syncs ?? [this.node.root]), ...(props.ignoreDifferences ?? [])];
            return entries.length ? entries : undefined;
          },
        }),
      },
    });
  }
}

/**
 * The violations of an Application (or template) spec with `RespectIgnoreDifferences=true` whose
 * ignores have a path inside a list that sync would take whole from the live object.
 */
export function respectsListPaths(spec: any, property: string, ignores: ArgoCdIgnoreDifference[] = spec?.ignoreDifferences ?? []): RuleViolation[] {
  if (!(spec?.syncPolicy?.syncOptions ?? []).includes(RESPECT_IGNORE_DIFFERENCES)) return [];
  return listPaths(ignores).map((p) => ({
    property,
    field: 'spec.syncPolicy.syncOptions',
    message: `${RESPECT_IGNORE_DIFFERENCES} with the ignored path ${p.path} of ${p.kind} ${p.name}, inside a list: Argo CD's sync takes such a list whole, from the live object when Git has the field (a change to the list in Git is never applied, argo-cd #17694), else from Git (the live value is dropped)`,
    allowed: 'ArgoCdSyncMode.APPLY_OUT_OF_SYNC_ONLY (the default), or RESPECT_IGNORE_DIFFERENCES only for ignores outside lists',
  }));
}

/** The kinds `controllerOwnedFields` reads: Rollouts, the Deployments they may take over, the Gateway API routes a plugin selector may pick. */
const READ_KINDS = ['Rollout', 'Deployment', 'HTTPRoute', 'GRPCRoute', 'TCPRoute', 'TLSRoute'];

/** Every object of those kinds under the scopes, once each (other objects are not rendered). */
function apiObjectsOf(scopes: IConstruct[]): ApiObject[] {
  const seen = new Set<ApiObject>();
  for (const scope of scopes) {
    for (const c of scope.node.findAll()) if (c instanceof ApiObject && READ_KINDS.includes(c.kind)) seen.add(c);
  }
  return [...seen];
}
