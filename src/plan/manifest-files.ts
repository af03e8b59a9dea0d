import * as fs from 'fs';
import * as path from 'path';
import type { Document, LineCounter } from '../vendor/yaml';
import { yamlLibrary } from '../vendor-load';

const EXTENSIONS = ['.yaml', '.yml', '.json'];

/** A Kubernetes object read from a file, with a way to find the line of any of its fields. */
export interface ManifestObject {
  readonly object: any;
  readonly file: string;
  /** Line (from 1) of the value at `fieldPath`, or of its closest parent that exists. */
  lineOf(fieldPath: (string | number)[]): number;
}

/** Input that cannot be read: the message names the file and line. */
export class ManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestError';
  }
}

/**
 * Reads every object of the given files, and of the `.yaml`/`.yml`/`.json` files under the given
 * directories (in name order), multi-document YAML included.
 */
export function readManifests(paths: string[]): { files: string[]; objects: ManifestObject[] } {
  const files = paths.flatMap((p) => {
    if (!fs.existsSync(p)) throw new ManifestError(`${p}: no such file or directory`);
    return fs.statSync(p).isDirectory() ? manifestFilesUnder(p) : [p];
  });
  return { files, objects: files.flatMap(readFile) };
}

function manifestFilesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return manifestFilesUnder(full);
      return EXTENSIONS.includes(path.extname(entry.name).toLowerCase()) ? [full] : [];
    });
}

function readFile(file: string): ManifestObject[] {
  const lineCounter = new (yamlLibrary().LineCounter)();
  const documents = yamlLibrary().parseAllDocuments(fs.readFileSync(file, 'utf8'), { lineCounter });
  const objects: ManifestObject[] = [];
  for (const document of documents) {
    const error = document.errors[0];
    if (error) {
      const at = error.linePos?.[0];
      const message = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      throw new ManifestError(`${file}:${at ? `${at.line}:${at.col}` : '1'}: YAML does not parse: ${message}`);
    }
    const value = document.toJS();
    const items: any[] = Array.isArray(value) ? value : value === null || value === undefined ? [] : [value];
    items.forEach((object, i) => {
      const prefix = Array.isArray(value) ? [i] : [];
      objects.push({ object, file, lineOf: (fieldPath) => lineOf(document, lineCounter, [...prefix, ...fieldPath]) });
    });
  }
  return objects;
}

function lineOf(document: Document, lineCounter: LineCounter, fieldPath: (string | number)[]): number {
  for (let n = fieldPath.length; n >= 0; n--) {
    const node: any = n === 0 ? document.contents : document.getIn(fieldPath.slice(0, n), true);
    if (node?.range) return lineCounter.linePos(node.range[0]).line;
  }
  return 1;
}
