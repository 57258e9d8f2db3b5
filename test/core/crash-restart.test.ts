// Crash and restart: a crash keeps exactly the durable storage. Volatile state, timers, pending
// RPCs and messages in flight to the node are gone; a restart runs the behaviour again as a new
// incarnation.
import { describe, expect, it } from "vitest";
import { Simulation } from "../../lib/simulation";
import { latency } from "../../lib/net";
import type { Node } from "../../lib/node";
import type { DropEvent } from "../../lib/trace/events";

describe("crash and restart", () => {
  it("storage survives, closure variables start over, the incarnation goes up", async () => {
    const sim = new Simulation({ seed: 1 });
    const starts: Array<{ incarnation: number; volatile: number; durable: unknown }> = [];
    sim.spawn("counter", (node) => {
      let volatile = 0;
      starts.push({ incarnation: node.incarnation, volatile, durable: node.storage.get("count") ?? null });
      node.on("inc", () => {
        volatile++;
        node.storage.set("count", (node.storage.get<number>("count") ?? 0) + 1);
        node.storage.set("volatileSeen", volatile);
      });
    });
    const client = sim.spawn("client");
    for (let i = 0; i < 3; i++) client.send("counter", { type: "inc" });
    await sim.run();
    const first = sim.node("counter");
    sim.crash("counter");
    expect(first.isAlive()).toBe(false);
    expect(sim.isUp("counter")).toBe(false);
    const second = sim.restart("counter");
    expect(second).not.toBe(first);
    expect(sim.node("counter")).toBe(second);
    client.send("counter", { type: "inc" });
    await sim.run();
    expect(starts).toEqual([
      { incarnation: 1, volatile: 0, durable: null },
      { incarnation: 2, volatile: 0, durable: 3 },
    ]);
    expect(second.storage.snapshot()).toEqual({ count: 4, volatileSeen: 1 });
    expect(second.storage.writes).toBe(8);
    expect(sim.trace.filter({ kinds: ["crash", "restart"] })).toEqual([
      { kind: "crash", timeMs: 1, node: "counter" },
      { kind: "restart", timeMs: 1, node: "counter", incarnation: 2 },
    ]);
  });

  it("storage keeps JSON copies: changing an object after set() does not change the disk", () => {
    const sim = new Simulation({ seed: 1 });
    const node = sim.spawn("a");
    const log = [{ term: 1 }];
    node.storage.set("log", log);
    log.push({ term: 2 });
    const read = node.storage.get<Array<{ term: number }>>("log")!;
    read[0].term = 99;
    expect(node.storage.get("log")).toEqual([{ term: 1 }]);
    expect(() => node.storage.set("bad", undefined)).toThrow(/not JSON-serialisable/);
    node.storage.delete("log");
    expect(node.storage.has("log")).toBe(false);
    expect(node.storage.keys()).toEqual([]);
  });

  it("timers of the crashed incarnation never fire again, even after a restart", async () => {
    const sim = new Simulation({ seed: 1 });
    const ticks: string[] = [];
    sim.spawn("a", (node) => {
      node.setPeriodic(10, () => ticks.push(`${node.incarnation}@${node.now()}`), "tick");
      if (node.incarnation === 1) node.setTimer(45, () => ticks.push("one-shot of incarnation 1"));
    });
    sim.at(25, () => sim.crash("a"));
    sim.at(32, () => sim.restart("a"));
    await sim.runFor(60);
    expect(ticks).toEqual(["1@10", "1@20", "2@42", "2@52"]);
  });

  it("pending RPCs and sleeps of the crashed incarnation never settle; nothing they would have done happens", async () => {
    const sim = new Simulation({ seed: 1, network: { latency: latency.constant(10) } });
    sim.spawn("server", (node) => node.on("read", (req) => node.reply(req, { type: "read_ok" })));
    const outcomes: string[] = [];
    sim.spawn("client", (node) => {
      if (node.incarnation > 1) return;
      node.rpc("server", { type: "read" }, { timeoutMs: 50, retries: 3 }).then(
        () => outcomes.push("rpc resolved"),
        () => outcomes.push("rpc rejected"),
      );
      node.sleep(30).then(() => {
        outcomes.push("sleep resolved");
        node.send("server", { type: "read" });
      });
    });
    sim.at(5, () => sim.crash("client"));
    sim.at(15, () => sim.restart("client"));
    await sim.runFor(1000);
    expect(outcomes).toEqual([]);
    expect(sim.trace.filter({ kinds: ["rpc"] })).toEqual([]);
    // the request was served while the client was down; the reply reached the restarted client,
    // which never asked: a late reply (its msg_id was an RPC's), not an error
    expect(sim.trace.filter({ kinds: ["drop"] })).toEqual([]);
    expect(sim.trace.filter({ kinds: ["unhandled"] }).map((e) => [e.timeMs, (e as { reason: string }).reason])).toEqual([[20, "late-reply"]]);
    expect(sim.trace.filter({ kinds: ["send"] })).toHaveLength(2); // the request and the reply: no retry, no send after sleep
  });

  it("messages in flight when a node crashes are dropped as 'crashed', even if it restarts before they arrive; later ones are not", async () => {
    const sim = new Simulation({ seed: 1, network: { latency: latency.constant(10) } });
    const got: string[] = [];
    sim.spawn("b", (node) => node.on("m", (msg) => got.push(`${msg.body.n} in incarnation ${node.incarnation}`)));
    const a = sim.spawn("a");
    a.send("b", { type: "m", n: 1 }); // arrives at 10, b crashed at 3 and restarted at 6: dropped
    sim.at(3, () => sim.crash("b"));
    sim.at(4, () => a.send("b", { type: "m", n: 2 })); // sent while b is down, arrives at 14 after the restart: delivered
    sim.at(6, () => sim.restart("b"));
    sim.at(7, () => a.send("b", { type: "m", n: 3 })); // sent to the new incarnation: delivered
    await sim.run();
    expect(got).toEqual(["2 in incarnation 2", "3 in incarnation 2"]);
    const drops = sim.trace.filter({ kinds: ["drop"] }) as DropEvent[];
    expect(drops.map((d) => [d.msgId, d.reason, d.sentMs, d.timeMs])).toEqual([[1, "crashed", 0, 10]]);
  });

  it("messages a node sent before crashing are still delivered", async () => {
    const sim = new Simulation({ seed: 1, network: { latency: latency.constant(10) } });
    const got: number[] = [];
    sim.spawn("b", (node) => node.on("m", (msg) => got.push(msg.body.n)));
    sim.spawn("a").send("b", { type: "m", n: 1 });
    sim.at(1, () => sim.crash("a"));
    await sim.run();
    expect(got).toEqual([1]);
  });

  it("code of a crashed incarnation has no effect: every method of a stale handle, before and after restart", async () => {
    const sim = new Simulation({ seed: 1, network: { latency: latency.constant(1) } });
    const got: unknown[] = [];
    sim.spawn("b", (node) => node.on("m", (msg) => got.push(msg.body)), { groups: ["g"] });
    let old: Node | undefined;
    sim.spawn("a", (node) => {
      old ??= node;
    });
    sim.crash("a");
    const stale = (when: string): void => {
      expect(old!.send("b", { type: "m" }), when).toBe(-1);
      old!.reply({ src: "b", dest: "a", body: { type: "q", msg_id: 1 } }, { type: "m" });
      old!.broadcast({ type: "m" });
      old!.multicast("g", { type: "m" });
      expect(old!.setTimer(1, () => got.push("timer")), when).toBe(-1);
      expect(old!.setPeriodic(1, () => got.push("periodic")), when).toBe(-1);
      void old!.sleep(1).then(() => got.push("slept"));
      void old!.rpc("b", { type: "m" }, { timeoutMs: 5 }).then(
        () => got.push("rpc ok"),
        () => got.push("rpc failed"),
      );
      old!.storage.set("k", when);
      old!.storage.delete("k0");
      old!.setState("leader", "stale handle");
      old!.log("a ghost speaks");
    };
    stale("before restart");
    const fresh = sim.restart("a");
    fresh.storage.set("k0", "fresh");
    stale("after restart");
    await sim.runFor(100);
    expect(got).toEqual([]);
    expect(fresh.storage.snapshot()).toEqual({ k0: "fresh" });
    expect(sim.trace.filter({ kinds: ["send", "state", "log", "timer", "rpc", "error"] })).toEqual([]);
    expect(String(old)).toBe("Node(a, role=node, incarnation 1, crashed)");
  });

  it("msg_ids keep counting across restarts, so old replies never match new requests", async () => {
    const sim = new Simulation({ seed: 1 });
    sim.spawn("b", (node) => node.on("m", () => {}));
    const ids: number[] = [];
    sim.spawn("a", (node) => ids.push(node.send("b", { type: "m" }), node.send("b", { type: "m" })));
    sim.crash("a");
    sim.restart("a");
    expect(ids).toEqual([1, 2, 3, 4]);
  });

  it("crashing a crashed node or restarting a running one is an error", () => {
    const sim = new Simulation({ seed: 4 });
    sim.spawn("a");
    expect(() => sim.restart("a")).toThrow('restart: node "a" is running; crash it first (node "a", t=0ms, seed=4)');
    sim.crash("a");
    expect(() => sim.crash("a")).toThrow('crash: node "a" is already crashed (node "a", t=0ms, seed=4)');
  });
});
