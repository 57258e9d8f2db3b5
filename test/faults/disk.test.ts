// The disk model (issue 7, part 4): by default every write is durable at once; a node spawned with
// `{ disk: "buffered" }` keeps writes in a buffer until `storage.sync()`, and a crash loses the
// unsynced ones. Storage reports its size in bytes and counts syncs; a dead incarnation's writes
// and syncs have no effect.
import { describe, expect, it } from "vitest";
import { Simulation } from "../../lib/simulation";
import { ConfigError } from "../../lib/sim";
import { Disk, DurableStorage, type Node } from "../../lib/node";
import { formatTimeline, type CrashEvent } from "../../lib/trace";
import { thrown } from "./helpers";

describe("a durable disk (the default)", () => {
  it("every write survives a crash without a sync; sync is counted anyway", async () => {
    const sim = new Simulation({ seed: 1 });
    const a = sim.spawn("a", (node) => {
      if (node.incarnation === 1) node.storage.set("term", 3);
    });
    expect(a.storage.mode).toBe("durable");
    expect(a.storage.unsyncedWrites).toBe(0);
    a.storage.sync();
    sim.crash("a");
    const again = sim.restart("a");
    expect(again.storage.get("term")).toBe(3);
    expect(again.storage).toMatchObject({ writes: 1, syncs: 1 });
  });
});

describe("a buffered disk", () => {
  it("reads see the incarnation's unsynced writes; a crash loses them and keeps the synced ones", async () => {
    const sim = new Simulation({ seed: 1 });
    const a = sim.spawn("a", () => {}, { disk: "buffered" });
    const s = a.storage;
    s.set("term", 2);
    s.set("log", ["x"]);
    s.sync();
    s.set("term", 3); // overwrites a synced value
    s.set("votedFor", "b"); // a new key
    s.delete("log"); // deletes a synced key
    expect(s.snapshot()).toEqual({ term: 3, votedFor: "b" });
    expect(s.has("log")).toBe(false);
    expect(s.keys()).toEqual(["term", "votedFor"]);
    expect(s).toMatchObject({ mode: "buffered", unsyncedWrites: 3, writes: 2, syncs: 1 });
    sim.crash("a");
    const b = sim.restart("a");
    expect(b.storage.snapshot()).toEqual({ term: 2, log: ["x"] });
    expect(b.storage).toMatchObject({ unsyncedWrites: 0, writes: 2, syncs: 1 });
  });

  it("sync applies the writes in order: a key deleted then written again ends up last, as on the disk", () => {
    const sim = new Simulation({ seed: 1 });
    const s = sim.spawn("a", () => {}, { disk: "buffered" }).storage;
    s.set("x", 1);
    s.set("y", 2);
    s.sync();
    s.delete("x");
    s.set("x", 10);
    s.set("y", 20);
    const before = s.keys();
    s.sync();
    expect(before).toEqual(["y", "x"]);
    expect(s.keys()).toEqual(["y", "x"]);
    expect(s.snapshot()).toEqual({ y: 20, x: 10 });
    expect(s.writes).toBe(5); // set, set, then delete, set, set reached the disk
  });

  it("the crash event says how many unsynced writes were lost, and the timeline shows it", async () => {
    const sim = new Simulation({ seed: 1 });
    sim.spawn("a", (node) => {
      node.storage.set("k", 1);
      node.storage.set("k", 2);
    }, { disk: "buffered" });
    sim.spawn("b", (node) => node.storage.set("k", 1)); // durable: nothing to lose
    sim.at(5, () => sim.crash("a"));
    sim.at(5, () => sim.crash("b"));
    await sim.runFor(10);
    const crashes = sim.trace.filter({ kinds: ["crash"] }) as CrashEvent[];
    expect(crashes).toEqual([
      { kind: "crash", timeMs: 5, node: "a", lostWrites: 2 },
      { kind: "crash", timeMs: 5, node: "b" },
    ]);
    expect(formatTimeline(sim.trace, { kinds: ["crash"] })).toContain("a  crashed (2 unsynced writes lost)");
  });

  it("a dead incarnation's writes and syncs have no effect, and its buffer is gone", async () => {
    const sim = new Simulation({ seed: 1 });
    let stale: Node | undefined;
    sim.spawn("a", (node) => {
      if (node.incarnation === 1) stale = node;
      node.setTimer(10, () => node.storage.set("late", node.incarnation));
    }, { disk: "buffered" });
    stale!.storage.set("before", 1);
    sim.crash("a");
    expect(stale!.storage.get("before")).toBeUndefined(); // lost with the crash, even through the old handle
    stale!.storage.set("after", 1);
    stale!.storage.sync();
    const fresh = sim.restart("a");
    stale!.storage.set("meanwhile", 1);
    stale!.storage.sync();
    expect(fresh.storage.snapshot()).toEqual({});
    expect(fresh.storage.syncs).toBe(0);
    await sim.runFor(20);
    expect(fresh.storage.get("late")).toBe(2); // the new incarnation's own write, unsynced but visible to it
    fresh.storage.sync();
    expect(fresh.storage).toMatchObject({ syncs: 1, writes: 1 });
  });

  it("acknowledging before sync loses an acknowledged write in a crash; acknowledging after sync does not", async () => {
    // A one-node log service: "append" is acknowledged; the checker restarts the node and reads.
    const run = async (syncBeforeAck: boolean) => {
      const sim = new Simulation({ seed: 4 });
      sim.spawn("log", (node) => {
        node.on("append", (m) => {
          const log = node.storage.get<string[]>("log") ?? [];
          node.storage.set("log", [...log, m.body.entry]);
          if (syncBeforeAck) node.storage.sync();
          node.reply(m, { type: "append_ok" });
          if (!syncBeforeAck) node.setTimer(20, () => node.storage.sync(), "lazy fsync");
        });
      }, { disk: "buffered" });
      const client = sim.spawn("client");
      await sim.runUntilSettled(client.rpc("log", { type: "append", entry: "a" }));
      sim.crash("log"); // before the lazy fsync
      return sim.restart("log").storage.get<string[]>("log") ?? [];
    };
    expect(await run(true)).toEqual(["a"]);
    expect(await run(false)).toEqual([]);
  });
});

