// Log replication (§5.3) and commitment (§5.4), as 6.5840's 3B scenarios: basic agreement, agreement
// despite a disconnected follower, no agreement without a majority, concurrent proposals, a
// partitioned old leader that cannot commit and whose log is repaired after healing, and fast
// back-up over long divergent logs. The safety monitor runs after every event.
import { describe, expect, it } from "vitest";
import { makeTester, seeds } from "./harness";

describe("raft replication (§5.3, §5.4)", () => {
  it("basic agreement: commands are applied at 1, 2, 3 on every server (10 seeds)", async () => {
    for (const seed of seeds(10)) {
      const t = makeTester(seed, 3);
      await t.checkOneLeader();
      for (let i = 1; i <= 3; i++) {
        expect(t.nCommitted(i).count).toBe(0); // nothing is committed before it is proposed
        expect(await t.one(100 + i, 3)).toBe(i);
      }
    }
  });

  it("agreement despite a disconnected follower, and it catches up when back", async () => {
    for (const seed of seeds(10)) {
      const t = makeTester(seed, 3);
      const leader = await t.checkOneLeader();
      await t.one(101, 3);
      const follower = t.ids.find((id) => id !== leader)!;
      t.sim.isolate(follower);
      await t.one(102, 2);
      await t.one(103, 2);
      await t.sim.runFor(500);
      await t.one(104, 2);
      t.sim.heal();
      await t.one(105, 3);
      expect(t.cluster.applied(follower).get(4)).toBe(104);
    }
  });

  it("no agreement without a majority; a rejoined majority agrees again", async () => {
    for (const seed of seeds(10)) {
      const t = makeTester(seed, 5);
      await t.one(10, 5);
      const leader = t.cluster.leader()!;
      const others = t.ids.filter((id) => id !== leader);
      for (const id of others.slice(0, 3)) t.sim.isolate(id);
      const r = t.cluster.handle(leader)!.propose(20);
      expect(r).toEqual({ kind: "accepted", index: 2, term: t.cluster.states()[leader].currentTerm });
      await t.sim.runFor(2000);
      expect(t.nCommitted(2).count, `seed ${seed}: committed without a majority`).toBe(0);
      t.sim.heal();
      // The isolated servers ran elections; a leader with index 2 or without it may win. Either way
      // the cluster agrees on new commands and on whatever ends up at index 2.
      await t.one(30, 5);
      const at2 = t.nCommitted(2);
      expect(at2.count).toBe(5);
    }
  });

  it("concurrent proposals all commit, each at its own index", async () => {
    for (const seed of seeds(10)) {
      const t = makeTester(seed, 3);
      const leader = await t.checkOneLeader();
      const indices = Array.from({ length: 5 }, (_, i) => t.cluster.handle(leader)!.propose(`c${i}`));
      expect(indices.map((r) => (r.kind === "accepted" ? r.index : -1))).toEqual([1, 2, 3, 4, 5]);
      await t.sim.runUntil(() => [1, 2, 3, 4, 5].every((i) => t.nCommitted(i).count === 3), { withinMs: 2000 });
    }
  });

  it("a partitioned old leader cannot commit; after healing its uncommitted entries are replaced", async () => {
    for (const seed of seeds(10)) {
      const t = makeTester(seed, 3);
      await t.one(101, 3);
      const old = t.cluster.leader()!;
      t.sim.isolate(old);
      for (const c of [102, 103, 104]) t.cluster.handle(old)!.propose(c); // only the old leader has them
      const fresh = await t.checkOneLeader(t.ids.filter((id) => id !== old));
      await t.one(103, 2);
      await t.sim.runFor(1000);
      expect(t.cluster.states()[old].commitIndex, `seed ${seed}: the old leader committed alone`).toBe(1);
      t.sim.heal();
      await t.one(104, 3);
      const oldLog = t.cluster.states()[old].log.map((e) => e.command);
      expect(oldLog).toEqual(t.cluster.states()[fresh].log.map((e) => e.command));
      expect(oldLog).not.toContain(102);
    }
  });

  it("backs up quickly over 50-entry divergent logs (6.5840's TestBackup)", async () => {
    for (const seed of seeds(5)) {
      const t = makeTester(seed, 5);
      await t.one("start", 5);
      const leader1 = t.cluster.leader()!;
      const minority = [leader1, t.ids.filter((id) => id !== leader1)[1]];
      const majority = t.ids.filter((id) => !minority.includes(id));
      t.sim.partition([minority, majority]);
      for (let i = 0; i < 50; i++) t.cluster.handle(leader1)!.propose(`lost-${i}`);
      await t.sim.runFor(500);
      await t.checkOneLeader(majority);
      for (let i = 0; i < 50; i++) await t.one(`kept-${i}`, 3);
      // Now the other side: cut two of the majority off, bring the old minority back with one of them.
      const leader2 = t.cluster.leader()!;
      const other = majority.find((id) => id !== leader2)!;
      const stay = [leader2, other];
      t.sim.partition([stay, t.ids.filter((id) => !stay.includes(id))]);
      for (let i = 0; i < 50; i++) t.cluster.handle(leader2)!.propose(`lost2-${i}`);
      await t.sim.runFor(500);
      t.sim.heal();
      const [healedMs, sentBefore] = [t.sim.now(), t.sim.counters.sent];
      await t.one("end", 5, 20_000);
      // With one entry per round trip, repairing 50-entry divergences would take 50 heartbeats (2.5 s)
      // per server; fast back-up skips a whole term per round trip.
      const tookMs = t.sim.now() - healedMs;
      expect(tookMs, `seed ${seed}`).toBeLessThan(1000);
      expect(t.sim.counters.sent - sentBefore, `seed ${seed}`).toBeLessThan(200);
    }
  });

  it("a client's propose message: accepted at the leader with index and term, redirected elsewhere", async () => {
    const t = makeTester(2, 3);
    const leader = await t.checkOneLeader();
    await t.sim.runFor(100); // the followers hear from the new leader
    const follower = t.ids.find((id) => id !== leader)!;
    const answers: unknown[] = [];
    const client = t.sim.spawn("client", (node) => node.on("propose_resp", (m) => void answers.push({ from: m.src, ...m.body, msg_id: undefined })));
    client.send(follower, { type: "propose", command: "x" });
    await t.sim.runFor(50);
    expect(answers).toEqual([{ from: follower, type: "propose_resp", ok: false, leaderHint: leader, msg_id: undefined }]);
    client.send(leader, { type: "propose", command: "x" });
    await t.sim.runFor(50);
    expect(answers[1]).toEqual({ from: leader, type: "propose_resp", ok: true, index: 1, term: t.cluster.states()[leader].currentTerm, msg_id: undefined });
    await t.sim.runUntil(() => t.nCommitted(1).count === 3, { withinMs: 500 });
  });

  it("with leaderNoop, a new leader commits what an earlier term left at once (§8); without, it waits for a command", async () => {
    for (const leaderNoop of [true, false]) {
      for (const seed of seeds(5)) {
        const t = makeTester(seed, 3, { leaderNoop });
        const old = await t.checkOneLeader();
        await t.sim.runFor(100);
        const [f, other] = t.ids.filter((id) => id !== old);
        t.sim.isolate(other);
        const rule = t.sim.addRule({ name: "lose f's acks", match: { type: "append_entries_resp", src: f }, action: "drop" });
        const r = t.cluster.handle(old)!.propose("left over"); // reaches f, but old never learns it: not committed
        await t.sim.runUntil(() => t.cluster.states()[f].log.some((e) => e.command === "left over"), { withinMs: 1000 });
        t.sim.crash(old);
        rule.remove();
        t.sim.heal();
        await t.checkOneLeader([f, other]);
        expect(t.cluster.leader(), `seed ${seed}`).toBe(f); // the only log with the entry wins (§5.4.1)
        const index = r.kind === "accepted" ? r.index : -1;
        const done = await t.sim.runUntil(() => t.nCommitted(index).count === 2, { withinMs: 1000, throwOnTimeout: false });
        expect(done.stoppedBy === "predicate", `seed ${seed}, leaderNoop ${leaderNoop}`).toBe(leaderNoop);
      }
    }
  });
});
