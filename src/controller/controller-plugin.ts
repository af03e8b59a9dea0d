import { GatewayApiPlugin, gatewayApiPluginLocation, PluginPlatform } from '../traffic/gateway-api-plugin';
import { GATEWAY_API_PLUGIN } from '../traffic/gateway-api-traffic-split';
import { inlineCredential } from '../validation/credentials';

/** The kinds of plugin the controller loads, each a key of `argo-rollouts-config`. */
export enum PluginKind {
  /** `trafficRouterPlugins`: used by `trafficRouting.plugins.<name>`. */
  TRAFFIC_ROUTER = 'trafficRouterPlugins',
  /** `metricProviderPlugins`: used by `provider.plugin.<name>` in analysis metrics. */
  METRIC_PROVIDER = 'metricProviderPlugins',
  /** `stepPlugins`: used by canary `plugin` steps. */
  STEP = 'stepPlugins',
}

/** Where a plugin binary comes from and how it is started. */
export interface ControllerPluginOptions {
  /** `https://...` (downloaded by the controller at start) or `file://...` (already in the image or a volume). */
  readonly location: string;
  /**
   * SHA-256 of the binary, checked by the controller after download.
   * @default - not checked
   */
  readonly sha256?: string;
  /**
   * Command-line arguments of the plugin process.
   * @default - none
   */
  readonly args?: string[];
}

/** Options of the Gateway API traffic router plugin. */
export interface GatewayApiPluginOptions {
  /**
   * Release of `argoproj-labs/rollouts-plugin-trafficrouter-gatewayapi`.
   * @default GatewayApiPlugin.DEFAULT_VERSION
   */
  readonly version?: string;
  /**
   * Operating system and architecture of the controller's nodes.
   * @default PluginPlatform.LINUX_AMD64
   */
  readonly platform?: PluginPlatform;
  /**
   * SHA-256 of the binary (from the release's checksums), checked by the controller.
   * @default - not checked
   */
  readonly sha256?: string;
  /**
   * Location of the binary, instead of the release download (e.g. a mirror, or `file://` for an
   * init container copy).
   * @default - the GitHub release asset for `version` and `platform`
   */
  readonly location?: string;
}

/** The controller's rule for plugin names (GitHub owner/repository). */
const PLUGIN_NAME = /^([a-zA-Z0-9-]+)\/{1}([a-zA-Z0-9_\-.]+)$/;

/**
 * A plugin registered in the controller ConfigMap `argo-rollouts-config`.
 */
export class ControllerPlugin {
  /** A traffic router plugin, used by rollouts as `trafficRouting.plugins["<name>"]`. */
  public static trafficRouter(name: string, options: ControllerPluginOptions): ControllerPlugin {
    return new ControllerPlugin(PluginKind.TRAFFIC_ROUTER, name, options);
  }

  /** A metric provider plugin, used by analysis metrics as `provider.plugin["<name>"]`. */
  public static metricProvider(name: string, options: ControllerPluginOptions): ControllerPlugin {
    return new ControllerPlugin(PluginKind.METRIC_PROVIDER, name, options);
  }

  /** A step plugin, used by `CanaryStep.plugin(name, ...)`. */
  public static step(name: string, options: ControllerPluginOptions): ControllerPlugin {
    return new ControllerPlugin(PluginKind.STEP, name, options);
  }

  /**
   * The Gateway API traffic router plugin (`argoproj-labs/gatewayAPI`), downloaded from its GitHub
   * release; the controller also gets the RBAC it needs on Gateway API routes.
   */
  public static gatewayApi(options: GatewayApiPluginOptions = {}): ControllerPlugin {
    const version = options.version ?? GatewayApiPlugin.DEFAULT_VERSION;
    const location = options.location ?? gatewayApiPluginLocation(version, options.platform ?? PluginPlatform.LINUX_AMD64);
    return new ControllerPlugin(PluginKind.TRAFFIC_ROUTER, GATEWAY_API_PLUGIN, { location, sha256: options.sha256 });
  }

  private constructor(
    /** The ConfigMap key it is listed under. */
    public readonly kind: PluginKind,
    /** `<owner>/<name>`, as rollouts and templates refer to it. */
    public readonly name: string,
    private readonly options: ControllerPluginOptions,
  ) {}

  /** Whether it is the Gateway API plugin. */
  public get isGatewayApi(): boolean {
    return this.kind === PluginKind.TRAFFIC_ROUTER && this.name === GATEWAY_API_PLUGIN;
  }

  /** The list entry under its ConfigMap key. */
  public toJson(): any {
    return { name: this.name, location: this.options.location, sha256: this.options.sha256, args: this.options.args };
  }

  /**
   * What the controller would refuse when it loads the ConfigMap or downloads the plugin.
   * @internal
   */
  public _errors(): string[] {
    const errors: string[] = [];
    if (!PLUGIN_NAME.test(this.name)) errors.push(`plugin repository (${this.name}) must be in the format of <namespace>/<name>`);
    if (!/^(https?|file):\/\/./.test(this.options.location)) errors.push(`${this.name}: plugin location must be of http(s) or file scheme, got "${this.options.location}"`);
    const credential = inlineCredential(this.options.location);
    if (credential) errors.push(`${this.name}: location holds ${credential}; secrets are never written into manifests: use a URL without credentials, or file:// with the binary copied by an init container`);
    if (this.options.sha256 !== undefined && !/^[a-f0-9]{64}$/.test(this.options.sha256)) {
      errors.push(`${this.name}: sha256 must be 64 lower-case hex digits, got "${this.options.sha256}"`);
    }
    return errors;
  }
}
