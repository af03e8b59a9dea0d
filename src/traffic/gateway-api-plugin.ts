import { ApiObject, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { GATEWAY_API_PLUGIN } from './gateway-api-traffic-split';
import { addObjectValidation, throwViolation } from '../validation/rule-violation';
import { yamlLibrary } from '../vendor-load';

/** The OS and CPU of the controller's nodes, which pick the plugin binary. */
export enum PluginPlatform {
  LINUX_AMD64 = 'linux-amd64',
  LINUX_ARM64 = 'linux-arm64',
}

/** The release download of the Gateway API plugin binary. */
export function gatewayApiPluginLocation(version: string, platform: PluginPlatform): string {
  return `https://github.com/argoproj-labs/rollouts-plugin-trafficrouter-gatewayapi/releases/download/${version}/gatewayapi-plugin-${platform}`;
}

/**
 * The permissions the Gateway API plugin documents (read Services, edit routes), as a ClusterRole
 * bound to the controller's ServiceAccount. Cluster-scoped: no namespace, whatever the chart's.
 */
export function grantGatewayApiPluginAccess(scope: Construct, name: string, serviceAccount: string, namespace: string): void {
  const role = new kplus.k8s.KubeClusterRole(scope, 'GatewayApiPluginRole', {
    metadata: { name },
    rules: [
      { apiGroups: [''], resources: ['services'], verbs: ['get'] },
      { apiGroups: ['gateway.networking.k8s.io'], resources: ['httproutes', 'grpcroutes', 'tcproutes', 'tlsroutes'], verbs: ['get', 'list', 'update', 'patch'] },
    ],
  });
  const binding = new kplus.k8s.KubeClusterRoleBinding(scope, 'GatewayApiPluginBinding', {
    metadata: { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
    subjects: [{ kind: 'ServiceAccount', name: serviceAccount, namespace }],
  });
  for (const obj of [role, binding]) {
    if (obj.metadata.namespace) ApiObject.of(obj).addJsonPatch(JsonPatch.remove('/metadata/namespace'));
  }
}

/** Properties of a `GatewayApiPlugin`. */
export interface GatewayApiPluginProps {
  /**
   * The controller's namespace (the ConfigMap must be there).
   * @default 'argo-rollouts'
   */
  readonly namespace?: string;
  /**
   * The plugin release. The `ignoreDifferences` `ArgoCdApplication` computes for its routes follow
   * what the default release's source writes.
   * @default GatewayApiPlugin.DEFAULT_VERSION
   */
  readonly version?: string;
  /**
   * The platform of the release binary.
   * @default PluginPlatform.LINUX_AMD64
   */
  readonly platform?: PluginPlatform;
  /**
   * Where the controller downloads the plugin (`https://` or `file://`), instead of the release.
   * @default - the GitHub release of `version` for `platform`
   */
  readonly location?: string;
  /**
   * SHA-256 of the binary; the controller refuses a download that does not match.
   * @default - not checked
   */
  readonly sha256?: string;
  /**
   * Also create the ClusterRole and ClusterRoleBinding the plugin needs to patch HTTPRoutes.
   * @default true
   */
  readonly rbac?: boolean;
  /**
   * The controller's ServiceAccount (bound to the ClusterRole).
   * @default 'argo-rollouts'
   */
  readonly serviceAccountName?: string;
}

/**
 * Registers the Gateway API traffic router plugin with the Argo Rollouts controller: the
 * `argo-rollouts-config` ConfigMap with its `trafficRouterPlugins` entry, and the RBAC the plugin
 * needs. Use it only when this app owns the controller's namespace (the controller's release
 * manifest ships an empty `argo-rollouts-config`; two owners of one ConfigMap fight in Argo CD).
 * The controller reads plugins at start: restart it after the first sync.
 */
export class GatewayApiPlugin extends Construct {
  /** The pinned plugin release. */
  public static readonly DEFAULT_VERSION = 'v0.15.0';

  /** The ConfigMap `argo-rollouts-config`. */
  public readonly configMap: kplus.ConfigMap;
  /** The `trafficRouterPlugins` entry (for a controller construct that writes the ConfigMap itself). */
  public readonly pluginEntry: { [key: string]: string };

  constructor(scope: Construct, id: string, props: GatewayApiPluginProps = {}) {
    super(scope, id);
    addObjectValidation(this);
    const namespace = props.namespace ?? 'argo-rollouts';
    if (props.location !== undefined && props.version !== undefined) {
      throwViolation(this, { property: 'location', field: 'data.trafficRouterPlugins[0].location', message: 'location and version both set; version only builds the release location', allowed: 'location or version' });
    }
    if (props.location !== undefined && !/^(https?|file):\/\//.test(props.location)) {
      throwViolation(this, { property: 'location', field: 'data.trafficRouterPlugins[0].location', message: `Invalid value: "${props.location}": the controller downloads plugins from http(s):// or loads them from file://`, allowed: 'an https:// or file:// URL' });
    }
    if (props.sha256 !== undefined && !/^[0-9a-f]{64}$/.test(props.sha256)) {
      throwViolation(this, { property: 'sha256', field: 'data.trafficRouterPlugins[0].sha256', message: `Invalid value: "${props.sha256}": not a SHA-256 hex digest`, allowed: '64 lower-case hex digits' });
    }
    const version = props.version ?? GatewayApiPlugin.DEFAULT_VERSION;
    const platform = props.platform ?? PluginPlatform.LINUX_AMD64;
    this.pluginEntry = {
      name: GATEWAY_API_PLUGIN,
      location: props.location ?? gatewayApiPluginLocation(version, platform),
      ...(props.sha256 ? { sha256: props.sha256 } : {}),
    };
    this.configMap = new kplus.ConfigMap(this, 'Config', {
      metadata: { name: 'argo-rollouts-config', namespace, labels: { 'app.kubernetes.io/part-of': 'argo-rollouts' } },
      data: { trafficRouterPlugins: yamlLibrary().stringify([this.pluginEntry]) },
    });
    if (props.rbac ?? true) {
      grantGatewayApiPluginAccess(this, 'argo-rollouts-gateway-api-plugin', props.serviceAccountName ?? 'argo-rollouts', namespace);
    }
  }
}
