/**
 * The trace hash: a 64-bit hash (two 32-bit lanes) of the JSON text of each event in turn, with a
 * separator after each event. It is defined on the text, so any way of producing the same text
 * gives the same hash: `add(event)` stringifies an event, while the trace's columns fold the same
 * text in pieces (`text`, `escaped`, `end`) without building the event.
 */
import type { TraceEvent } from "./events";

/** Scratch space for the digits of a number being folded in (least significant first). */
const DIGITS = new Uint8Array(16);

/**
 * A running trace hash: add events one by one, read the digest at any point, and go on adding.
 *
 * @example
 * const h = new EventHash();
 * for (const e of sim.trace.events) h.add(e);
 * h.digest() === sim.trace.hash(); // true for a whole trace
 */
export class EventHash {
  private h1 = 0xdeadbeef;
  private h2 = 0x41c6ce57;

  /** Fold in one event (its JSON text, then the separator). @example h.add({ kind: "heal", timeMs: 5 }) */
  add(e: TraceEvent): void {
    this.text(JSON.stringify(e));
    this.end();
  }

  /** Fold in a piece of an event's JSON text. @example h.text('{"kind":"heal","timeMs":5}') */
  text(s: string): void {
    let h1 = this.h1;
    let h2 = this.h2;
    for (let i = 0; i < s.length; i++) {
      const ch = s.charCodeAt(i);
      h1 = Math.imul(h1 ^ ch, 2654435761);
      h2 = Math.imul(h2 ^ ch, 1597334677);
    }
    this.h1 = h1;
    this.h2 = h2;
  }

  /**
   * Fold in `JSON.stringify(s)` without making it, for a string `s` that is itself JSON text (as
   * `JSON.stringify` writes it: no raw control characters, no lone surrogates), so only quotes
   * and backslashes need escaping. Anything else takes the plain route.
   *
   * @example
   * h.escaped('{"type":"ping"}'); // as h.text('"{\\"type\\":\\"ping\\"}"')
   */
  escaped(s: string): void {
    if (!plainJsonText(s)) return this.text(JSON.stringify(s));
    this.text('"');
    this.escapedPart(s);
    this.text('"');
  }

  /**
   * Fold in the inside of `JSON.stringify(s)` (without its quotes) for a part of JSON text that
   * `plainJsonText` accepts: quotes and backslashes get a backslash.
   *
   * @example
   * h.text('"'); h.escapedPart('{"a":'); h.escapedPart("1}"); h.text('"'); // as h.escaped('{"a":1}')
   */
  escapedPart(s: string): void {
    let h1 = this.h1;
    let h2 = this.h2;
    for (let i = 0; i < s.length; i++) {
      const ch = s.charCodeAt(i);
      if (ch === 34 || ch === 92) {
        h1 = Math.imul(h1 ^ 92, 2654435761); // a backslash first
        h2 = Math.imul(h2 ^ 92, 1597334677);
      }
      h1 = Math.imul(h1 ^ ch, 2654435761);
      h2 = Math.imul(h2 ^ ch, 1597334677);
    }
    this.h1 = h1;
    this.h2 = h2;
  }

  /**
   * `escapedPart` for ASCII JSON text stored as bytes (`bytes[start..end)`), without making the
   * string.
   *
   * @example
   * h.escapedBytes(Buffer.from('{"a":1}', "latin1"), 0, 7); // as h.escapedPart('{"a":1}')
   */
  escapedBytes(bytes: Uint8Array, start: number, end: number): void {
    let h1 = this.h1;
    let h2 = this.h2;
    for (let i = start; i < end; i++) {
      const ch = bytes[i];
      if (ch === 34 || ch === 92) {
        h1 = Math.imul(h1 ^ 92, 2654435761);
        h2 = Math.imul(h2 ^ 92, 1597334677);
      }
      h1 = Math.imul(h1 ^ ch, 2654435761);
      h2 = Math.imul(h2 ^ ch, 1597334677);
    }
    this.h1 = h1;
    this.h2 = h2;
  }

  /**
   * Fold in a number as JSON writes it; a whole number of up to 15 digits without making a string.
   *
   * @example
   * h.number(42); // as h.text("42")
   */
  number(n: number): void {
    if (!Number.isInteger(n) || n > 999_999_999_999_999 || n < -999_999_999_999_999 || Object.is(n, -0)) {
      this.text(Number.isFinite(n) ? `${n}` : "null");
      return;
    }
    let h1 = this.h1;
    let h2 = this.h2;
    if (n < 0) {
      h1 = Math.imul(h1 ^ 45, 2654435761); // "-"
      h2 = Math.imul(h2 ^ 45, 1597334677);
      n = -n;
    }
    let count = 0;
    do {
      const digit = n % 10; // exact: n is a whole number below 2^53
      DIGITS[count++] = 48 + digit;
      n = (n - digit) / 10;
    } while (n > 0);
    while (count > 0) {
      const ch = DIGITS[--count];
      h1 = Math.imul(h1 ^ ch, 2654435761);
      h2 = Math.imul(h2 ^ ch, 1597334677);
    }
    this.h1 = h1;
    this.h2 = h2;
  }

  /** End the event being folded in (the separator). @example h.end() */
  end(): void {
    this.h1 = Math.imul(this.h1 ^ 10, 2654435761);
  }

  /** The hash of the events added so far, as 16 hex digits. @example h.digest() // "9f2c…" */
  digest(): string {
    let h1 = this.h1;
    let h2 = this.h2;
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    return (h2 >>> 0).toString(16).padStart(8, "0") + (h1 >>> 0).toString(16).padStart(8, "0");
  }
}

/**
 * True when `JSON.stringify(s)` only adds quotes around `s` and a backslash before each quote and
 * backslash in it: no control characters, no lone surrogates (JSON text as `JSON.stringify`
 * writes it always qualifies).
 *
 * @example
 * plainJsonText('{"a":"b"}'); // true
 * plainJsonText("a\nb");      // true (the backslash is a character here)
 * plainJsonText("a\u0001");   // true
 * plainJsonText("\n");        // false: a raw newline
 */
export function plainJsonText(s: string): boolean {
  return !NOT_PLAIN.test(s);
}

/** Control characters and surrogates (a surrogate pair is fine, but a lone one is escaped: be safe). */
const NOT_PLAIN = /[\u0000-\u001f\ud800-\udfff]/;

/**
 * A stable 64-bit hash (two 32-bit lanes, hex) of a list of trace events. Equal traces give equal
 * hashes on every machine and process; use it to check that a seed replays a run exactly.
 *
 * @example
 * hashEvents(simA.trace.events) === hashEvents(simB.trace.events); // same seed, same program ⇒ true
 */
export function hashEvents(events: readonly TraceEvent[]): string {
  const h = new EventHash();
  for (const e of events) h.add(e);
  return h.digest();
}
