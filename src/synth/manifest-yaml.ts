import { Yaml } from 'cdk8s';
import { goYamlQuoted, goYamlReadsOtherwise, GO_YAML_UNREADABLE, isGoYamlHazard } from './go-yaml';
import { yamlLibrary } from '../vendor-load';

/**
 * Renders manifests exactly as cdk8s `Yaml.stringify(...docs)` does, several times faster on
 * the usual Kubernetes manifest.
 *
 * Maps, lists, empty `{}`/`[]` and scalars are written directly in the block layout the `yaml`
 * library uses (two-space indent, sequences indented under their key, no line folding):
 * - strings the library surely writes plain (names, images, most queries) as they are;
 * - multi-line strings (a dashboard's JSON) as the `|-` literal block the library writes, when
 *   they neither start nor end with whitespace and hold no control character;
 * - any other string, number or boolean as `Yaml.stringify` renders it alone (cached), so quoting
 *   (`"8080"`, `"true"`, `'a: b'`) is the library's own decision.
 *
 * Unlike `Yaml.stringify`, strings Go's YAML library (kubectl, the API server, Argo CD) would read
 * as another value (`0o17`, `0X1F`, `<<`) or not at all (a raw U+2028, U+FEFF, DEL) are written
 * double-quoted with escapes, so every reader gets the string back. The library's constructs refuse
 * such strings in their own objects (`App.synth()` would write them unquoted), so for those the two
 * writers agree byte for byte.
 *
 * A document holding anything else (nulls, other multi-line strings, objects repeated by
 * reference, non-plain objects, keys over 1024 characters) or that is a scalar is rendered by
 * `Yaml.stringify` unchanged.
 */
export class ManifestYaml {
  /** Scalar the library renders → its single-line rendering, or `undefined` when it renders on several lines. */
  private readonly scalars = new Map<unknown, string | undefined>();

  /** The multi-document YAML of `docs`, byte-identical to `Yaml.stringify(...docs)`. */
  public stringify(docs: any[]): string {
    return docs.map((doc) => {
      const block = typeof doc === 'object' ? this.node(doc, '', new Set()) : undefined;
      return block === undefined ? goYamlSafeStringify(doc) : `${block}\n`;
    }).join('---\n');
  }

  /** A value in block layout at `indent`, or `undefined` when it needs the library. */
  private node(value: unknown, indent: string, seen: Set<object>): string | undefined {
    if (typeof value === 'string' && GO_YAML_UNREADABLE.test(value)) return goYamlQuoted(value);
    if (typeof value !== 'object') return this.scalar(value) ?? literalBlock(value, indent);
    if (value === null || seen.has(value)) return undefined;
    seen.add(value);
    const inner = `${indent}  `;
    if (Array.isArray(value)) {
      if (value.length === 0) return '[]';
      const items: string[] = [];
      for (const item of value) {
        const rendered = this.node(item, inner, seen);
        if (rendered === undefined) return undefined;
        items.push(`- ${rendered}`);
      }
      return items.join(`\n${indent}`);
    }
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return undefined;
    const keys = Object.keys(value);
    if (keys.length === 0) return '{}';
    const pairs: string[] = [];
    for (const key of keys) {
      const renderedKey = GO_YAML_UNREADABLE.test(key) ? goYamlQuoted(key) : this.scalar(key);
      const child = (value as any)[key];
      const rendered = this.node(child, inner, seen);
      if (renderedKey === undefined || renderedKey.length > 1024 || rendered === undefined) return undefined;
      const blockChild = typeof child === 'object' && rendered !== '{}' && rendered !== '[]';
      pairs.push(blockChild ? `${renderedKey}:\n${inner}${rendered}` : `${renderedKey}: ${rendered}`);
    }
    return pairs.join(`\n${indent}`);
  }

