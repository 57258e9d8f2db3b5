// Log compaction (§7), as 6.5840's 3D scenarios: servers snapshot their service's state every few
// entries, a follower that was away catches up by InstallSnapshot, and servers restart from a
// snapshot plus the log after it — on a reliable and an unreliable network, crashes included. The
// service is a list of the commands applied, so every server's list must be a prefix of the others'.
import { describe, expect, it } from "vitest";
import { latency } from "../../lib/net/index";
import type { RaftApplyMsg } from "../../lib/raft/index";
import { makeTester, seeds, type Tester } from "./harness";

/** A service per server: the commands applied in order, rebuilt from snapshots after restarts. */
function withService(seed: number, n: number, unreliable = false): { t: Tester; services: Map<string, unknown[]> } {
  const services = new Map<string, unknown[]>();
  const onApply = (m: RaftApplyMsg, node: { id: string }): void => {
    const list = services.get(node.id) ?? [];
    if (m.kind === "snapshot") {
      services.set(node.id, (m.data as unknown[]).slice());
      return;
    }
    if (m.index !== list.length + 1) throw new Error(`seed ${seed}: ${node.id} applied index ${m.index} after ${list.length}`);
    list.push(m.command);
    services.set(node.id, list);
  };
  const t = makeTester(seed, n, {
    onApply,
    snapshotEntriesMax: 10,
    snapshotData: (index, node) => (services.get(node.id) ?? []).slice(0, index),
    spawn: { disk: "buffered" },
    network: unreliable ? { latency: latency.uniform(1, 20), lossProbability: 0.1, duplicationProbability: 0.05, ordering: "unordered" } : undefined,
  });
  // A restart begins from nothing: the snapshot (if any) and the log's replay rebuild the list.
  const original = t.sim.restart.bind(t.sim);
  t.sim.restart = (id: string) => {
    services.set(id, []);
    return original(id);
  };
  return { t, services };
}

function expectPrefixes(services: Map<string, unknown[]>, seed: number): void {
  const lists = [...services.values()].sort((a, b) => b.length - a.length);
  for (const l of lists) expect(JSON.stringify(l), `seed ${seed}`).toBe(JSON.stringify(lists[0].slice(0, l.length)));
}

describe("raft snapshots (§7)", () => {
  it("compacts the log, and a follower that was away catches up by InstallSnapshot (10 seeds)", async () => {
    for (const seed of seeds(10)) {
      const { t, services } = withService(seed, 3);
      const leader = await t.checkOneLeader();
      const away = t.ids.find((id) => id !== leader)!;
      t.sim.isolate(away);
      for (let i = 0; i < 50; i++) await t.one(`c${i}`, 2);
      const s = t.cluster.states()[leader];
      expect(s.snapshotIndex).toBeGreaterThanOrEqual(40);
      expect(s.log.length).toBeLessThanOrEqual(11);
      t.sim.heal();
      await t.one("back", 3);
      const a = t.cluster.states()[away];
      expect(a.snapshotIndex, `seed ${seed}: the follower should have installed a snapshot`).toBeGreaterThanOrEqual(40);
      expect(services.get(away)!.length).toBeGreaterThanOrEqual(51); // "back" may be proposed twice if its first leader was deposed
      expectPrefixes(services, seed);
    }
  });

  it("restarts every server from its snapshot and the log after it", async () => {
    for (const seed of seeds(10)) {
      const { t, services } = withService(seed, 3);
      for (let i = 0; i < 25; i++) await t.one(`c${i}`, 3);
      for (const id of t.ids) t.sim.crash(id);
      for (const id of t.ids) t.sim.restart(id);
      const disk = t.sim.node(t.ids[0]).storage.snapshot();
      expect(Object.keys(disk).sort()).toEqual(["currentTerm", "log", "snapshot", "votedFor"]);
      await t.one("after", 3);
      for (const id of t.ids) expect(services.get(id)!.length, `seed ${seed} ${id}`).toBeGreaterThanOrEqual(26);
      expectPrefixes(services, seed);
    }
  });

  it("stays safe with snapshots under loss, reordering, crashes and restarts (20 seeds)", async () => {
    for (const seed of seeds(20)) {
      const { t, services } = withService(seed, 5, true);
      const random = t.sim.random("churn");
      for (let iter = 0; iter < 120; iter++) {
        const leader = t.cluster.leader();
        if (leader !== undefined) t.cluster.handle(leader)!.propose(`r${iter}`);
        await t.sim.runFor(random.int(0, 40));
        const up = t.ids.filter((id) => t.sim.isUp(id));
        if (up.length > 3 && random.chance(0.2)) t.sim.crash(random.pick(up));
        const down = t.ids.filter((id) => !t.sim.isUp(id));
        if (down.length > 0 && random.chance(0.2)) t.sim.restart(random.pick(down));
      }
      for (const id of t.ids) if (!t.sim.isUp(id)) t.sim.restart(id);
      t.sim.network.configure({ lossProbability: 0, duplicationProbability: 0 });
      await t.one(`last-${seed}`, 5, 20_000);
      expectPrefixes(services, seed);
      const lengths = new Set([...services.values()].map((l) => l.length));
      expect(lengths.size, `seed ${seed}: every server has applied everything`).toBe(1);
    }
  });
});
