import { Yaml } from 'cdk8s';

/**
 * Renders manifests exactly as cdk8s `Yaml.stringify(...docs)` does, about ten times faster on
 * the usual Kubernetes manifest.
 *
 * A manifest made of non-empty maps and lists, empty `{}`/`[]`, and single-line strings, numbers
 * and booleans is written directly in the block layout the `yaml` library uses (two-space
 * indent, sequences indented under their key, no line folding). Each scalar is rendered once by
 * `Yaml.stringify` itself and cached, so quoting (`"8080"`, `"true"`, `'a "b"'`) is the library's
 * own decision (identifier-like strings that are not YAML 1.1 keywords are plain, written as
 * they are). Multi-line string values (a dashboard's JSON, a long query) are written as the
 * `|-` literal blocks the library writes for them, when they neither start nor end with
 * whitespace and hold no control character. Any other manifest (nulls, other multi-line strings,
 * objects repeated by reference, non-plain objects, keys over 1024 characters, a document that is
 * a scalar) is rendered by `Yaml.stringify` unchanged.
 */
export class ManifestYaml {
  /** Scalar → its single-line rendering, or `undefined` when it renders on several lines. */
  private readonly scalars = new Map<unknown, string | undefined>();

  /** The multi-document YAML of `docs`, byte-identical to `Yaml.stringify(...docs)`. */
  public stringify(docs: any[]): string {
    return docs.map((doc) => {
      const block = typeof doc === 'object' ? this.node(doc, '', new Set()) : undefined;
      return block === undefined ? Yaml.stringify(doc) : `${block}\n`;
    }).join('---\n');
  }

  /** A value in block layout at `indent`, or `undefined` when it needs the library. */
  private node(value: unknown, indent: string, seen: Set<object>): string | undefined {
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
      const renderedKey = this.scalar(key);
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
    if (Object.is(value, -0)) return undefined; // a Map key would confuse it with 0
    if (this.scalars.has(value)) return this.scalars.get(value);
    let rendered: string | undefined;
    const type = typeof value;
    if (type === 'string' && IDENTIFIER.test(value as string) && !YAML_1_1_KEYWORD.test(value as string)) {
      rendered = value as string;
    } else if ((type === 'string' && !(value as string).includes('\n')) || type === 'number' || type === 'boolean') {
      const yaml = Yaml.stringify(value);
      rendered = yaml.indexOf('\n') === yaml.length - 1 ? yaml.slice(0, -1) : undefined;
    }
    this.scalars.set(value, rendered);
    return rendered;
  }
}

/**
 * Strings the library writes plain, unquoted, in YAML 1.1: a letter, then letters, digits, `_`, `.`,
 * `/` and `-` (no indicator, space or colon; not a number, date or `.inf`), unless a keyword.
 */
const IDENTIFIER = /^[A-Za-z][\w./-]*$/;
const YAML_1_1_KEYWORD = /^(?:y|yes|n|no|true|false|on|off|null)$/i;

/** Characters the library writes double-quoted (control characters, unpaired surrogates), and `\r`. */
const NEEDS_QUOTES = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]/u;
const EDGE_WHITESPACE = /^[\t\n ]|[\t\n ]$/;

/**
 * A multi-line string as the library writes it as a map value or list item (lineWidth 0, so a
 * literal block, strip chomping, every line after a run of newlines indented by `indent`), or
 * `undefined` for a string it writes otherwise (quoted, indentation or keep/clip indicators).
 */
function literalBlock(value: unknown, indent: string): string | undefined {
  if (typeof value !== 'string' || !value.includes('\n') || EDGE_WHITESPACE.test(value) || NEEDS_QUOTES.test(value)) return undefined;
  return `|-\n${indent}${value.replace(/\n+/g, (newlines) => newlines + indent)}`;
}
