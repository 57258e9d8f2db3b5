// MapReduce applications and the sequential reference (Dean & Ghemawat, "MapReduce: Simplified
// Data Processing on Large Clusters", OSDI 2004, §2 "Programming Model"; the shape of the map and
// reduce functions follows MIT 6.5840's lab 1). A user writes two functions: map turns one input
// file into intermediate key/value pairs, reduce turns all values of one key into one output value.
// Everything else — splitting, scheduling, the shuffle, retries — is the library's business, and
// whatever it does, the result must equal this file's sequential run.

/** One intermediate pair. Values are text, as in 6.5840 (a count is written "1"). */
export interface KeyValue {
  key: string;
  value: string;
}

/** A MapReduce application: a name and the two functions of the programming model (§2.1). */
export interface MapReduceApp {
  name: string;
  map(file: string, contents: string): KeyValue[];
  reduce(key: string, values: string[]): string;
}

/** One input file. */
export interface InputFile {
  file: string;
  contents: string;
}

/**
 * FNV-1a, 32 bits, as 6.5840's `ihash` (non-negative): the partition of a key is
 * `ihash(key) % nReduce`, so every map task sends a given key to the same reduce task (§4.1,
 * "Partitioning Function"). Hashes the key's UTF-8 bytes.
 *
 * @example
 * ihash("");      // 18652613 (0x811c9dc5 with the top bit cleared)
 * ihash("a");     // 1678518572
 * ihash("hello") % 10; // the reduce task that counts "hello"
 */
export function ihash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c < 0x80) {
      h = Math.imul(h ^ c, 0x01000193);
      continue;
    }
    // the UTF-8 bytes of a non-ASCII character
    let cp = c;
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < key.length) {
      const d = key.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) { cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00); i++; }
    }
    if (cp >= 0xd800 && cp < 0xe000) cp = 0xfffd; // a lone surrogate encodes as U+FFFD, as TextEncoder does
    if (cp < 0x800) {
      h = Math.imul(h ^ (0xc0 | (cp >> 6)), 0x01000193);
    } else if (cp < 0x10000) {
      h = Math.imul(h ^ (0xe0 | (cp >> 12)), 0x01000193);
      h = Math.imul(h ^ (0x80 | ((cp >> 6) & 0x3f)), 0x01000193);
    } else {
      h = Math.imul(h ^ (0xf0 | (cp >> 18)), 0x01000193);
      h = Math.imul(h ^ (0x80 | ((cp >> 12) & 0x3f)), 0x01000193);
      h = Math.imul(h ^ (0x80 | ((cp >> 6) & 0x3f)), 0x01000193);
    }
    h = Math.imul(h ^ (0x80 | (cp & 0x3f)), 0x01000193);
  }
  return (h & 0x7fffffff) >>> 0;
}

