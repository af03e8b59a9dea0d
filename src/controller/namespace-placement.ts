import { ApiObject, JsonPatch } from 'cdk8s';

/** Kinds of the release and of this library that are cluster-scoped. */
const CLUSTER_SCOPED_KINDS = ['CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding', 'ClusterAnalysisTemplate', 'Namespace'];

/** Whether objects of a kind have no namespace. */
export function isClusterScoped(kind: string): boolean {
  return CLUSTER_SCOPED_KINDS.includes(kind);
}

/**
 * Puts an object in a namespace or, for a cluster-scoped kind, leaves it without one.
 */
export function placeInNamespace(obj: ApiObject, namespace: string): void {
  if (isClusterScoped(obj.kind)) {
    clearNamespace(obj);
  } else {
    obj.addJsonPatch(JsonPatch.add('/metadata/namespace', namespace));
  }
}

/** Removes the namespace a chart gives every object (cdk8s does so even for cluster-scoped kinds). */
export function clearNamespace(obj: ApiObject): void {
  if (obj.metadata.namespace !== undefined) obj.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
}
