// One seed replays a run exactly: in the same process, in another process, with tracing on or off.
// Different seeds give different interleavings, and the seed is split per subsystem (each node,
// each network link, each workload) so that an extra node does not change anyone else's choices.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { hashEvents } from "../../lib/trace/trace";
import type { TraceEvent } from "../../lib/trace/events";
import { runWorkload } from "./fixtures/workload";
import { Simulation } from "../../lib/simulation";
import { latency } from "../../lib/net";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const printHash = path.join(root, "test/core/fixtures/print-hash.ts");

const deliveries = (events: readonly TraceEvent[]): string[] =>
  events.flatMap((e) => (e.kind === "deliver" ? [`${e.timeMs} ${e.src}→${e.dest} ${e.type}#${e.msgId}`] : []));

describe("determinism", () => {
  it("the workload is nontrivial: loss, duplication, partition drops, crash drops, rpc timeouts, late replies", async () => {
    const sim = await runWorkload(42);
    const kinds = new Set(sim.trace.events.map((e) => e.kind + ("reason" in e ? `:${e.reason}` : "") + ("outcome" in e ? `:${e.outcome}` : "")));
    for (const k of ["deliver", "duplicate", "drop:loss", "drop:partition", "drop:crashed", "rpc:ok", "rpc:timeout", "unhandled:late-reply", "timer", "crash", "restart", "state"]) {
      expect(kinds, `the workload should produce ${k} events`).toContain(k);
    }
    expect(sim.counters.sent).toBeGreaterThan(200);
  });

  it("same seed ⇒ identical trace (hash and every event), run twice in one process", async () => {
    const a = await runWorkload(42);
    const b = await runWorkload(42);
    expect(b.trace.hash()).toBe(a.trace.hash());
    expect(b.trace.events).toEqual(a.trace.events);
    expect(b.counters).toEqual(a.counters);
  });

  it("two runs of one seed interleaved in the same event loop still match a run alone", async () => {
    const alone = (await runWorkload(42)).trace.hash();
    const [x, y] = await Promise.all([runWorkload(42), runWorkload(42)]);
    expect([x.trace.hash(), y.trace.hash()]).toEqual([alone, alone]);
  });

  it("same seed ⇒ identical hash in two fresh processes and in this one", async () => {
    const here = (await runWorkload(42)).trace.hash();
    const run = (): { hash: string; events: number } =>
      JSON.parse(execFileSync(process.execPath, ["--import", "tsx", printHash, "42"], { cwd: root, encoding: "utf8" }));
    const first = run();
    const second = run();
    expect(first.hash).toBe(here);
    expect(second.hash).toBe(here);
  }, 30_000);

  it("tracing off changes nothing but the record: counters are identical", async () => {
    const traced = await runWorkload(7);
    const untraced = await runWorkload(7, { trace: false });
    expect(untraced.trace.events).toHaveLength(0);
    expect(untraced.counters).toEqual(traced.counters);
  });

  it("different seeds ⇒ different interleavings (delivery order and hash)", async () => {
    const runs = await Promise.all([1, 2, 3].map((seed) => runWorkload(seed)));
    const hashes = new Set(runs.map((s) => s.trace.hash()));
    expect(hashes.size).toBe(3);
    const orders = runs.map((s) => deliveries(s.trace.events).join("\n"));
    expect(new Set(orders).size).toBe(3);
  });

  it("adding an idle node does not change the other nodes' random choices (per-subsystem split)", async () => {
    const without = await runWorkload(42);
    const withIdle = await runWorkload(42, { idleNode: true });
    const notIdle = (events: readonly TraceEvent[]) =>
      events.filter((e) => !("node" in e && e.node === "idle") && !("src" in e && (e.src === "idle" || e.dest === "idle")));
    // every choice a gossiper made is logged, so equal logs mean equal random choices
    const logs = (events: readonly TraceEvent[]) => events.flatMap((e) => (e.kind === "log" ? [`${e.timeMs} ${e.node}: ${e.text}`] : []));
    expect(logs(withIdle.trace.events)).toEqual(logs(without.trace.events));
    // and the whole run among the others is the same, message for message
    expect(hashEvents(notIdle(withIdle.trace.events))).toBe(hashEvents(notIdle(without.trace.events)));
    expect(withIdle.trace.events.some((e) => e.kind === "spawn" && e.node === "idle")).toBe(true);
  });

  it("a new node that sends does not change the fate of other links' messages (one PRNG per link)", async () => {
    const fates = async (withChatter: boolean): Promise<string[]> => {
      const sim = new Simulation({ seed: 9, network: { lossProbability: 0.3, latency: latency.uniform(1, 10), ordering: "unordered" } });
      sim.spawn("b", (node) => node.on("m", () => {}));
      const a = sim.spawn("a");
      if (withChatter) {
        sim.spawn("x", (node) => node.setPeriodic(1, () => node.send("b", { type: "m" }), "chatter"));
      }
      for (let i = 0; i < 50; i++) sim.at(i * 2, () => a.send("b", { type: "m", i }));
      await sim.runFor(200);
      return sim.trace.events.flatMap((e) =>
        (e.kind === "deliver" || e.kind === "drop") && e.src === "a" ? [`${e.msgId} ${e.kind} ${e.timeMs}`] : [],
      );
    };
    const alone = await fates(false);
    expect(alone.some((f) => f.includes("drop"))).toBe(true);
    expect(await fates(true)).toEqual(alone);
  });

  it("sim.random(label) is one generator per label: it goes on where it left off", () => {
    const sim = new Simulation({ seed: 3 });
    const first = Array.from({ length: 5 }, () => sim.random().int(0, 1_000_000));
    expect(new Set(first).size).toBe(5);
    expect(sim.random("workload")).toBe(sim.random());
    const again = new Simulation({ seed: 3 });
    expect(Array.from({ length: 5 }, () => again.random().int(0, 1_000_000))).toEqual(first);
    expect(again.random("other").int(0, 1_000_000)).not.toBe(first[0]);
  });
});