  /**
   * The library's rendering of a string, number or boolean, if it is one line. Quoted and plain
   * single-line scalars render the same as a document, a key or a value (lineWidth 0: no folding).
   */
  private scalar(value: unknown): string | undefined {
    const type = typeof value;
    if (type === 'string') {
      if (isPlain(value as string)) return value as string;
      if ((value as string).includes('\n')) return undefined;
    } else if ((type !== 'number' && type !== 'boolean') || Object.is(value, -0)) {
      return undefined; // -0: a Map key would confuse it with 0
    }
    // V8 hashes strings over 16383 characters by their length only: caching those would make
    // every lookup compare them all (quadratic in the app's size), and they seldom repeat anyway
    const cached = type !== 'string' || (value as string).length <= MAX_CACHED_LENGTH;
    if (cached && this.scalars.has(value)) return this.scalars.get(value);
    const yaml = Yaml.stringify(value);
    let rendered = yaml.indexOf('\n') === yaml.length - 1 ? yaml.slice(0, -1) : undefined;
    if (type === 'string' && rendered === value && goYamlReadsOtherwise(value as string)) rendered = goYamlQuoted(value as string);
    if (cached) this.scalars.set(value, rendered);
    return rendered;
  }
}

const MAX_CACHED_LENGTH = 1024;

/**
 * `Yaml.stringify(doc)`, with every string go-yaml would misread written by `goYamlQuoted`: each
 * is swapped for a unique placeholder the library writes plain, then the placeholder for it.
 */
function goYamlSafeStringify(doc: any): string {
  const originals: string[] = [];
  const nonce = `goyaml${Date.now().toString(36)}x`;
  const swap = (s: string) => (isGoYamlHazard(s) ? `${nonce}${originals.push(s) - 1}z` : s);
  const clones = new Map<object, any>();
  const clone = (value: any): any => {
    if (typeof value === 'string') return swap(value);
    if (typeof value !== 'object' || value === null) return value;
    const proto = Object.getPrototypeOf(value);
    if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return value;
    if (clones.has(value)) return clones.get(value);
    const copy: any = Array.isArray(value) ? [] : Object.create(proto);
    clones.set(value, copy);
    for (const [k, v] of Object.entries(value)) copy[Array.isArray(value) ? Number(k) : swap(k)] = clone(v);
    return copy;
  };
  const safe = clone(doc);
  if (originals.length === 0) return Yaml.stringify(doc);
  return Yaml.stringify(safe).replace(new RegExp(`${nonce}(\\d+)z`, 'g'), (_, i) => goYamlQuoted(originals[Number(i)]));
}

/**
 * Strings the library writes plain, unquoted: printable ASCII starting with a letter (so no
 * indicator), not holding `: ` or ` #`, not ending with a space or colon, and not read back as
 * another type by a YAML 1.1 tag (`yes`, `null`, `e3`...; the tag tests of the `yaml` this
 * package bundles, the version cdk8s bundles; the random-input tests hold the two to the same output).
 */
const PLAIN_TEXT = /^[A-Za-z][\x20-\x7e]*$/;
const NOT_PLAIN = /: | #|[ :]$/;
let otherTypes: RegExp[] | undefined;
/** The tests of the YAML 1.1 tags other than strings, from the library's own schema (read on first use). */
const otherTypeTests = () => otherTypes ??= (new (yamlLibrary().Document)(null, { version: '1.1' }).schema.tags as Array<{ default?: unknown; tag: string; test?: RegExp }>)
  .filter((tag) => tag.default && tag.tag !== 'tag:yaml.org,2002:str' && tag.test)
  .map((tag) => tag.test!);
/** Only booleans (at most 5 letters), nulls and exponent floats (`e3`) start with a letter. */
const mayBeOtherType = (value: string) => value.length <= 5 || value[0] === 'e' || value[0] === 'E';
const isPlain = (value: string) =>
  PLAIN_TEXT.test(value) && !NOT_PLAIN.test(value) && !(mayBeOtherType(value) && otherTypeTests().some((test) => test.test(value)));

/** Characters the library writes double-quoted (control characters, unpaired surrogates), and `\r`. */
const NEEDS_QUOTES = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]/u;
const isWhitespace = (char: string) => char === ' ' || char === '\n' || char === '\t';

/**
 * A multi-line string as the library writes it as a map value or list item (lineWidth 0, so a
 * literal block, strip chomping, every line after a run of newlines indented by `indent`), or
 * `undefined` for a string it writes otherwise (quoted, indentation or keep/clip indicators).
 */
function literalBlock(value: unknown, indent: string): string | undefined {
  if (typeof value !== 'string' || !value.includes('\n')) return undefined;
  if (isWhitespace(value[0]) || isWhitespace(value[value.length - 1]) || NEEDS_QUOTES.test(value)) return undefined;
  return `|-\n${indent}${value.replace(/\n+/g, `$&${indent}`)}`;
}
