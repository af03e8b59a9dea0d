/**
 * Checks, before anything loads them, that the peer dependencies are installed, so a missing one is
 * one sentence saying what to install instead of a stack trace from inside a dependency.
 */
const PEERS: Array<[string, string]> = [['constructs', '^10.4.2'], ['cdk8s', '^2.70.106'], ['cdk8s-plus-27', '^2.9.5']];

/** The sentence for the first peer `resolve` cannot find, if any. */
export function missingPeerMessage(resolve: (name: string) => string = require.resolve): string | undefined {
  for (const [name, range] of PEERS) {
    try {
      resolve(name);
    } catch {
      const why = name === 'cdk8s-plus-27' ? ' (cdk8s init installs a newer cdk8s-plus, whose classes these constructs do not accept; both can be installed side by side)' : '';
      return `cdk8s-argo-rollouts needs the peer dependency ${name}@${range}, which is not installed: run \`npm install ${name}@${range}\`${why}`;
    }
  }
  return undefined;
}

const missing = missingPeerMessage();
if (missing) throw new Error(missing);
