// Quorum replication (Dynamo §4.5; Gifford 1979), CAP under a partition, anti-entropy, and the
// linearizability checker telling ABD from plain and sloppy quorums. Scenarios for notebook 08.
import { describe, expect, it } from "vitest";
import {
  QuorumUnavailableError,
  antiEntropy,
  compareVersions,
  quorumReplica,
  quorumStoreClient,
  runQuorumLinearizability,
  runQuorumPartition,
  runStaleReads,
  staleReadChanceAtCommit,
  type QuorumReplica,
  type QuorumStoreClient,
  type QuorumStoreOptions,
} from "../../lib/replication";
import { explainLinearizability, linearizabilityDiagram } from "../../lib/check";
import { latency } from "../../lib/net";
import { Simulation } from "../../lib/simulation";

const REPLICAS = ["r1", "r2", "r3"];

/** Three replicas and one client node `c`; returns the client built with `options`. */
function cluster(options: Partial<QuorumStoreOptions> = {}, seed = 1) {
  const sim = new Simulation({ seed, network: { latency: latency.uniform(2, 8) } });
  const replicas = new Map<string, QuorumReplica>();
  sim.spawnMany(REPLICAS, (node) => void replicas.set(node.id, quorumReplica(node)));
  let client!: QuorumStoreClient;
  sim.spawn("c", (node) => {
    client = quorumStoreClient(node, { replicas: REPLICAS, n: 3, r: 2, w: 2, timeoutMs: 50, readRepair: true, mode: "consistent", ...options });
  });
  return { sim, replicas, client: () => client };
}

describe("versions: last-writer-wins on (counter, writer)", () => {
  it("orders by counter, then by writer; never-written is oldest", () => {
    expect(compareVersions({ counter: 2, writer: "a" }, { counter: 1, writer: "z" })).toBeGreaterThan(0);
    expect(compareVersions({ counter: 1, writer: "a" }, { counter: 1, writer: "b" })).toBeLessThan(0);
    expect(compareVersions(null, { counter: 1, writer: "a" })).toBeLessThan(0);
    expect(compareVersions(undefined, null)).toBe(0);
  });
});

describe("quorum store: a put then a get", () => {
  it("reads back what it wrote, and a restarted replica still holds it (durable storage)", async () => {
    const { sim, replicas, client } = cluster();
    await sim.runUntilSettled(client().put("x", "1"));
    await sim.runUntilSettled(client().put("x", "2"));
    expect(await sim.runUntilSettled(client().get("x"))).toBe("2");
    expect(await sim.runUntilSettled(client().get("never"))).toBeNull();
    await sim.runFor(50); // the third copy arrives
    sim.crash("r1");
    sim.restart("r1");
    expect(replicas.get("r1")!.read("x")).toEqual({ version: { counter: 2, writer: "c" }, value: "2" });
  });

  it("a replica keeps the larger version when writes arrive out of order", () => {
    const sim = new Simulation({ seed: 1 });
    const replica = quorumReplica(sim.spawn("r"));
    expect(replica.apply("x", { version: { counter: 2, writer: "a" }, value: "new" })).toBe(true);
    expect(replica.apply("x", { version: { counter: 1, writer: "b" }, value: "old" })).toBe(false);
    expect(replica.read("x")?.value).toBe("new");
    expect(replica.digest()).toEqual({ x: { counter: 2, writer: "a" } });
  });

  it("bad options are errors that name the node and the time", () => {
    const sim = new Simulation({ seed: 1 });
    const node = sim.spawn("c");
    const base: QuorumStoreOptions = { replicas: REPLICAS, n: 3, r: 2, w: 2, timeoutMs: 50, readRepair: true, mode: "consistent" };
    expect(() => quorumStoreClient(node, { ...base, r: 4 })).toThrow(/r.*got 4.*1\.\.n=3.*node "c"/);
    expect(() => quorumStoreClient(node, { ...base, n: 5 })).toThrow(/n.*got 5/);
    expect(() => quorumStoreClient(node, { ...base, mode: "eventual" as never })).toThrow(/mode/);
    expect(() => antiEntropy(node, { replica: quorumReplica(node), peers: [], intervalMs: 10 })).toThrow(/peers/);
  });
});

describe("partition, consistent mode (CP)", () => {
  it("a client cut off with one replica of three has its get and put refused", async () => {
    const { sim, client } = cluster({ mode: "consistent" });
    await sim.runUntilSettled(client().put("x", "1"));
    sim.partition([["r1", "c"], ["r2", "r3"]]);
    await expect(sim.runUntilSettled(client().put("x", "2"))).rejects.toThrow(QuorumUnavailableError);
    await expect(sim.runUntilSettled(client().get("x"))).rejects.toThrow(/1 of 3 replicas answered within 50ms, need 2/);
    expect(client().refused).toBe(2);
  });

  it("the same client in available mode is served by the one replica it reaches", async () => {
    const { sim, client } = cluster({ mode: "available" });
    await sim.runUntilSettled(client().put("x", "1"));
    sim.partition([["r1", "c"], ["r2", "r3"]]);
    await sim.runUntilSettled(client().put("x", "2"));
    expect(await sim.runUntilSettled(client().get("x"))).toBe("2");
    expect(client().refused).toBe(0);
  });

  it("runQuorumPartition: the minority refuses every write, the majority accepts every one, nothing diverges", async () => {
    const run = await runQuorumPartition({ mode: "consistent", seed: 1 });
    expect(run.sides.map((s) => s.name)).toEqual(["minority", "majority"]);
    expect(run.sides[0].attempted).toBeGreaterThan(0);
    expect(run.sides[0].availability).toBe(0);
    expect(run.sides[1].availability).toBe(1);
    expect(run.divergentKeys).toBe(0);
    expect(run.lostWrites).toBe(0);
    expect(run.staleCopiesAtHeal).toBeGreaterThan(0); // r1, r2 missed the majority's writes
    expect(run.convergedAfterMs).toBeDefined();
  });
});

