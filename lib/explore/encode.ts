// Canonical encoding and hashing of search states. A state is identified by a 53-bit fingerprint
// (as TLC does, and SPIN's hash-compact mode): visited states are kept as numbers, never as
// objects. The fingerprint is built from parts, each cached on the object it describes, so a step
// that changes one node hashes only that node:
//   node    `hashValue(view(state))`: the canonical form (object keys sorted) hashed as it is walked,
//           no string built; plus the disk when restarts are possible
//   message `hashValue([dest, src, body])`, once when the message is sent
//   world   the node hashes in system order, then the message multiset as an order-free sum
//           (a multiset hash: equal multisets give equal sums whatever the order), then the budget spent
// Two different states collide with probability about n²/2⁵⁴ for n states (1e-5 for a million).
//
// Symmetry reduction renames node ids inside every part (string values and object keys equal to an
// id) and takes the smallest fingerprint over the allowed renamings: equivalent states get equal
// fingerprints without building a canonical representative.
import { mix32 } from "../partitioning/hash"; // MurmurHash3's 32-bit finaliser

/**
 * The canonical JSON of a value: objects with their keys sorted, `undefined` fields left out (as
 * `JSON.stringify` does), and every string found in `rename` (values and keys) replaced.
 *
 * @example
 * canonicalJson({ b: 1, a: ["n1"] }) // '{"a":["n1"],"b":1}'
 * canonicalJson({ votedFor: "n1" }, new Map([["n1", "n2"]])) // '{"votedFor":"n2"}'
 */
export function canonicalJson(value: unknown, rename?: ReadonlyMap<string, string>): string {
  return encode(value, rename);
}

function encode(value: unknown, rename: ReadonlyMap<string, string> | undefined): string {
  switch (typeof value) {
    case "string":
      return JSON.stringify(rename?.get(value) ?? value);
    case "number":
      return Number.isFinite(value) ? String(value) : "null";
    case "boolean":
      return value ? "true" : "false";
    case "object": {
      if (value === null) return "null";
      if (Array.isArray(value)) {
        let out = "[";
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ",";
          const v = value[i];
          out += v === undefined || typeof v === "function" ? "null" : encode(v, rename);
        }
        return out + "]";
      }
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj);
      const named = rename ? keys.map((k) => rename.get(k) ?? k) : keys;
      const order = named.map((_, i) => i).sort((a, b) => (named[a] < named[b] ? -1 : named[a] > named[b] ? 1 : 0));
      let out = "{";
      let first = true;
      for (const i of order) {
        const v = obj[keys[i]];
        if (v === undefined || typeof v === "function") continue;
        if (!first) out += ",";
        first = false;
        out += JSON.stringify(named[i]) + ":" + encode(v, rename);
      }
      return out + "}";
    }
    default:
      return "null"; // undefined, functions: not JSON (a machine's state should not hold them)
  }
}

/** A 53-bit fingerprint, as a JavaScript number (exact: below 2⁵³). */
export type Fingerprint = number;

// The running hash: two 32-bit lanes of MurmurHash3's block step, with different seeds, fed with
// 32-bit words; module variables so that hashing allocates nothing.
let laneA = 0;
let laneB = 0;
const F64 = new Float64Array(1);
const I32 = new Int32Array(F64.buffer);

function word(k: number): void {
  let x = Math.imul(k, 0xcc9e2d51);
  x = (x << 15) | (x >>> 17);
  x = Math.imul(x, 0x1b873593);
  laneA ^= x;
  laneA = (laneA << 13) | (laneA >>> 19);
  laneA = (Math.imul(laneA, 5) + 0xe6546b64) | 0;
  let y = Math.imul(k ^ 0x2545f491, 0x85ebca6b);
  y = (y << 17) | (y >>> 15);
  y = Math.imul(y, 0xc2b2ae35);
  laneB ^= y;
  laneB = (laneB << 11) | (laneB >>> 21);
  laneB = (Math.imul(laneB, 9) + 0x7f4a7c15) | 0;
}

// Strings (keys, ids, enum values) repeat endlessly: each is hashed once, to two independent
// 32-bit words, and fed as those. The cache is bounded: past STRINGS_MAX entries it is cleared.
const STRINGS_MAX = 100_000;
const strings = new Map<string, number>();

function text(t: string): void {
  let h = strings.get(t);
  if (h === undefined) {
    let a = 0x811c9dc5 ^ t.length;
    let b = 0x9747b28c;
    for (let i = 0; i < t.length; i++) {
      const c = t.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
      b ^= b >>> 15;
    }
    h = (mix32(a) & 0x1fffff) * 0x100000000 + mix32(b);
    if (strings.size >= STRINGS_MAX) strings.clear();
    strings.set(t, h);
  }
  const hi = Math.floor(h / 0x100000000);
  word(1);
  word(hi);
  word(h - hi * 0x100000000);
}

