/**
 * Synthesises every example app (examples/<name>/main.ts, exporting `buildApp(outdir)`) into
 * dist/<name>/. Exits non-zero, naming the example, when one fails validation.
 */
import * as fs from 'fs';
import * as path from 'path';

const root = path.resolve(__dirname, '..');
const examplesDir = path.join(root, 'examples');
const distDir = path.join(root, 'dist');

let failed = false;
for (const name of fs.readdirSync(examplesDir).sort()) {
  const main = path.join(examplesDir, name, 'main.ts');
  if (!fs.existsSync(main)) continue;
  const outdir = path.join(distDir, name);
  fs.rmSync(outdir, { recursive: true, force: true });
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(main).buildApp(outdir).synth();
    const files = fs.readdirSync(outdir);
    console.log(`${name}: ${files.length} file(s) in ${path.relative(root, outdir)}/`);
  } catch (e: any) {
    failed = true;
    console.error(`${name}: ${e.message}`);
  }
}
process.exit(failed ? 1 : 0);
