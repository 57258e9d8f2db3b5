// The key–value service on Raft (lib/kv) in 6.5840's kvraft scenarios, each over several seeds,
// every history checked for linearizability (an "unknown" verdict fails, as "not-linearizable" does).
import { describe, expect, it } from "vitest";
import { formatHistory } from "../../lib/history/index";
import { explainLinearizability } from "../../lib/check/index";
import {
  KV_STALE_READ_SEED,
  KV_TIMING,
  kvRaftServer,
  runKvLostReply,
  runKvNemesis,
  runKvOnePartition,
  runKvPartitionedLeader,
  type KvNemesisOptions,
  type KvNemesisResult,
  type KvReply,
  type KvServerHandle,
} from "../../lib/kv/index";
import { latency } from "../../lib/net/index";
import { Simulation } from "../../lib/simulation/index";

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];

function expectLinearizable(run: KvNemesisResult, what: string): void {
  const why = `${what}, seed ${run.seed}: ${explainLinearizability(run.check)}\nfaults: ${run.faults.join("; ")}\n${formatHistory(run.history)}`;
  expect(run.check.verdict, why).toBe("linearizable");
  expect(run.open, `${what}, seed ${run.seed}: operations left open after healing\n${formatHistory(run.history)}`).toBe(0);
  expect(run.raftViolations).toEqual([]);
}

const SCENARIOS: Array<[string, Omit<KvNemesisOptions, "seed">, number]> = [
  // name, options, least ok operations per run
  ["one client", { clients: 1, partitionEveryMs: 0, faultMs: 1000 }, 25],
  ["many clients", { clients: 5, partitionEveryMs: 0, faultMs: 1000 }, 150],
  ["unreliable network (20% loss)", { clients: 3, partitionEveryMs: 0, lossProbability: 0.2, faultMs: 1500 }, 8],
  ["partitions of servers and clients", { clients: 4 }, 20],
  ["crashes and restarts", { clients: 3, partitionEveryMs: 0, crashEveryMs: 300, faultMs: 2000 }, 20],
  ["partitions, crashes, loss", { clients: 3, crashEveryMs: 300, lossProbability: 0.1 }, 5],
  ["every server crashed at once, with snapshots (6.5840's crash tests)", { clients: 3, partitionEveryMs: 0, crashAllEveryMs: 400, lossProbability: 0.1, snapshotEntriesMax: 10, faultMs: 1600 }, 10],
];

describe("kv: 6.5840 scenarios, histories linearizable", () => {
  for (const [name, options, okMin] of SCENARIOS) {
    it(name, async () => {
      for (const seed of SEEDS) {
        const run = await runKvNemesis({ seed, ...options });
        expectLinearizable(run, name);
        expect(run.ok).toBeGreaterThanOrEqual(okMin);
      }
    });
  }

  it("snapshots keep the Raft log bounded, across crashes and restarts", async () => {
    const max = 20;
    for (const seed of SEEDS) {
      const run = await runKvNemesis({ seed, clients: 4, crashEveryMs: 300, snapshotEntriesMax: max });
      expectLinearizable(run, "snapshots");
      expect(run.logEntriesMax, `seed ${seed}`).toBeLessThanOrEqual(2 * max);
      expect(run.ok).toBeGreaterThan(2 * max);
    }
  });

  it("one partition: the minority completes no operation until healed, then completes both", async () => {
    for (const seed of SEEDS) {
      const run = await runKvOnePartition({ seed });
      expect(run.minorityCompleted, `seed ${seed}`).toEqual([]);
      expect(run.majorityCompleted, `seed ${seed}`).toBe(true);
      expect(run.allCompleted, `seed ${seed}\n${formatHistory(run.history)}`).toBe(true);
      expect(run.check.verdict, explainLinearizability(run.check)).toBe("linearizable");
      const last = run.history.operations[run.history.operations.length - 1];
      expect(last.output).toBe("15");
    }
  });
});

