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
  /**
   * What is wrong with `toWire(body, msgId)`, as a list (empty when the copy is exactly
   * JSON.stringify, then JSON.parse): deep equality that also checks key order, prototypes and
   * -0, that no object is shared with the body, and the byte count. One `expect` per body, not
   * one per value, keeps hundreds of bodies fast.
   */
  function jsonCopyProblems(body: unknown, msgId?: number, encode: typeof toWire = toWire): string[] {
    // with a msgId, the wire carries Object.assign({}, body, { msg_id }) (what send() means)
    const sent = msgId === undefined ? body : Object.assign({}, body, { msg_id: msgId });
    let expected: string;
    try {
      expected = JSON.stringify(sent);
    } catch (e) {
      try {
        encode(body as Body, msgId);
        return [`toWire did not throw; JSON.stringify threw ${(e as Error).name}`];
      } catch (w) {
        return (w as Error).constructor === (e as Error).constructor ? [] : [`toWire threw ${(w as Error).name}, JSON.stringify ${(e as Error).name}`];
      }
    }
    const problems: string[] = [];
    const wire = encode(body as Body, msgId);
    if (wire.json !== expected) problems.push(`json ${wire.json} ≠ ${expected}`);
    if (wire.bytes !== Buffer.byteLength(expected)) problems.push(`bytes ${wire.bytes} ≠ ${Buffer.byteLength(expected)}`);
    const same = (x: unknown, y: unknown, path: string): void => {
      if (typeof y !== "object" || y === null) {
        if (!Object.is(x, y)) problems.push(`${path}: ${String(x)} ≠ ${String(y)}`);
        return;
      }
      if (typeof x !== "object" || x === null) return void problems.push(`${path}: ${String(x)} is not an object`);
      if (Object.getPrototypeOf(x) !== Object.getPrototypeOf(y)) problems.push(`${path}: another prototype`);
      const keys = Object.keys(x);
      if (JSON.stringify(keys) !== JSON.stringify(Object.keys(y))) problems.push(`${path}: keys ${JSON.stringify(keys)} ≠ ${JSON.stringify(Object.keys(y))}`);
      for (const k of Object.keys(y)) same((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k], `${path}.${k}`);
    };
    same(wire.copy, JSON.parse(expected), "body");
    const originals = new Set<unknown>();
    const collect = (v: unknown): void => {
      if (typeof v === "object" && v !== null && !originals.has(v)) {
        originals.add(v);
        for (const k of Object.keys(v)) collect((v as Record<string, unknown>)[k]);
      }
    };
    collect(body);
    const check = (v: unknown, path: string): void => {
      if (typeof v === "object" && v !== null) {
        if (originals.has(v)) problems.push(`${path}: shared with the body`);
        for (const k of Object.keys(v)) check((v as Record<string, unknown>)[k], `${path}.${k}`);
      }
    };
    check(wire.copy, "copy");
    return problems;
  }

  function expectSameAsJson(body: unknown, msgId?: number): void {
    expect(jsonCopyProblems(body, msgId)).toEqual([]);
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

  it("the checker reports a wrong copy: a shared object, a kept -0, reordered keys, a wrong byte count", () => {
    const body = { type: "m", list: [1, { a: -0 }], é: "x" };
    const wrong: Record<string, typeof toWire> = {
      "shares an object": (b, id) => ({ ...toWire(b, id), copy: { ...toWire(b, id).copy, list: (b as typeof body).list } }),
      "copies with structuredClone (keeps -0, which JSON turns into 0)": (b, id) => ({ ...toWire(b, id), copy: structuredClone({ ...b, msg_id: id }) }),
      "reorders keys": (b, id) => ({ ...toWire(b, id), copy: Object.fromEntries(Object.entries(toWire(b, id).copy).reverse()) as Body }),
      "counts characters, not bytes": (b, id) => ({ ...toWire(b, id), bytes: toWire(b, id).json.length }),
    };
    expect(jsonCopyProblems(body, 3)).toEqual([]);
    for (const [name, encode] of Object.entries(wrong)) expect(jsonCopyProblems(body, 3, encode), name).not.toEqual([]);
  });

  // Generated bodies, a fixed set (no loop whose size or time depends on luck): every kind of
  // value in every position — alone, in an object, in an array, deep — every awkward string as a
  // value, a key and a type, then a few hundred seeded random mixtures. Each is checked twice
  // over in order and in reverse, so the encoder's state after any body (a fallback, a non-ASCII
  // string, an error) meets every other kind of body next.
  const PIECES = ["a", "é", "日", "🌍", '"', "\\", "\n", "\u0001", "\ud800", "\udc00", " ", "z", "0", "\u2028"];
  const LEAVES: unknown[] = [
    0, -0, 7, -1000, 0.1, 1e300, -1e-300, NaN, Infinity, -Infinity, 2 ** 31, 2 ** 53 + 2,
    "", "plain ascii", PIECES.join(""), ...PIECES, true, false, null, undefined, () => 0, Symbol("s"), [], {},
  ];
  const generated: unknown[] = [];
  /** Values that are not objects, at the top: only with a msg_id (a body that send() would refuse). */
  const topLevel: unknown[] = [];
  for (const leaf of LEAVES) {
    generated.push({ type: "m", v: leaf }, { type: "m", list: [leaf, 1, leaf] }, { type: "m", deep: { x: [{ y: leaf }, [leaf]] } }, [leaf]);
    topLevel.push(leaf);
  }
  for (const piece of PIECES) {
    generated.push({ type: piece }, { type: "m", [piece]: 1, [`k${piece}`]: piece }, { type: "m", nested: { [piece]: [piece], msg_id: piece } });
  }
  {
    const prng = new Prng(31);
    const randomString = (): string => Array.from({ length: prng.int(0, 6) }, () => prng.pick(PIECES)).join("");
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
    for (let i = 0; i < 200; i++) {
      generated.push({ type: randomString(), body: randomValue(0), extra: randomValue(2) });
      if (i % 4 === 0) topLevel.push(randomValue(0));
    }
  }

  it(`${generated.length} generated bodies, every kind of value in every position, in order and in reverse`, () => {
    const problems: string[] = [];
    const all = [...generated, ...generated.slice().reverse()];
    all.forEach((body, i) => {
      for (const msgId of [undefined, i]) for (const p of jsonCopyProblems(body, msgId)) problems.push(`body ${i % generated.length}, msg_id ${msgId}: ${p}`);
    });
    topLevel.forEach((value, i) => {
      for (const p of jsonCopyProblems(value, i)) problems.push(`top-level value ${i}: ${p}`);
    });
    expect(all).toHaveLength(2 * generated.length);
    expect(topLevel).toHaveLength(LEAVES.length + 50);
    expect(problems).toEqual([]);
  });
});
