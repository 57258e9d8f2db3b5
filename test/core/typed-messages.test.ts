// Typed messages: a protocol declares its messages once, as a map from each body `type` to its
// fields (an event map, as in mitt), and `sim.spawn<Msgs>` gives a node whose handlers, sends,
// replies, rpcs, multicasts and broadcasts are checked against it. Untyped nodes (`Node`, which is
// `Node<any>`) work as before. The `@ts-expect-error` lines pin the misuse the compiler must
// reject: `npm run typecheck` fails if any of them compiles. The runtime tests check that types
// change nothing at run time.
import { describe, expect, it } from "vitest";
import { Simulation } from "../../lib/simulation";
import type { BodiesOf, BodyOf, Message, MessageTypes, Node } from "../../lib/node";
import type { DeliverEvent, DropEvent, SendEvent, TraceEvent } from "../../lib/trace";

type Msgs = {
  ping: { n: number };
  pong: { n: number; text?: string };
  read: { key: string };
  read_ok: { value: number | null };
};

/** Checked by the compiler only (never called): what a typed node accepts and rejects. */
function typedPins(node: Node<Msgs>, untyped: Node, sim: Simulation): void {
  node.on("ping", (m) => {
    const n: number = m.body.n;
    node.reply(m, { type: "pong", n: n + 1 });
    // @ts-expect-error a field the message does not have
    void m.body.value;
  });
  node.on("read_ok", (m) => void (m.body.value satisfies number | null));
  node.send("b", { type: "ping", n: 1 });
  node.send("b", { type: "pong", n: 1, text: "optional fields may be given" });
  node.send("b", { type: "ping", n: 1, msg_id: 7 }); // the envelope's ids are always allowed
  node.multicast("group", { type: "read", key: "x" });
  node.broadcast({ type: "ping", n: 2 });
  // @ts-expect-error a field of the wrong type
  node.send("b", { type: "ping", n: "1" });
  // @ts-expect-error a missing field
  node.send("b", { type: "ping" });
  // @ts-expect-error a field the message does not have
  node.send("b", { type: "ping", n: 1, value: 2 });
  // @ts-expect-error a type the map does not declare
  node.send("b", { type: "pnig", n: 1 });
  // @ts-expect-error another message's fields
  node.broadcast({ type: "read", n: 1 });
  // @ts-expect-error a handler for a type the map does not declare
  node.on("pnig", () => {});
  // @ts-expect-error a reply body of the wrong shape
  node.on("read", (m) => node.reply(m, { type: "read_ok", value: "x" }));

  // rpc: the reply is any message of the map (narrow on its type), or the body type asked for
  void (async () => {
    const reply = await node.rpc("b", { type: "read", key: "x" });
    if (reply.body.type === "read_ok") void (reply.body.value satisfies number | null);
    const ok = await node.rpc<BodyOf<Msgs, "read_ok">>("b", { type: "read", key: "x" }, { timeoutMs: 10 });
    void (ok.body.value satisfies number | null);
    // @ts-expect-error the request must be a message of the map
    await node.rpc("b", { type: "read", key: 1 });
  })();

  // untyped nodes: any type, any fields, as before — but a body still needs a type
  untyped.on("anything", (m) => void m.body.whatever);
  untyped.send("b", { type: "anything", x: [1, 2] });
  // @ts-expect-error a body without a type
  untyped.send("b", { x: 1 });
  void (async () => {
    const r = await untyped.rpc<{ type: "read_ok"; value: number }>("b", { type: "read" });
    void (r.body.value satisfies number);
  })();

  // typed and untyped nodes mix: helpers written for `Node` take typed nodes
  const helper = (n: Node): string => n.id;
  helper(node);
  const typed = sim.spawn<Msgs>("t", (n) => n.on("ping", (m) => n.reply(m, { type: "pong", n: m.body.n })));
  void (typed satisfies Node<Msgs>);
  const handle: Node<Msgs> = sim.node<Msgs>("t");
  void handle;

  // the helper types
  const types: MessageTypes<Msgs>[] = ["ping", "pong", "read", "read_ok"];
  // @ts-expect-error not a type of the map
  const notAType: MessageTypes<Msgs> = "pnig";
  const body: BodiesOf<Msgs> = { type: "read", key: "k" };
  const message: Message<BodyOf<Msgs, "ping">> = { src: "a", dest: "b", body: { type: "ping", n: 3 } };
  void [types, notAType, body, message];
}

/** Checked by the compiler only: `trace.filter({ kinds })` is typed by the kinds given. */
function filterPins(sim: Simulation): void {
  const delivered: DeliverEvent[] = sim.trace.filter({ kinds: ["deliver"] });
  const sources: string[] = sim.trace.filter({ kinds: ["deliver"], types: ["ping"] }).map((e) => e.src);
  const reasons = sim.trace.filter({ kinds: ["drop"] }).map((e) => e.reason);
  const both: Array<SendEvent | DropEvent> = sim.trace.filter({ kinds: ["send", "drop"] });
  const all: TraceEvent[] = sim.trace.filter({ nodes: ["a"] });
  // @ts-expect-error a deliver event has no reason
  sim.trace.filter({ kinds: ["deliver"] }).map((e) => e.reason);
  // @ts-expect-error not a kind of event
  sim.trace.filter({ kinds: ["delivered"] });
  void [delivered, sources, reasons, both, all];
}

describe("typed messages", () => {
  it("are only types: a typed protocol runs exactly as the same untyped one", async () => {
    const run = async (typed: boolean): Promise<string> => {
      const sim = new Simulation({ seed: 5 });
      const server = (node: Node<Msgs>): void => {
        node.on("ping", (m) => node.reply(m, { type: "pong", n: m.body.n + 1 }));
        node.on("read", (m) => node.reply(m, { type: "read_ok", value: m.body.key.length }));
      };
      if (typed) sim.spawn<Msgs>("server", server);
      else sim.spawn("server", server as (node: Node) => void);
      const client = sim.spawn<Msgs>("client", (node) => node.on("pong", (m) => node.log(`pong ${m.body.n}`)));
      client.send("server", { type: "ping", n: 41 });
      const reply = await sim.runUntilSettled(client.rpc<BodyOf<Msgs, "read_ok">>("server", { type: "read", key: "abc" }));
      expect(reply.body).toEqual({ type: "read_ok", value: 3, in_reply_to: 2, msg_id: 2 });
      await sim.runFor(10);
      expect(sim.trace.filter({ kinds: ["log"] }).map((e) => e.text)).toEqual(["pong 42"]);
      return sim.trace.hash();
    };
    expect(await run(true)).toBe(await run(false));
  });

  it("leave untyped nodes as they were: any type, any field", async () => {
    const sim = new Simulation({ seed: 1 });
    sim.spawn("echo", (node) => node.on("echo", (m) => node.reply(m, { type: "echo_ok", echo: m.body.echo, extra: [1, { deep: true }] })));
    const client = sim.spawn("client");
    const reply = await sim.runUntilSettled(client.rpc("echo", { type: "echo", echo: "hi" }));
    expect(reply.body.echo).toBe("hi");
    expect(reply.body.extra).toEqual([1, { deep: true }]);
  });

  it("keep the compile-time pins above out of the run", () => {
    expect(typeof typedPins).toBe("function");
    expect(typeof filterPins).toBe("function");
  });
});
