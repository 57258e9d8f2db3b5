// Chain replication (van Renesse & Schneider 2004): updates at the head, answered by the tail;
// queries at the tail see only updates every replica has. Linearizable under loss, duplication
// and reordering; a retried update takes effect once; the tail/head split of the work shows in
// throughput against primary–backup.
import { describe, expect, it } from "vitest";
import { Simulation } from "../../lib/simulation";
import { latency } from "../../lib/net";
import { HistoryRecorder } from "../../lib/history";
import { checkLinearizability, kvModel } from "../../lib/check";
import { CHAIN_SCENARIOS, chainClient, chainMaster, chainNode, compareChainAndPrimaryBackup, runChain, type ChainNodeHandle } from "../../lib/replication/index";

const CHAIN = ["a", "b", "c"];

function setup(seed: number, network: { lossProbability?: number; duplicationProbability?: number } = {}) {
  const sim = new Simulation({ seed, network: { latency: latency.uniform(2, 8), ...network } });
  const nodes: Record<string, ChainNodeHandle> = {};
  for (const id of CHAIN) sim.spawn(id, (node) => void (nodes[id] = chainNode(node, { chain: CHAIN })), { role: "replica" });
  return { sim, nodes };
}

describe("chainNode and chainClient", () => {
  it("an update goes a → b → c and c answers; every replica ends with the same store", async () => {
    const { sim, nodes } = setup(1);
    const seen: string[] = [];
    sim.spawn("c1", async (node) => {
      const kv = chainClient(node, { chain: CHAIN });
      await kv.put("x", "1");
      await kv.append("x", "2");
      seen.push(await kv.get("x"), await kv.get("y"));
    });
    await sim.runFor(200);
    expect(seen).toEqual(["12", ""]);
    for (const id of CHAIN) expect(nodes[id].store()).toEqual({ x: "12" });
    expect(CHAIN.map((id) => nodes[id].position())).toEqual(["head", "middle", "tail"]);
    const okFrom = sim.trace.events.filter((e) => e.kind === "send" && (e as { type: string }).type === "chain_put_ok").map((e) => (e as { src: string }).src);
    expect(okFrom).toEqual(["c"]); // the tail answers the update
  });

  it("a query at the tail sees only updates that reached every replica (never one still on its way)", async () => {
    const { sim, nodes } = setup(2);
    sim.addRule({ name: "slow b → c", match: { type: "chain_update", src: "b", dest: "c" }, action: "delay", delayMs: 100 });
    const reads: Array<{ atMs: number; value: string }> = [];
    sim.spawn("writer", async (node) => void (await chainClient(node, { chain: CHAIN }).put("x", "new")));
    sim.spawn("reader", async (node) => {
      const kv = chainClient(node, { chain: CHAIN });
      for (let i = 0; i < 12; i++) {
        reads.push({ atMs: node.now(), value: await kv.get("x") });
        await node.sleep(10);
      }
    });
    await sim.runFor(60);
    expect(nodes.a.store().x).toBe("new"); // the head and b have it …
    expect(nodes.b.store().x).toBe("new");
    expect(nodes.c.store().x).toBeUndefined(); // … the tail not yet, so no query has seen it
    await sim.runFor(200);
    const firstNew = reads.findIndex((r) => r.value === "new");
    expect(firstNew).toBeGreaterThan(3);
    expect(reads.slice(0, firstNew).every((r) => r.value === "")).toBe(true);
    expect(reads.slice(firstNew).every((r) => r.value === "new")).toBe(true); // never back to old
  });

  it("a retried update takes effect once under 20 % loss and 20 % duplication", async () => {
    const { sim, nodes } = setup(3, { lossProbability: 0.2, duplicationProbability: 0.2 });
    let attempts = 0;
    sim.spawn("c1", async (node) => {
      const kv = chainClient(node, { chain: CHAIN, rpcTimeoutMs: 40 });
      for (let i = 0; i < 10; i++) await kv.append("log", `${i},`);
      attempts = kv.attempts;
    });
    await sim.runUntil(() => attempts > 0, { withinMs: 5_000 });
    expect(nodes.c.store().log).toBe("0,1,2,3,4,5,6,7,8,9,");
    expect(attempts).toBeGreaterThan(10);
  });

  it("is linearizable with 4 clients under loss, duplication and reordering, over 10 seeds", async () => {
    for (let seed = 1; seed <= 10; seed++) {
      const { sim } = setup(seed, { lossProbability: 0.1, duplicationProbability: 0.1 });
      const rec = new HistoryRecorder();
      let done = 0;
      for (const id of ["c1", "c2", "c3", "c4"]) {
        const rng = sim.random(id);
        sim.spawn(id, async (node) => {
          const kv = chainClient(node, { chain: CHAIN, rpcTimeoutMs: 40 });
          for (let i = 1; i <= 12; i++) {
            const key = rng.pick(["x", "y"]);
            const f = rng.pick(["get", "put", "append"] as const);
            const value = `${id}:${i} `;
            const op = rec.invoke(id, f, f === "get" ? { key } : { key, value }, node.now());
            const out = f === "get" ? await kv.get(key) : f === "put" ? await kv.put(key, value) : await kv.append(key, value);
            rec.complete(op, "ok", f === "get" ? out : undefined, node.now());
          }
          done++;
        });
      }
      await sim.runUntil(() => done === 4, { withinMs: 10_000 });
      const result = checkLinearizability(rec.history(), kvModel());
      expect(result.verdict, `seed ${seed}`).toBe("linearizable");
    }
  });

  it("rejects a chain without this node, or an empty one", async () => {
    const sim = new Simulation({ seed: 1 });
    expect(() => sim.spawn("z", (node) => void chainNode(node, { chain: ["a", "b"] }))).toThrow(/chain.*"z"/);
    expect(() => sim.spawn("y", (node) => void chainNode(node, { chain: [] }))).toThrow(/non-empty array/);
  });
});

