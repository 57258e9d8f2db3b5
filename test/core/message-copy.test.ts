// The network carries a JSON copy of each body (like labrpc's encoding): sender and receivers never
// share objects, and the bytes counted are the UTF-8 length of that JSON.
import { describe, expect, it } from "vitest";
import { Simulation } from "../../lib/simulation";
import { latency } from "../../lib/net";
import type { Message } from "../../lib/node";
import type { SendEvent } from "../../lib/trace/events";

describe("message copy", () => {
  it("mutating a body after send does not change what the receiver gets", async () => {
    const sim = new Simulation({ seed: 1 });
    const got: unknown[] = [];
    sim.spawn("b", (node) => node.on("m", (msg) => void got.push(msg.body)));
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
    sim.spawn("b", (node) => node.on("m", (msg) => void got.push(msg.body)));
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
