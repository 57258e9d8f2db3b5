/**
 * Writing arbitrary text (node ids, message types, causes, log lines) into Mermaid source so that
 * Mermaid 11 always parses it and shows the original characters.
 *
 * How Mermaid reads text: before any diagram grammar runs, `encodeEntities` replaces every
 * `#name;` / `#123;` in the whole source by a placeholder (`ﬂ°…¶ß`), and after rendering turns the
 * placeholders back into HTML entities in the SVG. So an entity code survives every grammar and
 * shows as its character. We therefore write every character that some grammar treats as syntax
 * as a decimal entity code:
 *
 * - `;` ends a statement (sequence diagrams), `#` starts a comment or an entity, `%%` a comment,
 *   `:` separates a message from its text, `"` closes a quoted label, `<`/`>`/`&` are HTML,
 *   `{}`/`[]`/`|` build shapes and edge labels, a backtick starts a Markdown string;
 * - `$` (`$$…$$` is KaTeX math), `*` (and `_` where labels are Markdown);
 * - the placeholder characters `ﬂ ° ¶ ß` themselves (raw, Mermaid would turn `¶ß` into `;`);
 * - control characters and line breaks become a space.
 *
 * Letters, digits (any script, so `é`, `中文`), spaces, emoji and inert punctuation (`.,_'!?=+/@^~()-`,
 * dashes included: inside a label `-->` is just text) are written as they are so the source stays
 * readable. Every other ASCII symbol is encoded, whether or not a grammar needs it today.
 *
 * Identifiers are a separate problem: each grammar has keywords (`end`, `note`, `state`, …) and its
 * own idea of which characters an id may hold. {@link MermaidIds} keeps a name as its id only
 * when it is a plain identifier and not a keyword of any diagram we write, and otherwise gives it a
 * generated id (`p0`, `s1`, …); the exporters then show the real name as a label.
 */

/** ASCII characters written as they are (besides letters, digits and space). */
const ASCII_INERT = new Set(Array.from(".,_'!?=+/@^~()-"));

/** More characters to encode where Mermaid reads Markdown (state labels): emphasis marks. */
const MARKDOWN_MARKS = new Set(["_"]);

/** Characters Mermaid uses for its entity placeholders: never write them raw. */
const PLACEHOLDER_CHARS = new Set(["\uFB02", "\u00B0", "\u00B6", "\u00DF"]);

/** Options of {@link escapeMermaidText}. */
export interface MermaidTextOptions {
  /**
   * The text goes where Mermaid reads Markdown (a `state "…" as s0` label): also encode `_`, so
   * `_x_` does not turn italic. (`*` is always encoded.)
   */
  markdown?: boolean;
}

/**
 * Escape text for a Mermaid label (message text, note, participant alias, quoted node or state
 * label, edge label). The result contains no `"`, `;`, `#`-comment, `%`, `:`, `<>`, `{}`, `[]`,
 * `|`, `*`, `$`, backtick or line break, so it is safe inside and outside double quotes.
 *
 * @example
 * escapeMermaidText('say "hi"; x<y #1'); // "say #34;hi#34;#59; x#60;y #35;1"
 * escapeMermaidText("élection 中文 🚀"); // unchanged
 */
export function escapeMermaidText(text: string, options: MermaidTextOptions = {}): string {
  let out = "";
  let previous = "";
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    if (code < 0x80) {
      if (/[A-Za-z0-9 ]/.test(ch) || (ASCII_INERT.has(ch) && !(options.markdown && MARKDOWN_MARKS.has(ch)))) out += ch;
      else if (code < 0x20 || code === 0x7f) out += " ";
      else out += `#${code};`;
    } else if (/[\p{Cc}\p{Zl}\p{Zp}]/u.test(ch)) {
      out += " "; // C1 controls, line and paragraph separators
    } else if (PLACEHOLDER_CHARS.has(ch)) {
      // Mermaid turns the rendered pairs "ﬂ°" and "¶ß" back into "&" and ";" in the final SVG,
      // whatever their encoding: keep the pair apart with an invisible word joiner.
      if ((previous === "\uFB02" && ch === "\u00B0") || (previous === "\u00B6" && ch === "\u00DF")) out += "#8288;";
      out += `#${code};`;
    } else {
      out += ch;
    }
    previous = ch;
  }
  return out;
}