describe("chainMaster: crashed replicas are removed (paper §3)", () => {
  async function crashes(seed: number, victims: Array<[number, string]>) {
    const sim = new Simulation({ seed, network: { latency: latency.uniform(2, 8), lossProbability: 0.05 } });
    const chain = ["a", "b", "c", "d"];
    let master!: ReturnType<typeof chainMaster>;
    sim.spawn("master", (node) => void (master = chainMaster(node, { chain, pingIntervalMs: 20 })), { role: "master" });
    const nodes: Record<string, ChainNodeHandle> = {};
    for (const id of chain) sim.spawn(id, (node) => void (nodes[id] = chainNode(node, { chain, master: "master", pingIntervalMs: 20 })), { role: "replica" });
    const rec = new HistoryRecorder();
    let done = 0;
    for (const id of ["c1", "c2", "c3"]) {
      const rng = sim.random(id);
      sim.spawn(id, async (node) => {
        const kv = chainClient(node, { master: "master", rpcTimeoutMs: 40 });
        for (let i = 1; i <= 25; i++) {
          const key = rng.pick(["x", "y"]);
          const f = rng.pick(["get", "put", "append"] as const);
          const value = `${id}:${i} `;
          const op = rec.invoke(id, f, f === "get" ? { key } : { key, value }, node.now());
          const out = f === "get" ? await kv.get(key) : f === "put" ? await kv.put(key, value) : await kv.append(key, value);
          rec.complete(op, "ok", f === "get" ? out : undefined, node.now());
        }
        done++;
      });
    }
    for (const [atMs, id] of victims) sim.at(atMs, () => sim.crash(id), `crash ${id}`);
    await sim.runUntil(() => done === 3, { withinMs: 10_000 });
    await sim.runFor(100);
    return { sim, master, nodes, result: checkLinearizability(rec.history(), kvModel()) };
  }

  it("head, middle and tail crash one after another: the chain shrinks to b and stays linearizable", async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const { master, nodes, result } = await crashes(seed, [[60, "a"], [200, "c"], [340, "d"]]);
      expect(result.verdict, `seed ${seed}`).toBe("linearizable");
      expect(master.chain()).toEqual(["b"]);
      expect(master.version()).toBe(4);
      expect(nodes.b.position()).toBe("head+tail");
    }
  });

  it("a crashed middle is skipped: its successor is sent what it missed, so the survivors agree", async () => {
    const { master, nodes, result } = await crashes(7, [[100, "b"]]);
    expect(result.verdict).toBe("linearizable");
    expect(master.chain()).toEqual(["a", "c", "d"]);
    expect(nodes.c.chain()).toEqual(["a", "c", "d"]);
    expect(nodes.a.store()).toEqual(nodes.d.store());
    expect(nodes.c.store()).toEqual(nodes.d.store());
  });


  it("an update stuck at a crashed middle reaches the tail from the predecessor's log, without any client retry", async () => {
    const sim = new Simulation({ seed: 8, network: { latency: latency.uniform(2, 8) } });
    const chain = ["a", "b", "c"];
    let master!: ReturnType<typeof chainMaster>;
    sim.spawn("master", (node) => void (master = chainMaster(node, { chain, pingIntervalMs: 20 })));
    const nodes: Record<string, ChainNodeHandle> = {};
    for (const id of chain) sim.spawn(id, (node) => void (nodes[id] = chainNode(node, { chain, master: "master", pingIntervalMs: 20 })));
    sim.addRule({ name: "b never passes on", match: { type: "chain_update", src: "b", dest: "c" }, action: "drop" });
    let attempts = 0;
    let answeredAtMs = -1;
    sim.spawn("c1", async (node) => {
      const kv = chainClient(node, { master: "master", rpcTimeoutMs: 5_000 });
      await kv.put("x", "1");
      attempts = kv.attempts;
      answeredAtMs = node.now();
    });
    sim.at(50, () => sim.crash("b"));
    await sim.runFor(400);
    expect(master.chain()).toEqual(["a", "c"]);
    expect(nodes.c.store()).toEqual({ x: "1" });
    expect(attempts).toBe(1); // c asked a for what it missed (chain_need) and answered the client
    expect(answeredAtMs).toBeLessThan(250);
  });
});