describe("kv: exactly once, redirection, waiting requests", () => {
  it("a retried request (same clientId and seq) is applied once and gets the stored reply; a follower redirects", async () => {
    const sim = new Simulation({ seed: 5, network: { latency: latency.uniform(1, 5) } });
    const ids = ["n1", "n2", "n3"];
    const servers = new Map<string, KvServerHandle>();
    for (const id of ids) sim.spawn(id, (node) => void servers.set(id, kvRaftServer(node, { ...KV_TIMING, peers: ids.filter((p) => p !== id) })), { role: "raft" });
    const client = sim.spawn("c", () => {}, { role: "client" });
    await sim.runUntil(() => ids.some((id) => servers.get(id)!.raft.state().role === "leader"), { withinMs: 2000 });
    const leader = ids.find((id) => servers.get(id)!.raft.state().role === "leader")!;
    const follower = ids.find((id) => id !== leader)!;
    const ask = async (dest: string, body: Record<string, unknown>): Promise<KvReply> =>
      (await sim.runUntilSettled(client.rpc(dest, { type: "kv_request", clientId: "c#1", ...body } as never, { timeoutMs: 500 }), { withinMs: 1000 })).body as unknown as KvReply;
    expect(await ask(follower, { op: "append", key: "x", value: "a", seq: 1 })).toMatchObject({ status: "not_leader", leaderHint: leader });
    expect(await ask(leader, { op: "append", key: "x", value: "a", seq: 1 })).toMatchObject({ status: "ok" });
    expect(await ask(leader, { op: "append", key: "x", value: "a", seq: 1 })).toMatchObject({ status: "ok" }); // the retry
    expect(await ask(leader, { op: "get", key: "x", seq: 2 })).toMatchObject({ status: "ok", value: "a" });
    expect(await ask(leader, { op: "get", key: "x", seq: 2 })).toMatchObject({ status: "ok", value: "a" });
    expect(servers.get(leader)!.store()).toEqual({ x: "a" });
    expect(servers.get(leader)!.sessions()).toEqual({ "c#1": { seq: 2, value: "a" } });
  });

  it("a lost reply retried across a restart of every server is applied once (the table is in the snapshot)", async () => {
    for (const seed of SEEDS) {
      const run = await runKvLostReply({ seed });
      expect(run.check.verdict, `seed ${seed}: ${explainLinearizability(run.check)}`).toBe("linearizable");
      const reads = run.history.operations.filter((o) => o.f === "get" && o.input && (o.input as { key: string }).key === "k" && o.invokeMs > run.marks.restartMs);
      expect(reads.map((o) => o.output)).toEqual(["a ", "a "]);
    }
  });

  it("a request stranded at a partitioned leader is told not_leader, retried, and applied once; reads there wait for the heal", async () => {
    for (const seed of SEEDS) {
      const run = await runKvPartitionedLeader({ seed });
      expect(run.check.verdict, `seed ${seed}: ${explainLinearizability(run.check)}`).toBe("linearizable");
      expect(run.history.operations.every((o) => o.completion === "ok")).toBe(true);
      const cc = run.history.operations.filter((o) => o.process === "cc" && o.invokeMs >= run.marks.partitionMs);
      for (const o of cc) expect(o.completeMs!).toBeGreaterThanOrEqual(run.marks.healMs);
      expect(run.history.operations[run.history.operations.length - 1].output).toBe("lost? ");
    }
  });
});

describe("kv: the broken variant", () => {
  it(`stale-leader-reads: a leader cut off from the majority serves an old value (seed ${KV_STALE_READ_SEED})`, async () => {
    const run = await runKvNemesis({ seed: KV_STALE_READ_SEED, variant: "stale-leader-reads" });
    expect(run.check.verdict).toBe("not-linearizable");
    expect(explainLinearizability(run.check)).toMatch(/get/);
    const same = await runKvNemesis({ seed: KV_STALE_READ_SEED });
    expect(same.check.verdict).toBe("linearizable");
  });
});
