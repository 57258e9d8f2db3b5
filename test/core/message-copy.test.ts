// The network carries a JSON copy of each body (like labrpc's encoding): sender and receivers never
// share objects, and the bytes counted are the UTF-8 length of that JSON.
import { describe, expect, it } from "vitest";
import { Simulation } from "../../lib/simulation";
import { latency } from "../../lib/net";
import { Prng } from "../../lib/sim";
import type { Body, Message } from "../../lib/node";
import { toWire } from "../../lib/node/wire";
import type { SendEvent } from "../../lib/trace/events";

describe("message copy", () => {
  it("mutating a body after send does not change what the receiver gets", async () => {
    const sim = new Simulation({ seed: 1 });
    const got: unknown[] = [];
    sim.spawn("b", (node) => node.on("m", (msg) => got.push(msg.body)));
    const a = sim.spawn("a");
    const body = { type: "m", list: [1, 2], nested: { x: 1 } };
    a.send("b", body);
    body.list.push(3);
    body.nested.x = 99;
    await sim.run();
    expect(got).toEqual([{ type: "m", msg_id: 1, list: [1, 2], nested: { x: 1 } }]);
  });

  it("send does not add msg_id to the caller's object; it returns it", () => {
    const sim = new Simulation({ seed: 1 });
    sim.spawn("b", () => {});
    const a = sim.spawn("a");
    const body = { type: "m" };
    expect(a.send("b", body)).toBe(1);
    expect(a.send("b", body)).toBe(2);
    expect(body).toEqual({ type: "m" });
  });

  it("a handler that mutates its message does not change other receivers' copies, the duplicate, or the trace", async () => {
    const sim = new Simulation({ seed: 1, network: { duplicationProbability: 1 } });
    const seen: Record<string, unknown[]> = { b: [], c: [] };
    const receiver = (node: import("../../lib/node").Node) =>
      node.on("m", (msg: Message) => {
        seen[node.id].push(structuredClone(msg.body));
        msg.body.items.push(node.id); // vandalise the copy we got
        msg.body.type = "changed";
      });
    sim.spawn("b", receiver);
    sim.spawn("c", receiver);
    const a = sim.spawn("a");
    const body = { type: "m", msg_id: 7, items: ["from a"] };
    a.send("b", body);
    a.send("c", body);
    await sim.run();
    const original = { type: "m", msg_id: 7, items: ["from a"] };
    expect(seen).toEqual({ b: [original, original], c: [original, original] }); // each also got the duplicate intact
    expect(body).toEqual(original);
    const sends = sim.trace.filter({ kinds: ["send"] }) as SendEvent[];
    expect(sends.map((s) => JSON.parse(s.json))).toEqual([original, original]);
  });

  it("a reply is a copy too: mutating it after reply does not reach the requester", async () => {
    const sim = new Simulation({ seed: 1 });
    sim.spawn("server", (node) =>
      node.on("get", (req) => {
        const answer = { type: "get_ok", values: [1] };
        node.reply(req, answer);
        answer.values.push(2);
      }),
    );
    const client = sim.spawn("client");
    const reply = await sim.runUntilSettled(client.rpc("server", { type: "get" }));
    expect(reply.body).toEqual({ type: "get_ok", values: [1], in_reply_to: 1, msg_id: 1 });
  });

  it("fields JSON cannot carry are dropped, as on a real wire", async () => {
    const sim = new Simulation({ seed: 1 });
    const got: unknown[] = [];
    sim.spawn("b", (node) => node.on("m", (msg) => got.push(msg.body)));
    sim.spawn("a").send("b", { type: "m", f: () => 1, u: undefined, when: new Date(0) } as never);
    await sim.run();
    expect(got).toEqual([{ type: "m", msg_id: 1, when: "1970-01-01T00:00:00.000Z" }]);
  });

  it("bytes recorded = UTF-8 byte length of the JSON (non-ASCII text)", async () => {
    const sim = new Simulation({ seed: 1 });
    sim.spawn("b", (node) => node.on("m", () => {}));
    const a = sim.spawn("a");
    const bodies = [
      { type: "m", msg_id: 1, text: "hello" },
      { type: "m", msg_id: 2, text: "héllo wörld" }, // 2 bytes each for é, ö
      { type: "m", msg_id: 3, text: "日本語" }, // 3 bytes each
      { type: "m", msg_id: 4, text: "🌍" }, // 4 bytes (a surrogate pair in JS: length 2)
    ];
    for (const body of bodies) a.send("b", body);
    await sim.run();
    const sends = sim.trace.filter({ kinds: ["send"] }) as SendEvent[];
    const utf8 = (s: string) => new TextEncoder().encode(s).length;
    const expectedBytes = bodies.map((b) => utf8(JSON.stringify(b)));
    expect(sends.map((s) => s.bytes)).toEqual(expectedBytes);
    expect(expectedBytes[3] - expectedBytes[0]).toBe(4 - 5); // "🌍" (4 bytes) vs "hello" (5)
    expect(expectedBytes[2]).toBe(JSON.stringify(bodies[2]).length + 2 * 3);
    expect(sim.counters.bytesSent).toBe(expectedBytes.reduce((s, x) => s + x, 0));
  });

  it("bandwidth uses the UTF-8 byte count, not the string length", async () => {
    const sim = new Simulation({ seed: 1, network: { latency: latency.constant(0), bandwidthBytesPerMs: 1 } });
    sim.spawn("b", (node) => node.on("m", () => {}));
    sim.spawn("a").send("b", { type: "m", msg_id: 1, t: "日本" });
    await sim.run();
    const json = JSON.stringify({ type: "m", msg_id: 1, t: "日本" });
    const deliver = sim.trace.filter({ kinds: ["deliver"] })[0];
    expect(deliver.timeMs).toBe(json.length + 4); // 2 characters of 3 bytes each = 4 more bytes than characters
  });
});