/**
 * Byte-order (UTF-8) comparison of two strings; UTF-16 code-unit order differs for astral characters.
 *
 * @example
 * ["b", "é", "B"].sort(compareKeys); // ["B", "b", "é"]
 */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  // For strings without surrogates, code-unit order equals code-point (and UTF-8 byte) order.
  if (!HAS_SURROGATE.test(a) && !HAS_SURROGATE.test(b)) return a < b ? -1 : 1;
  const x = utf8(a), y = utf8(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

const HAS_SURROGATE = /[\uD800-\uDFFF]/;
const ENCODER = new TextEncoder();
function utf8(text: string): Uint8Array {
  return ENCODER.encode(text);
}

/**
 * Group pairs by key (keys in byte order) and reduce each group to one output line
 * `"<key> <value>\n"`, in the order the pairs came for each key. Used by reduce tasks and by
 * {@link runSequential}.
 *
 * @example
 * reduceAll(wordCount, [{ key: "b", value: "1" }, { key: "a", value: "1" }, { key: "b", value: "1" }]);
 * // "a 1\nb 2\n"
 */
export function reduceAll(app: MapReduceApp, pairs: readonly KeyValue[]): string {
  const groups = new Map<string, string[]>();
  for (const { key, value } of pairs) {
    const g = groups.get(key);
    if (g === undefined) groups.set(key, [value]);
    else g.push(value);
  }
  return reduceGroups(app, groups);
}

/**
 * Reduce values already grouped by key: one line `"<key> <value>\n"` per key, keys in byte order.
 *
 * @example
 * reduceGroups(wordCount, new Map([["b", ["1"]], ["a", ["1", "1"]]])); // "a 2\nb 1\n"
 */
export function reduceGroups(app: MapReduceApp, groups: ReadonlyMap<string, string[]>): string {
  const keys = [...groups.keys()].sort(compareKeys);
  const lines: string[] = new Array(keys.length);
  for (let i = 0; i < keys.length; i++) lines[i] = `${keys[i]} ${app.reduce(keys[i], groups.get(keys[i])!)}\n`;
  return lines.join("");
}

/**
 * MapReduce §4.3's combiner: partial merging on the map side. Groups a map task's pairs by key
 * and applies the app's reduce to each group, one pair per key (keys in first-seen order). Valid
 * only for a reduce that is associative and accepts its own output as a value — as word count's
 * and the inverted index's are.
 *
 * @example
 * combinePairs(wordCount, [{ key: "a", value: "1" }, { key: "b", value: "1" }, { key: "a", value: "1" }]);
 * // [{ key: "a", value: "2" }, { key: "b", value: "1" }]
 */
export function combinePairs(app: MapReduceApp, pairs: readonly KeyValue[]): KeyValue[] {
  const groups = new Map<string, string[]>();
  for (const { key, value } of pairs) {
    const g = groups.get(key);
    if (g === undefined) groups.set(key, [value]);
    else g.push(value);
  }
  const out: KeyValue[] = [];
  for (const [key, values] of groups) out.push({ key, value: app.reduce(key, values) });
  return out;
}

/**
 * The reference output: map every input, sort all pairs by key, reduce each key, one line per key
 * `"<key> <value>\n"`, keys in byte order (6.5840's `mrsequential`). Every distributed run's output
 * (the `mr-out-*` files' lines, sorted) must be byte-identical to this.
 *
 * @example
 * runSequential(wordCount, [{ file: "a.txt", contents: "to be or not to be" }]);
 * // "be 2\nnot 1\nor 1\nto 2\n"
 */
export function runSequential(app: MapReduceApp, inputs: readonly InputFile[]): string {
  const pairs: KeyValue[] = [];
  for (const { file, contents } of inputs) for (const kv of app.map(file, contents)) pairs.push(kv);
  return reduceAll(app, pairs);
}

/**
 * Sort the lines of a text (byte order) and join them again with a final newline: how the
 * concatenation of the `mr-out-*` files is compared with {@link runSequential}.
 *
 * @example
 * sortOutputLines("b 1\na 2\n"); // "a 2\nb 1\n"
 */
export function sortOutputLines(text: string): string {
  const lines = text.split("\n").filter((l) => l.length > 0);
  lines.sort(compareKeys);
  return lines.length === 0 ? "" : lines.join("\n") + "\n";
}

const WORD = /\p{L}+/gu;

/**
 * Word count (§2.1's first example): map emits `(word, "1")` for every maximal run of letters
 * (case kept); reduce sums its values as integers, so it also works as a combiner (§4.3).
 *
 * @example
 * wordCount.map("f", "a b a");          // [{key:"a",value:"1"},{key:"b",value:"1"},{key:"a",value:"1"}]
 * wordCount.reduce("a", ["1", "2"]);    // "3"
 */
export const wordCount: MapReduceApp = {
  name: "word count",
  map(_file, contents) {
    const words = contents.match(WORD) ?? [];
    const out: KeyValue[] = new Array(words.length);
    for (let i = 0; i < words.length; i++) out[i] = { key: words[i], value: "1" };
    return out;
  },
  reduce(_key, values) {
    let sum = 0;
    for (const v of values) sum += parseInt(v, 10);
    return String(sum);
  },
};

/**
 * Inverted index (§2.3, "Inverted Index"): map emits `(word, file)` once per distinct word of a
 * file; reduce gives `"<n> <file1>,<file2>,…"` — the number of distinct files and their sorted
 * names. Reduce also accepts its own output as a value, so partially combined values work.
 *
 * @example
 * invertedIndex.map("f1", "a b a");                 // [{key:"a",value:"f1"},{key:"b",value:"f1"}]
 * invertedIndex.reduce("a", ["f2", "f1", "f2"]);    // "2 f1,f2"
 */
export const invertedIndex: MapReduceApp = {
  name: "inverted index",
  map(file, contents) {
    const seen = new Set<string>();
    const out: KeyValue[] = [];
    for (const word of contents.match(WORD) ?? []) {
      if (seen.has(word)) continue;
      seen.add(word);
      out.push({ key: word, value: file });
    }
    return out;
  },
  reduce(_key, values) {
    const files = new Set<string>();
    for (const v of values) {
      const space = v.indexOf(" ");
      // a combined value "<n> f1,f2" or a bare file name
      if (space > 0 && /^\d+$/.test(v.slice(0, space))) for (const f of v.slice(space + 1).split(",")) files.add(f);
      else files.add(v);
    }
    const sorted = [...files].sort(compareKeys);
    return `${sorted.length} ${sorted.join(",")}`;
  },
};
