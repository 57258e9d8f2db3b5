import { describe, expect, it } from "vitest";
import { GroupCoordinator } from "../../lib/log/index";

const coordinator = () => new GroupCoordinator({ sessionTimeoutMs: 100, assignment: "range", partitionsOf: () => 4, generationBase: () => 0 });

describe("group coordinator (eager rebalance)", () => {
  it("a join starts a rebalance that completes only when every member has joined again", () => {
    const c = coordinator();
    expect(c.join("g", "t", "c1", -1, 0)).toMatchObject({ state: "stable", generation: 1, partitions: [0, 1, 2, 3] });
    expect(c.join("g", "t", "c2", -1, 10)).toMatchObject({ state: "rebalancing", partitions: [] });
    expect(c.heartbeat("g", "c1", 1, 20)).toEqual({ kind: "heartbeat", generation: 1, rebalance: true });
    expect(c.checkCommit("g", "c1", 1)).toEqual({ kind: "ok" }); // c1 may commit what it processed before rejoining
    expect(c.join("g", "t", "c1", 1, 30)).toMatchObject({ state: "stable", generation: 2, partitions: [0, 1] });
    expect(c.join("g", "t", "c2", -1, 31)).toMatchObject({ state: "stable", generation: 2, partitions: [2, 3] });
    expect(c.checkCommit("g", "c1", 1)).toEqual({ kind: "illegal-generation", generation: 2 }); // a zombie's commit
  });

  it("a silent member expires after the session timeout and its partitions move", () => {
    const c = coordinator();
    c.join("g", "t", "c1", -1, 0);
    c.join("g", "t", "c2", -1, 0);
    c.join("g", "t", "c1", 1, 0);
    for (let t = 10; t <= 150; t += 10) c.heartbeat("g", "c1", 2, t); // c2 crashed at 0
    expect(c.expire(150)).toEqual(["g/c2"]);
    expect(c.view("g")).toMatchObject({ state: "rebalancing", members: ["c1"] });
    expect(c.join("g", "t", "c1", 2, 160)).toMatchObject({ state: "stable", generation: 3, partitions: [0, 1, 2, 3] });
    expect(c.heartbeat("g", "c2", 2, 170)).toEqual({ kind: "unknown-member" });
  });

  it("a member that never rejoins a rebalance is dropped after the session timeout (no deadlock)", () => {
    const c = coordinator();
    c.join("g", "t", "c1", -1, 0);
    c.join("g", "t", "c2", -1, 50); // c1 must rejoin, but it only heartbeats
    for (let t = 60; t <= 200; t += 10) {
      c.heartbeat("g", "c1", 1, t);
      c.join("g", "t", "c2", -1, t); // c2 keeps asking while the group is rebalancing
    }
    expect(c.expire(200)).toEqual(["g/c1"]);
    expect(c.view("g")).toMatchObject({ state: "stable", members: ["c2"], assignment: { c2: [0, 1, 2, 3] } });
  });
});