describe("the wire copy is exactly JSON.stringify, then JSON.parse", () => {
  /** Deep equality that also checks key order, prototypes and -0, and that no object is shared. */
  function expectSameAsJson(body: unknown, msgId?: number): void {
    // with a msgId, the wire carries Object.assign({}, body, { msg_id }) (what send() means)
    const sent = msgId === undefined ? body : Object.assign({}, body, { msg_id: msgId });
    let expected: string | undefined;
    let expectedError: unknown;
    try {
      expected = JSON.stringify(sent);
    } catch (e) {
      expectedError = e;
    }
    if (expectedError !== undefined) {
      expect(() => toWire(body as Body, msgId)).toThrow((expectedError as Error).constructor as new () => Error);
      return;
    }
    const wire = toWire(body as Body, msgId);
    expect(wire.json).toBe(expected);
    expect(wire.bytes).toBe(Buffer.byteLength(expected!));
    const parsed = JSON.parse(expected!);
    const same = (x: unknown, y: unknown, path: string): void => {
      if (typeof y !== "object" || y === null) {
        expect(Object.is(x, y), `${path}: ${String(x)} vs ${String(y)}`).toBe(true);
        return;
      }
      expect(typeof x === "object" && x !== null, path).toBe(true);
      expect(Object.getPrototypeOf(x), path).toBe(Object.getPrototypeOf(y));
      expect(Object.keys(x as object), path).toEqual(Object.keys(y));
      for (const k of Object.keys(y)) same((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k], `${path}.${k}`);
    };
    same(wire.copy, parsed, "body");
    const originals = new Set<unknown>();
    const collect = (v: unknown): void => {
      if (typeof v === "object" && v !== null && !originals.has(v)) {
        originals.add(v);
        for (const k of Object.keys(v)) collect((v as Record<string, unknown>)[k]);
      }
    };
    collect(body);
    const shared: string[] = [];
    const check = (v: unknown, path: string): void => {
      if (typeof v === "object" && v !== null) {
        if (originals.has(v)) shared.push(path);
        for (const k of Object.keys(v)) check((v as Record<string, unknown>)[k], `${path}.${k}`);
      }
    };
    check(wire.copy, "copy");
    expect(shared, "objects shared between the body and its copy").toEqual([]);
  }

  class Point {
    constructor(
      readonly x: number,
      readonly y: number,
    ) {}
    get norm(): number {
      return Math.hypot(this.x, this.y);
    }
  }
  const cyclic: Record<string, unknown> = { type: "loop" };
  cyclic.self = cyclic;
  let deep: unknown = { type: "leaf" };
  for (let i = 0; i < 100; i++) deep = { type: "deep", child: deep };
  const holes = [1, , 3]; // eslint-disable-line no-sparse-arrays
  const withExtra = Object.assign([1, 2], { extra: "ignored" });

  const cases: Array<[string, unknown]> = [
    ["plain", { type: "m", n: 1, s: "x", b: true, z: null }],
    ["numbers", { type: "m", values: [0, -0, 1.5, -2e-7, 1e21, 2 ** 53, Number.MAX_VALUE, Number.MIN_VALUE, NaN, Infinity, -Infinity] }],
    ["-0 alone", { type: "m", zero: -0 }],
    ["undefined, functions and symbols", { type: "m", u: undefined, f: () => 1, s: Symbol("s"), list: [undefined, () => 1, Symbol("t")] }],
    ["strings needing escapes", { type: 'quote " backslash \\ tab \t newline \n nul \u0000 del \u007f', ls: "\u2028\u2029" }],
    ["non-ASCII and surrogates", { type: "m", e: "héllo", cjk: "日本語", emoji: "🌍", lone: "\ud800x", low: "\udc00", pair: "\ud83d\ude00" }],
    ["keys that need quoting", { type: "m", 'a"b': 1, "c\\d": 2, "é": 3, "": 4, "\n": 5 }],
    ["integer-like keys come first", { type: "m", b: 1, 2: "two", a: 2, 1: "one", "-1": "minus", "01": "zero-one" }],
    ["nested arrays and objects", { type: "m", grid: [[1, 2], [], [{ a: [{}] }]], nested: { deeper: { deepest: [null, false] } } }],
    ["array holes and extra properties", { type: "m", holes, withExtra }],
    ["a Date (toJSON)", { type: "m", when: new Date(0) }],
    ["an own toJSON", { type: "m", inner: { toJSON: () => "custom" } }],
    ["a class instance (getter not serialised)", { type: "m", p: new Point(3, 4) }],
    ["a Map and a Set", { type: "m", map: new Map([["a", 1]]), set: new Set([1]) }],
    ["boxed primitives", { type: "m", n: new Number(3), s: new String("x"), b: new Boolean(false) }],
    ["a null-prototype object", { type: "m", bare: Object.assign(Object.create(null), { a: 1 }) }],
    ["a __proto__ key", JSON.parse('{"type":"m","__proto__":{"polluted":true}}')],
    ["a getter", { type: "m", get computed() { return 42; } }],
    ["typed array", { type: "m", bytes: new Uint8Array([1, 2]) }],
    ["deep nesting", deep],
    ["a cycle (JSON's own error)", cyclic],
    ["a BigInt (JSON's own error)", { type: "m", big: 10n }],
  ];
  for (const [name, body] of cases) {
    it(name, () => expectSameAsJson(body));
    it(`${name}, with a msg_id added`, () => expectSameAsJson(body, 7));
  }

  it("adding a msg_id to a body that has a msg_id key (even undefined) keeps the key's place", () => {
    expectSameAsJson({ type: "m", msg_id: undefined, after: 1 }, 9);
    expectSameAsJson({ msg_id: undefined }, 9);
  });

  it("many random bodies", () => {
    const prng = new Prng(31);
    const pieces = ["a", "é", "日", "🌍", '"', "\\", "\n", "\u0001", "\ud800", " ", "z", "0"];
    const randomString = (): string => Array.from({ length: prng.int(0, 6) }, () => prng.pick(pieces)).join("");
    const randomValue = (depth: number): unknown => {
      switch (prng.int(0, depth > 3 ? 6 : 8)) {
        case 0: return prng.int(-1000, 1000);
        case 1: return prng.pick([0, -0, 0.1, 1e300, -1e-300, NaN, Infinity, 2 ** 31]);
        case 2: return randomString();
        case 3: return prng.chance(0.5);
        case 4: return null;
        case 5: return prng.pick([undefined, () => 0]);
        case 6: return Array.from({ length: prng.int(0, 4) }, () => randomValue(depth + 1));
        default: {
          const o: Record<string, unknown> = {};
          for (let i = prng.int(0, 5); i > 0; i--) o[prng.pick([randomString(), String(prng.int(0, 20)), "type", "msg_id"])] = randomValue(depth + 1);
          return o;
        }
      }
    };
    for (let i = 0; i < 2000; i++) {
      const body = { type: randomString(), body: randomValue(0), extra: randomValue(2) };
      expectSameAsJson(body);
      expectSameAsJson(body, i);
      expectSameAsJson(randomValue(0), i); // any value at the top, even one send() would refuse
    }
  });
});