/**
 * Like {@link escapeMermaidText}, but an empty or all-blank text becomes `""` (shown as two
 * quote marks), because Mermaid drops empty labels or refuses them.
 *
 * @example
 * mermaidLabel("");      // '#34;#34;'
 * mermaidLabel("ping");  // "ping"
 */
export function mermaidLabel(text: string, options: MermaidTextOptions = {}): string {
  const escaped = escapeMermaidText(text, options).trim();
  return escaped === "" ? "#34;#34;" : escaped;
}

/**
 * Words that are keywords in the Mermaid grammars we write (sequence, state and flowchart
 * diagrams), compared case-insensitively. A name equal to one of them never becomes an id.
 */
const KEYWORDS = new Set(
  [
    // sequenceDiagram
    "participant", "actor", "as", "autonumber", "activate", "deactivate", "title", "accTitle",
    "accDescr", "note", "over", "left", "right", "of", "loop", "rect", "opt", "alt", "else",
    "par", "par_over", "and", "critical", "option", "break", "end", "box", "create", "destroy",
    "links", "link", "properties", "details", "off",
    // stateDiagram-v2
    "state", "direction", "classDef", "class", "style", "hide", "scale", "TB", "BT", "LR", "RL",
    "fork", "join", "choice", "concurrent", "stateDiagram", "sequenceDiagram",
    // flowchart
    "graph", "flowchart", "subgraph", "linkStyle", "click", "call", "href", "default",
    "interpolate", "TD", "_self", "_blank", "_parent", "_top",
  ].map((w) => w.toLowerCase()),
);

/** A plain identifier: ASCII letter, then letters, digits and `_`, at most 40 long. */
const PLAIN_ID = /^[A-Za-z][A-Za-z0-9_]{0,39}$/;

/**
 * Hands out Mermaid-safe ids for names, the same id for the same name. A name that is a plain
 * identifier (`n1`, `leader`, `read_ok`) and not a keyword is its own id, so the source stays
 * readable; any other name (`end`, `node 1`, `a-b`, `é`) gets `<prefix><n>`. Generated ids never
 * collide with kept names: a name of the form `<prefix><digits>` is never kept as is.
 *
 * @example
 * const ids = new MermaidIds("p");
 * ids.idFor("n1");    // "n1"
 * ids.idFor("end");   // "p0"
 * ids.idFor("p0");    // "p1" (looks like a generated id, so it gets one too)
 * ids.needsLabel("end"); // true: write `participant p0 as end`
 */
export class MermaidIds {
  /** Generated ids are this prefix and a counter. */
  readonly prefix: string;
  private readonly ids = new Map<string, string>();
  private readonly generated: RegExp;
  private next = 0;

  constructor(prefix: string) {
    if (!/^[A-Za-z]+$/.test(prefix)) throw new RangeError(`MermaidIds: prefix must be letters, got "${prefix}"`);
    this.prefix = prefix;
    this.generated = new RegExp(`^${prefix}\\d+$`, "i");
  }

  /** The id for `name`, allocating one on first use. */
  idFor(name: string): string {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.isPlain(name) ? name : `${this.prefix}${this.next++}`;
      this.ids.set(name, id);
    }
    return id;
  }

  /** True when `name`'s id differs from the name, so the diagram must show a label. */
  needsLabel(name: string): boolean {
    return this.idFor(name) !== name;
  }

  private isPlain(name: string): boolean {
    return PLAIN_ID.test(name) && !KEYWORDS.has(name.toLowerCase()) && !this.generated.test(name);
  }
}