describe("sizeBytes", () => {
  it("counts the UTF-8 bytes of every key and JSON value, unsynced writes included", () => {
    const sim = new Simulation({ seed: 1 });
    const s = sim.spawn("a", () => {}, { disk: "buffered" }).storage;
    expect(s.sizeBytes).toBe(0);
    s.set("term", 3); // "term" 4 + "3" 1
    expect(s.sizeBytes).toBe(5);
    s.set("name", "é"); // "name" 4 + "\"é\"" 4 (é is two bytes)
    expect(s.sizeBytes).toBe(13);
    s.sync();
    s.set("term", 42); // one byte more
    s.delete("name");
    expect(s.sizeBytes).toBe(6);
    sim.crash("a");
    expect(sim.restart("a").storage.sizeBytes).toBe(13); // what was synced
  });

  it("grows with a log and shrinks after a snapshot replaces it, on either disk", () => {
    const disk = new Disk();
    const s = new DurableStorage(disk);
    for (let i = 0; i < 100; i++) s.set(`entry/${i}`, { term: 1, command: `set x ${i}` });
    const full = s.sizeBytes;
    expect(full).toBe(disk.sizeBytes);
    expect(full).toBe([...Array(100).keys()].reduce((n, i) => n + `entry/${i}`.length + JSON.stringify({ term: 1, command: `set x ${i}` }).length, 0));
    for (let i = 0; i < 90; i++) s.delete(`entry/${i}`);
    s.set("snapshot", { x: 89 });
    expect(s.sizeBytes).toBeLessThan(full / 5);
  });
});

describe("disk options", () => {
  it("an unknown disk mode is refused naming the option, the time and the seed", () => {
    const sim = new Simulation({ seed: 3 });
    const err = thrown(() => sim.spawn("a", () => {}, { disk: "fsync" as never }));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err!.message).toBe('invalid option spawn("a").disk: got "fsync", expected "durable" or "buffered" (node "a", t=0ms, seed=3)');
    expect(sim.nodeIds()).toEqual([]);
  });

  it("a buffered run replays exactly from its seed", async () => {
    const run = async () => {
      const sim = new Simulation({ seed: 12, network: { lossProbability: 0.2 } });
      sim.spawnMany(["n1", "n2", "n3"], (node) => {
        node.on("put", (m) => {
          node.storage.set(`k${m.body.i}`, m.body.i);
          if (node.rng.chance(0.5)) node.storage.sync();
        });
        node.setPeriodic(7, () => node.send(node.rng.pick(node.peers()), { type: "put", i: node.rng.int(0, 100) }));
      }, { disk: "buffered" });
      sim.at(100, () => sim.crash("n2"));
      sim.at(150, () => sim.restart("n2"));
      await sim.runFor(300);
      return { hash: sim.trace.hash(), sizes: sim.nodeIds().map((id) => sim.node(id).storage.sizeBytes) };
    };
    const first = await run();
    expect(await run()).toEqual(first);
  });
});