describe("runChain", () => {
  it("each scenario over 5 seeds: linearizable, every operation answered, the crashed replica removed", async () => {
    const expected = { "no-fault": "r1 r2 r3 r4", "head-crash": "r2 r3 r4", "middle-crash": "r1 r3 r4", "tail-crash": "r1 r2 r3" };
    for (const scenario of CHAIN_SCENARIOS) {
      for (let seed = 1; seed <= 5; seed++) {
        const run = await runChain({ seed, scenario, trace: false, opsPerClient: 10 });
        expect(run.result.verdict, `${scenario} seed ${seed}`).toBe("linearizable");
        expect(run.counts.ok).toBe(30);
        expect(run.chain.join(" ")).toBe(expected[scenario]);
      }
    }
  });
});

describe("compareChainAndPrimaryBackup", () => {
  it("equal with queries only; with updates the chain splits the work between head and tail and wins", async () => {
    const rows = await compareChainAndPrimaryBackup({ seed: 1, replicas: 3, updateFractions: [0, 0.5, 1], clients: 8, durationMs: 200 });
    const [q, mixed, updates] = rows;
    expect(Math.abs(q.chainOpsPerSecond - q.pbOpsPerSecond)).toBeLessThan(0.02 * q.pbOpsPerSecond); // one server answers every query
    expect(q.pbOpsPerSecond).toBeGreaterThan(950); // ≈ 1000/s at 1 ms per query
    expect(mixed.chainOpsPerSecond).toBeGreaterThan(1.3 * mixed.pbOpsPerSecond);
    expect(mixed.pbBusy.p).toBeGreaterThan(0.95); // the primary is the bottleneck …
    expect(mixed.chainBusy.t).toBeGreaterThan(0.95); // … and so is the tail, but it does less per operation
    expect(mixed.chainBusy.h).toBeLessThan(0.8);
    expect(updates.chainOpsPerSecond).toBeGreaterThan(updates.pbOpsPerSecond); // the primary also handles every ack
  });
});
