import { ArgoCdIgnoreDifference } from './controller-owned-fields';

/** The sync option that makes a sync copy the live value of every ignored field into what it applies. */
export const RESPECT_IGNORE_DIFFERENCES = 'RespectIgnoreDifferences=true';

/**
 * How an Argo CD sync (self-heal included) treats the objects whose fields the Argo Rollouts
 * controller writes, given the computed `ignoreDifferences`.
 *
 * Either way an object whose only drift is in ignored fields is Synced and never re-applied for it
 * (https://argo-cd.readthedocs.io/en/stable/user-guide/diffing/).
 */
export class ArgoCdSyncMode {
  /**
   * `ApplyOutOfSyncOnly=true`: a sync applies only the objects that differ from Git outside the
   * ignored fields, each as written in Git, so a user's edit always lands. The controller's fields
   * on that object go back to Git's values (weights to the stable Service, subset hash labels
   * dropped; map keys the manifest never had, such as the Service selector's hash, stay) until
   * the controller reconciles the rollout. Argo Rollouts v1.9.1 watches, and on a change enqueues
   * (rate-limited) the rollouts referencing: a VirtualService (any change,
   * `rollout/trafficrouting/istio/controller.go`), a DestinationRule carrying its managed-by
   * annotation (same file, `syncDestinationRule`), a Service still carrying the hash selector
   * (`service/service.go`), an ALB Ingress listing the rollout in
   * `rollouts.argoproj.io/managed-alb-annotations` or an nginx stable or canary Ingress
   * (`ingress/ingress.go`), and a `workloadRef` Deployment (`rollout/templateref.go`). Gateway API
   * routes are not watched (the plugin writes them): Git's weights stay until the rollout's next
   * reconcile (a step's end, an analysis or ReplicaSet update, at the latest the resync,
   * `--rollout-resync`, default 15 minutes). A `workloadRef` Deployment with `scaleDown` gets Git's
   * replicas back when re-applied, until the controller scales it down again.
   */
  public static readonly APPLY_OUT_OF_SYNC_ONLY = new ArgoCdSyncMode('APPLY_OUT_OF_SYNC_ONLY', ['ApplyOutOfSyncOnly=true']);

  /**
   * `RespectIgnoreDifferences=true`: a sync applies Git's manifests with the live values of the
   * ignored fields (https://argo-cd.readthedocs.io/en/stable/user-guide/sync-options/#respect-ignore-difference-configs).
   * Argo CD v3.5.1 (`controller/sync.go`, `normalizeTargetResources`) copies them with a merge
   * patch, which replaces a list whole (every list of a custom resource, a built-in kind's lists
   * without a merge key such as `Ingress` `spec.rules`): a list holding an ignored field that Git
   * also has (a route's weights) comes whole from the live object, so a user's edit in it (a
   * match, retry, timeout, filter) is never applied and the app stays OutOfSync (argo-cd issues
   * #17694, #25284); a list whose ignored entries only the controller adds (subset hash labels,
   * the ALB header path) is taken from Git, dropping them. Only for apps whose ignores have no
   * path inside such a list (Services, ALB annotations, Deployment replicas); refused otherwise.
   */
  public static readonly RESPECT_IGNORE_DIFFERENCES = new ArgoCdSyncMode('RESPECT_IGNORE_DIFFERENCES', [RESPECT_IGNORE_DIFFERENCES]);

  /**
   * @param name the member's name
   * @param syncOptions the sync options it adds
   */
  private constructor(public readonly name: string, public readonly syncOptions: string[]) {}
}

/** The sync options of a mode after the user's own (theirs first, each option once). */
export function mergeSyncOptions(mode: ArgoCdSyncMode, own: string[] = []): string[] {
  return [...new Set([...own.filter((o) => !mode.syncOptions.includes(o)), ...mode.syncOptions])];
}

/** The API groups of Argo CD's scheme (client-go's `kubernetes/scheme`): objects of any other group are merged with a JSON merge patch. */
const BUILT_IN_GROUPS = new Set(['', 'admissionregistration.k8s.io', 'apiserverinternal.k8s.io', 'apps', 'authentication.k8s.io', 'authorization.k8s.io', 'autoscaling', 'batch', 'certificates.k8s.io', 'coordination.k8s.io', 'discovery.k8s.io', 'events.k8s.io', 'flowcontrol.apiserver.k8s.io', 'networking.k8s.io', 'node.k8s.io', 'policy', 'rbac.authorization.k8s.io', 'resource.k8s.io', 'scheduling.k8s.io', 'storage.k8s.io', 'storagemigration.k8s.io']);
/** Pod spec lists a strategic merge patch merges by key (`patchMergeKey` in k8s.io/api core/v1). */
const MERGED_BY_KEY = new Set(['containers', 'initContainers', 'ephemeralContainers', 'env', 'volumes', 'volumeMounts', 'ports']);

/** One ignored path a merge patch copies together with the whole list around it. */
export interface ListPath {
  readonly kind: string;
  readonly name: string;
  readonly path: string;
}

/**
 * The ignored paths inside a list that a RespectIgnoreDifferences sync takes whole from the live
 * object: every list of a custom resource, lists of built-in kinds but the pod spec's merge-keyed
 * ones. `managedFieldsManagers` entries name no path and are not judged.
 */
export function listPaths(ignores: ArgoCdIgnoreDifference[]): ListPath[] {
  const out: ListPath[] = [];
  for (const i of ignores) {
    const custom = !BUILT_IN_GROUPS.has(i.group ?? '');
    const lists = (fields: string[]) => (custom ? fields.length > 0 : !fields.every((f) => MERGED_BY_KEY.has(f)));
    for (const q of i.jqPathExpressions ?? []) {
      // The field each iteration or index applies to: `.spec.http[]`, `.route[0]`, `["x"][]`.
      const fields = [...q.matchAll(/(?:\.([A-Za-z_][A-Za-z0-9_]*)|\["([^"]*)"\])\??\[\s*-?\d*\s*\]/g)].map((m) => m[1] ?? m[2]);
      if (lists(fields)) out.push({ kind: i.kind, name: i.name ?? '*', path: q });
    }
    for (const p of i.jsonPointers ?? []) {
      const segments = p.split('/').slice(1);
      const fields = segments.flatMap((s, n) => (/^(\d+|-)$/.test(s) && n > 0 ? [segments[n - 1]] : []));
      if (lists(fields)) out.push({ kind: i.kind, name: i.name ?? '*', path: p });
    }
  }
  return out;
}