function value(v: unknown, rename: ReadonlyMap<string, string> | undefined): void {
  switch (typeof v) {
    case "string":
      text(rename === undefined ? v : (rename.get(v) ?? v));
      return;
    case "number":
      if ((v | 0) === v) {
        word(2);
        word(v);
      } else {
        F64[0] = Number.isFinite(v) ? v : NaN;
        word(3);
        word(I32[0]);
        word(I32[1]);
      }
      return;
    case "boolean":
      word(v ? 4 : 5);
      return;
    case "object": {
      if (v === null) return word(6);
      if (Array.isArray(v)) {
        word(7);
        word(v.length);
        for (let i = 0; i < v.length; i++) value(v[i], rename);
        return;
      }
      const obj = v as Record<string, unknown>;
      let keys = Object.keys(obj);
      if (rename !== undefined && keys.some((k) => rename.has(k))) {
        const named = keys.map((k) => rename.get(k) ?? k);
        const order = named.map((_, i) => i).sort((a, b) => (named[a] < named[b] ? -1 : named[a] > named[b] ? 1 : 0));
        word(8);
        for (const i of order) {
          const x = obj[keys[i]];
          if (x === undefined || typeof x === "function") continue;
          text(named[i]);
          value(x, rename);
        }
        return word(9);
      }
      for (let i = 1; i < keys.length; i++) {
        if (keys[i - 1] > keys[i]) {
          keys = keys.slice().sort();
          break;
        }
      }
      word(8);
      for (const k of keys) {
        const x = obj[k];
        if (x === undefined || typeof x === "function") continue;
        text(k);
        value(x, rename);
      }
      return word(9);
    }
    default:
      word(6); // undefined or a function: encoded as null, as canonicalJson does
  }
}

/**
 * The 53-bit fingerprint of a JSON value's canonical form: equal to the fingerprint of any value
 * with the same canonical JSON (key order does not matter), computed by walking the value (no
 * string is built). With `rename`, strings and keys are renamed first (symmetry reduction).
 *
 * @example hashValue({ a: 1, b: [true] }) === hashValue({ b: [true], a: 1 }) // true
 */
export function hashValue(v: unknown, rename?: ReadonlyMap<string, string>): Fingerprint {
  laneA = 0x3c6ef372;
  laneB = 0x1f83d9ab;
  value(v, rename);
  return join(mix32(laneA ^ 0x68e31da4), mix32(laneB ^ 0x5be0cd19));
}

/**
 * A 53-bit hash of a string (the fingerprint of the string as a JSON value).
 *
 * @example fingerprint('{"a":1}') === fingerprint('{"a":1}') // true
 */
export function fingerprint(t: string): Fingerprint {
  return hashValue(t);
}

/** Two 32-bit halves as one 53-bit number (21 bits of `hi`). */
function join(hi: number, lo: number): Fingerprint {
  return (hi & 0x1fffff) * 0x100000000 + (lo >>> 0);
}

/** The high 21 and low 32 bits of a fingerprint. */
function high(f: Fingerprint): number {
  return Math.floor(f / 0x100000000);
}

/**
 * Fold fingerprints in order (position matters): for the nodes of a state.
 *
 * @example combineOrdered([fingerprint("a"), fingerprint("b")]) !== combineOrdered([fingerprint("b"), fingerprint("a")])
 */
export function combineOrdered(parts: readonly Fingerprint[]): Fingerprint {
  laneA = 0x510e527f;
  laneB = 0x1b873593;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    const hi = high(p);
    word(hi);
    word(p - hi * 0x100000000);
  }
  return join(mix32(laneA ^ parts.length), mix32(laneB));
}

/**
 * Fold fingerprints as a multiset (order does not matter, multiplicity does): for messages in flight.
 *
 * @example combineUnordered([1, 2]) === combineUnordered([2, 1]) // true
 */
export function combineUnordered(parts: readonly Fingerprint[]): Fingerprint {
  let a = 0;
  let b = 0;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    const hi = high(p);
    const lo = p - hi * 0x100000000;
    a = (a + mix32(lo ^ Math.imul(hi, 0x27d4eb2f))) | 0;
    b = (b + mix32(hi ^ Math.imul(lo | 0, 0x165667b1) ^ 0x5bd1e995)) | 0;
  }
  return join(mix32(a ^ parts.length), mix32(b ^ 0x9e3779b9));
}
