import * as fs from 'fs';
import * as path from 'path';

const root = path.join(__dirname, '..');

// CI installs the packed tarball into test/consumer-app and runs `cdk8s synth` there (.ci/run), so
// the Quick start users copy is proven to compile with cdk8s init's strict tsconfig and to synthesise.
test('the README Quick start is test/consumer-app/main.ts, verbatim', () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Quick start'));
  const block = /```ts\n([\s\S]*?)```\n/.exec(section)?.[1];
  expect(block).toEqual(fs.readFileSync(path.join(root, 'test', 'consumer-app', 'main.ts'), 'utf8'));
});