describe("partition, available mode (AP): divergence, then convergence after the heal", () => {
  it("both sides accept writes and the same keys diverge; anti-entropy converges them, LWW drops one side", async () => {
    const run = await runQuorumPartition({ mode: "available", seed: 1 });
    expect(run.sides.every((s) => s.attempted > 0 && s.availability === 1)).toBe(true);
    expect(run.divergentKeys).toBeGreaterThan(0);
    expect(run.lostWrites).toBeGreaterThan(0);
    expect(run.convergedAfterMs).toBeGreaterThan(0);
    expect(run.convergedAfterMs).toBeLessThan(200); // a few 20 ms rounds
    expect(run.antiEntropy.pulled + run.antiEntropy.pushed).toBeGreaterThan(0);
  });

  it("without anti-entropy or read repair the replicas stay apart; read repair alone converges them", async () => {
    const never = await runQuorumPartition({ mode: "available", seed: 1, antiEntropyIntervalMs: 0, readRepair: false });
    expect(never.convergedAfterMs).toBeUndefined();
    const repaired = await runQuorumPartition({ mode: "available", seed: 1, antiEntropyIntervalMs: 0, readRepair: true });
    expect(repaired.convergedAfterMs).toBeDefined();
    expect(repaired.antiEntropy.rounds).toBe(0);
  });

  it("is deterministic: same seed, same result", async () => {
    expect(await runQuorumPartition({ mode: "available", seed: 3 })).toEqual(await runQuorumPartition({ mode: "available", seed: 3 }));
  });

  it("sampleEveryMs counts the stale copies from the heal down to 0, without changing the run", async () => {
    const plain = await runQuorumPartition({ mode: "available", seed: 1 });
    const sampled = await runQuorumPartition({ mode: "available", seed: 1, sampleEveryMs: 5 });
    expect({ ...sampled, staleCopies: undefined }).toEqual({ ...plain, staleCopies: undefined });
    const counts = sampled.staleCopies!.map((s) => s.staleCopies);
    expect(counts[0]).toBe(plain.staleCopiesAtHeal);
    expect(counts[counts.length - 1]).toBe(0);
    expect(counts.every((c, i) => i === 0 || c <= counts[i - 1])).toBe(true); // stale copies only get repaired
    expect(sampled.staleCopies!.at(-1)!.afterHealMs).toBe(plain.convergedAfterMs);
    await expect(runQuorumPartition({ mode: "available", sampleEveryMs: 0 })).rejects.toThrow(/sampleEveryMs/);
  });
});

describe("stale reads against (R, W), N = 3 (Gifford: R + W > N)", () => {
  it.each([
    [2, 2],
    [1, 3],
    [3, 1],
  ])("R=%i W=%i overlaps every write quorum: no read is ever stale (seeds 1, 2)", async (r, w) => {
    for (const seed of [1, 2]) {
      const run = await runStaleReads({ n: 3, r, w, seed, durationMs: 1000 });
      expect(run.reads).toBeGreaterThan(40);
      expect(run.staleReads, `seed=${seed}`).toBe(0);
    }
  });

  it("R=1 W=1 (R + W ≤ N) returns stale values on seed 1, less often than the at-commit prediction", async () => {
    const run = await runStaleReads({ n: 3, r: 1, w: 1, seed: 1 });
    expect(run.strict).toBe(false);
    expect(run.staleReads).toBeGreaterThan(0);
    expect(run.staleFraction).toBeLessThan(run.predictedAtCommit);
    expect(staleReadChanceAtCommit(3, 1, 1)).toBeCloseTo(2 / 3);
  });

  it("N=5: R=W=3 never stale, R=W=1 stale", async () => {
    expect((await runStaleReads({ n: 5, r: 3, w: 3, seed: 1, durationMs: 1000 })).staleReads).toBe(0);
    expect((await runStaleReads({ n: 5, r: 1, w: 1, seed: 1, durationMs: 1000 })).staleReads).toBeGreaterThan(0);
  });
});

describe("linearizability: ABD write-back vs plain quorum reads vs sloppy quorums", () => {
  it("consistent with read write-back (ABD) is linearizable on seeds 1–5, through the partition", async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const run = await runQuorumLinearizability({ config: "consistent", seed });
      expect(run.verdict, `seed=${seed}`).toBe("linearizable");
      expect(run.refused, `seed=${seed}`).toBeGreaterThan(0); // c1 was refused while cut off
    }
  });

  it("R + W > N without write-back is not: a new/old inversion on seed 5", async () => {
    const run = await runQuorumLinearizability({ config: "consistent-no-repair", seed: 5 });
    expect(run.verdict).toBe("not-linearizable");
    expect(explainLinearizability(run.result)).toMatch(/get\("x"\)/);
    // The same seed and faults with write-back: linearizable.
    expect((await runQuorumLinearizability({ config: "consistent", seed: 5 })).verdict).toBe("linearizable");
  });

  it("the same seed records the same history", async () => {
    const a = await runQuorumLinearizability({ config: "consistent-no-repair", seed: 5 });
    const b = await runQuorumLinearizability({ config: "consistent-no-repair", seed: 5 });
    expect(b.history).toEqual(a.history);
  });

  it("the available store under a partition is not linearizable on seed 1, and the diagram shows it", async () => {
    const run = await runQuorumLinearizability({ config: "available", seed: 1 });
    expect(run.verdict).toBe("not-linearizable");
    expect(run.refused).toBe(0);
    expect(linearizabilityDiagram(run.result)).toContain("gantt");
  });
});
