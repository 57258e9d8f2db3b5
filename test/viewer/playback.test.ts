// The viewer's playback model at chosen times of a hand-built run with loss, a duplicate, a crash
// and a partition (test/viewer/fixtures.ts): which copies are in flight and how far along, which
// drops are marked, which node is crashed, the partition, each node's state, the timers.
import { describe, expect, it } from "vitest";
import { DROP_AT_ARRIVAL_PROGRESS, DROP_AT_SEND_PROGRESS, frameAt, playbackModel, savedTraceOf } from "../../lib/viewer";
import { VIEWER_EVENTS } from "./fixtures";

const model = playbackModel(VIEWER_EVENTS);
const at = (t: number) => frameAt(model, t);
const keys = (copies: Array<{ key: string }>) => copies.map((c) => c.key);

describe("playbackModel", () => {
  it("has one copy per send and per duplicate, each with its fate", () => {
    expect(model.copies.map((c) => [c.key, c.sentMs, c.endMs, c.fate, c.reason])).toEqual([
      ["1", 1, 5, "delivered", undefined],
      ["2", 2, 2, "dropped", "loss"],
      ["3", 3, 7, "delivered", undefined],
      ["3.2", 3, 9, "delivered", undefined],
      ["4", 11, 15, "dropped", "crashed"],
      ["5", 21, 24, "dropped", "partition"],
      ["6", 40, Infinity, "pending", undefined],
    ]);
    expect(model.copies[3].duplicate).toBe(true);
    expect(JSON.parse(model.copies[3].json)).toEqual({ type: "ping", n: 3, msg_id: 3 });
  });

  it("marks drops for the median flight of delivered copies, and steps through every change", () => {
    expect(model.markMs).toBe(4);
    expect(model.times).toEqual([0, 1, 2, 3, 5, 7, 9, 10, 11, 12, 15, 20, 21, 24, 30, 31, 40]);
    expect([model.startMs, model.endMs]).toEqual([0, 40]);
    expect(model.nodes).toEqual(["a", "b", "c"]);
    expect(model.types).toEqual(["ping"]);
  });

  it("places nodes on a circle, and named groups apart", () => {
    const { places } = model;
    expect(places.a).toEqual({ x: 280, y: 70, group: 0 });
    const grouped = playbackModel(VIEWER_EVENTS, { groups: { leaders: ["a"], followers: ["c", "b"] } });
    expect(grouped.groups).toEqual([{ name: "leaders", nodes: ["a"] }, { name: "followers", nodes: ["c", "b"] }]);
    expect(grouped.nodes).toEqual(["a", "c", "b"]);
    expect(grouped.places.c.group).toBe(1);
  });
});

describe("frameAt", () => {
  it("t=3: two copies of ping #3 on the wire, ping #1 halfway, the lost ping #2 marked near its sender", () => {
    const f = at(3);
    expect(keys(f.inFlight)).toEqual(["1", "3", "3.2"]);
    expect(f.inFlight[0].progress).toBe(0.5);
    expect(f.inFlight.map((c) => c.duplicate)).toEqual([false, false, true]);
    expect(f.dropped).toEqual([{ key: "2", id: 2, src: "a", dest: "c", type: "ping", duplicate: false, progress: DROP_AT_SEND_PROGRESS, reason: "loss" }]);
    expect(f.states).toEqual({ a: { role: "raft", state: "follower" }, b: { role: "raft", state: "follower" }, c: { role: "raft", state: "follower" } });
    expect(f.crashed).toEqual([]);
  });

  it("an event at t has happened at t: ping #1 delivered at 5 is no longer in flight; the loss mark is gone at 2 + 4", () => {
    expect(keys(at(5).inFlight)).toEqual(["3", "3.2"]);
    expect(keys(at(5).dropped)).toEqual(["2"]);
    expect(keys(at(6).dropped)).toEqual([]);
    const f = at(8);
    expect(keys(f.inFlight)).toEqual(["3.2"]);
    expect(f.inFlight[0].progress).toBeCloseTo(5 / 6, 12);
  });

  it("t=13: c crashed (its state forgotten), a leader, a's election timer ringing, ping #4 flying to the crashed c", () => {
    const f = at(13);
    expect(f.crashed).toEqual(["c"]);
    expect(f.states).toEqual({ a: { role: "raft", state: "leader" }, b: { role: "raft", state: "follower" } });
    expect(f.timers).toEqual([{ atMs: 12, node: "a", name: "election" }]);
    expect(keys(f.inFlight)).toEqual(["4"]);
    expect(f.inFlight[0].progress).toBe(0.5);
    expect(at(16).timers).toEqual([]);
    expect(at(15).dropped.map((c) => [c.key, c.reason, c.progress])).toEqual([["4", "crashed", DROP_AT_ARRIVAL_PROGRESS]]);
  });

  it("t=22 and 24: the partition {a} | {b, c}; ping #5 in flight, then dropped at the cut", () => {
    expect(at(19).network.groups).toEqual([]);
    const f = at(22);
    expect(f.network.groups).toEqual([["a"], ["b", "c"]]);
    expect(keys(f.inFlight)).toEqual(["5"]);
    expect(at(24).inFlight).toEqual([]);
    expect(at(24).dropped.map((c) => [c.key, c.reason])).toEqual([["5", "partition"]]);
  });

  it("t=30 and 31: healed, c restarted without a state, then follower again", () => {
    expect(at(30).network).toEqual({ atMs: 30, groups: [], cuts: [], isolated: [] });
    expect(at(30).crashed).toEqual([]);
    expect(at(30).states.c).toBeUndefined();
    expect(at(31).states.c).toEqual({ role: "raft", state: "follower" });
  });

  it("t=41: a copy still on the wire at the end stops short of its receiver", () => {
    const m = playbackModel(VIEWER_EVENTS, { toMs: 60 });
    expect(frameAt(m, 41).inFlight.map((c) => [c.key, c.progress])).toEqual([["6", 0.25]]);
    expect(frameAt(m, 60).inFlight.map((c) => [c.key, c.progress])).toEqual([["6", 0.9]]);
  });

  it("cuts, isolation and partial heals", () => {
    const m = playbackModel([
      ...VIEWER_EVENTS.slice(0, 3),
      { kind: "cut", timeMs: 1, from: "a", to: "b" },
      { kind: "cut", timeMs: 2, from: "b", to: "c" },
      { kind: "isolate", timeMs: 3, node: "c" },
      { kind: "heal", timeMs: 4, from: "a", to: "b" },
      { kind: "heal", timeMs: 5, isolated: "c" },
      { kind: "heal", timeMs: 6, between: ["c", "b"] },
      { kind: "leave", timeMs: 7, node: "a" },
      { kind: "spawn", timeMs: 8, node: "d", role: "raft" },
    ]);
    expect(frameAt(m, 3).network).toMatchObject({ cuts: [["a", "b"], ["b", "c"]], isolated: ["c"] });
    expect(frameAt(m, 4).network.cuts).toEqual([["b", "c"]]);
    expect(frameAt(m, 5).network.isolated).toEqual([]);
    expect(frameAt(m, 6).network.cuts).toEqual([]);
    expect(frameAt(m, 7).left).toEqual(["a"]);
    expect(frameAt(m, 7).absent).toEqual(["d"]);
    expect(frameAt(m, 8).absent).toEqual([]);
  });

  it("reads a saved trace as it reads the events", () => {
    const saved = savedTraceOf(VIEWER_EVENTS, { title: "hand-built" });
    const m = playbackModel(saved);
    expect(m.title).toBe("hand-built");
    expect(frameAt(m, 13)).toEqual(at(13));
  });
});
