import * as fs from 'fs';
import * as path from 'path';

const RELEASE_DOWNLOADS = 'https://github.com/argoproj/argo-rollouts/releases/download';
const BUNDLED_DIR = path.join('imports', 'argo-rollouts');

/**
 * Where `RolloutsController` reads the release's install manifest (CRDs, RBAC, ConfigMap, metrics
 * Service, Deployment) and its notification catalogue (built-in templates and triggers) from.
 */
export class ControllerManifests {
  /** The Argo Rollouts release this library is validated against. */
  public static readonly PINNED_VERSION = 'v1.9.1';

  /**
   * The manifests published with a release on GitHub, downloaded at synth time (needs network access
   * to github.com; use it for a release other than the pinned one).
   * @param version release tag, e.g. `v1.9.1`; also the controller image tag
   */
  public static fromRelease(version: string = ControllerManifests.PINNED_VERSION): ControllerManifests {
    return new ControllerManifests(version, `${RELEASE_DOWNLOADS}/${version}/install.yaml`, `${RELEASE_DOWNLOADS}/${version}/notifications-install.yaml`);
  }

  /**
   * The copies of the pinned release's manifests shipped in this package (`imports/argo-rollouts/`):
   * no network needed at synth time.
   */
  public static bundled(): ControllerManifests {
    return new ControllerManifests(ControllerManifests.PINNED_VERSION, bundledManifest('install.yaml'), bundledManifest('notifications-install.yaml'));
  }

  /**
   * Local files or URLs of a release's `install.yaml` and `notifications-install.yaml`.
   * @param version the release they belong to (the controller image tag)
   */
  public static fromFiles(version: string, install: string, notifications: string): ControllerManifests {
    return new ControllerManifests(version, install, notifications);
  }

  private constructor(
    /** The release tag. */
    public readonly version: string,
    /** File path or URL of `install.yaml`. */
    public readonly install: string,
    /** File path or URL of `notifications-install.yaml`. */
    public readonly notifications: string,
  ) {}
}

/**
 * Path of a bundled manifest: `imports/` sits at the package root, two levels above `src/controller`
 * in the sources and three above `lib/src/controller` once compiled.
 */
function bundledManifest(file: string): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const candidate = path.join(dir, BUNDLED_DIR, file);
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error(`${path.join(BUNDLED_DIR, file)} is missing from the package; run \`npx projen import\``);
}
