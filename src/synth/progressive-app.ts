import { App, AppProps } from 'cdk8s';
import { synthesizeApp, synthesizeYaml } from './app-synthesis';

/**
 * A cdk8s `App` whose synthesis time grows linearly with the number of charts.
 *
 * `App.synth()` renders each chart with `chart.toJson()`, which validates and resolves the
 * dependencies of the whole app again, so an app of one chart per service takes quadratic time
 * (about a minute at 3000 charts). `ProgressiveApp` validates once, resolves dependencies once and
 * renders each chart once, and writes the same files, byte for byte, honouring `outdir`,
 * `outputFileExtension`, `yamlOutputType`, `resolvers` and `recordConstructMetadata`.
 * Unlike `App.synth()`, it writes nothing (not even the outdir) when validation fails.
 *
 * Drop-in: replace `new App(...)` with `new ProgressiveApp(...)`; `cdk8s synth` runs it unchanged.
 */
export class ProgressiveApp extends App {
  private readonly writesConstructMetadata: boolean;

  constructor(props: AppProps = {}) {
    super(props);
    this.writesConstructMetadata = props.recordConstructMetadata ?? process.env.CDK8S_RECORD_CONSTRUCT_METADATA === 'true';
  }

  /** Synthesizes all manifests to the output directory, in time linear in the number of charts. */
  public synth(): void {
    synthesizeApp(this, this.writesConstructMetadata);
  }

  /** Synthesizes the app into one YAML string, in time linear in the number of charts. */
  public synthYaml(): string {
    return synthesizeYaml(this);
  }
}
