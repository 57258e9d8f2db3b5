// Regression tests for the simulator bugs found when the spine was hardened (issue "Harden the
// spine", part 2). Each test failed before its fix; the numbers in the names follow the issue.
import { describe, expect, it } from "vitest";
import { Simulation } from "../../lib/simulation";
import { latency } from "../../lib/net";
import type { Node } from "../../lib/node";

describe("2.1 continuations run at the time of the event that woke them, however the promise was resolved", () => {
  /** a awaits a promise that b's plain handler resolves with `value()` when b's kick arrives at t=5. */
  async function wakeWith(value: () => unknown, extraAsyncNode: boolean): Promise<number[]> {
    const sim = new Simulation({ seed: 1, network: { latency: latency.constant(5) } });
    const woke: number[] = [];
    let wake: (v: unknown) => void = () => {};
    sim.spawn("a", (node) => {
      void (async () => {
        await new Promise((resolve) => (wake = resolve));
        woke.push(node.now());
      })();
    });
    sim.spawn("b", (node) => node.on("kick", () => wake(value()))); // plain handler, returns nothing
    sim.spawn("k", (node) => {
      node.send("b", { type: "kick" });
      node.setTimer(50, () => {}, "unrelated"); // a later event that would drain late continuations
    });
    if (extraAsyncNode) sim.spawn("z", async (node) => void (await node.sleep(100)));
    await sim.runFor(200);
    return woke;
  }

  // The values are made before the run, so resolving with them creates no promise during the event.
  const resolved = Promise.resolve(1);
  const chained = Promise.resolve(1).then((x) => x + 1);
  const thenable = { then: (ok: (v: number) => void) => ok(1) };
  it.each([
    ["a plain value", () => 1],
    ["an already resolved promise", () => resolved],
    ["a promise made by a chain", () => chained],
    ["a thenable", () => thenable],
  ])("resolved with %s", async (_what, value) => {
    expect(await wakeWith(value, false)).toEqual([5]);
    expect(await wakeWith(value, true)).toEqual([5]); // an unrelated async node changes nothing
  });
});

describe("2.2 a crashed incarnation has no effect", () => {
  it("a background task of a crashed node cannot write storage, set state, log, send or set timers", async () => {
    const sim = new Simulation({ seed: 1 });
    let old: Node | undefined;
    sim.spawn("b", () => {});
    sim.spawn("a", (node) => {
      if (node.incarnation > 1) return;
      old = node;
      void (async () => {
        await node.sleep(10); // the node crashes at 5: this never resumes…
      })();
    });
    await sim.runFor(5);
    sim.crash("a");
    // …but a stale handle (a notebook variable, or a task woken by another node's promise) can still call in:
    old!.storage.set("term", 99);
    old!.storage.delete("x");
    old!.setState("leader", "stale");
    old!.log("still here");
    expect(old!.send("b", { type: "x" })).toBe(-1);
    old!.setTimer(1, () => {}, "late");
    old!.broadcast({ type: "x" });
    const fresh = sim.restart("a");
    old!.storage.set("term", 100); // after restart: must never reach the new incarnation
    await sim.runFor(100);
    expect(fresh.storage.get("term")).toBeUndefined();
    expect(fresh.storage.writes).toBe(0);
    const kinds = sim.trace.events.filter((e) => e.timeMs >= 5).map((e) => e.kind);
    expect(kinds).toEqual(["crash", "restart"]);
    expect(sim.counters.sent).toBe(0);
  });

  it("an error thrown by a dead incarnation's leftover code is ignored (and does not crash the new one)", async () => {
    const sim = new Simulation({ seed: 1, onError: "crash", network: { latency: latency.constant(1) } });
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    sim.spawn("a", (node) => {
      node.on("work", async () => {
        await gate; // still waiting when the node crashes
        throw new Error("from the grave");
      });
    });
    sim.spawn("c").send("a", { type: "work" });
    await sim.runFor(5);
    sim.crash("a");
    sim.restart("a");
    sim.after(1, () => release());
    await sim.runFor(10);
    expect(sim.counters.errors).toBe(0);
    expect(sim.trace.filter({ kinds: ["error"] })).toEqual([]);
    expect(sim.isUp("a")).toBe(true);
  });
});

describe("2.4 the clock stays on the microsecond grid", () => {
  it("three runUntil({ withinMs: 0.1 }) leave now() at 0.3 and after(0) works", async () => {
    const sim = new Simulation({ seed: 1 });
    sim.spawn("a", (node) => node.setPeriodic(1000, () => {}, "tick"));
    for (let i = 0; i < 3; i++) await sim.runUntil(() => false, { withinMs: 0.1, throwOnTimeout: false });
    expect(sim.now()).toBe(0.3);
    expect(() => sim.after(0, () => {})).not.toThrow();
    await sim.runUntilTime(0.1 + 0.2 + 0.4);
    expect(sim.now()).toBe(0.7);
  });
});

describe("2.5 a link with limited bandwidth is a queue", () => {
  it("three 1 KB messages sent together on a 1 byte/ms link arrive about 1000 ms apart", async () => {
    const sim = new Simulation({ seed: 1, network: { latency: latency.constant(1), bandwidthBytesPerMs: 1 } });
    const body = { type: "blob", data: "x".repeat(1000 - 28) };
    sim.spawn("b", (node) => node.on("blob", () => {}));
    const a = sim.spawn("a");
    for (let i = 0; i < 3; i++) a.send("b", body);
    await sim.run();
    const sends = sim.trace.filter({ kinds: ["send"] });
    const bytes = sends.map((e) => (e.kind === "send" ? e.bytes : 0));
    const arrivals = sim.trace.filter({ kinds: ["deliver"] }).map((e) => e.timeMs);
    expect(arrivals).toEqual([bytes[0] + 1, bytes[0] + bytes[1] + 1, bytes[0] + bytes[1] + bytes[2] + 1]);
    expect(arrivals[2]).toBeGreaterThan(2900);
  });
});

describe("2.6 the node host is private to the runtime", () => {
  it("Simulation has no transmit or record a notebook could call", () => {
    const sim = new Simulation({ seed: 1 }) as unknown as Record<string, unknown>;
    for (const name of ["transmit", "record", "scheduleTimer", "nextMsgId", "nodeResources", "groupMembers", "nowMs"]) {
      expect(sim[name], name).toBeUndefined();
    }
    // @ts-expect-error: the host is not part of Simulation's type either (checked by npm run typecheck)
    expect(new Simulation().transmit).toBeUndefined();
  });
});

describe("2.7 randomness per incarnation", () => {
  it("a restarted node draws a new stream; rpc jitter does not disturb the protocol's draws", async () => {
    const draws: number[][] = [];
    const sim = new Simulation({ seed: 3 });
    sim.spawn("a", (node) => void draws.push([node.rng.int(0, 1e9), node.rng.split("election").int(0, 1e9)]));
    sim.crash("a");
    sim.restart("a");
    expect(draws[1]).not.toEqual(draws[0]);
    expect(draws[1][1]).not.toBe(draws[0][1]);

    async function protocolDraws(retries: number): Promise<number[]> {
      const s = new Simulation({ seed: 4, network: { lossProbability: 1 } });
      s.spawn("server", () => {});
      const out: number[] = [];
      s.spawn("c", async (node) => {
        await node.rpc("server", { type: "x" }, { timeoutMs: 10, retries, backoffMsInitial: 5, jitter: "full" }).catch(() => {});
        out.push(node.rng.int(0, 1e9));
      });
      await s.run();
      return out;
    }
    expect(await protocolDraws(3)).toEqual(await protocolDraws(0));
  });
});

describe("2.8 an rpc rejection nobody handles is the node's error", () => {
  it("under onError 'fail' the run stops naming the node and the rpc", async () => {
    const sim = new Simulation({ seed: 1 });
    sim.spawn("server", (node) => node.on("read", () => {})); // never answers
    sim.spawn("c", (node) => void node.rpc("server", { type: "read" }, { timeoutMs: 10 }));
    await expect(sim.run()).rejects.toThrow(/rpc read to "server".*no reply.*nothing handles.*\(node "c", t=10ms, seed=1\)/s);
  });

  it("under 'record' it is in the trace, and a handled rejection is not an error", async () => {
    const sim = new Simulation({ seed: 1, onError: "record" });
    sim.spawn("server", (node) => ["lost", "chained", "awaited"].forEach((t) => node.on(t, () => {})));
    let caught = 0;
    sim.spawn("c", async (node) => {
      void node.rpc("server", { type: "lost" }, { timeoutMs: 10 });
      node.rpc("server", { type: "chained" }, { timeoutMs: 10 }).then(() => {}).catch(() => caught++);
      try {
        await node.rpc("server", { type: "awaited" }, { timeoutMs: 10 });
      } catch {
        caught++;
      }
    });
    await sim.run();
    expect(caught).toBe(2);
    const errors = sim.trace.filter({ kinds: ["error"] });
    expect(errors.length).toBe(1);
    expect(errors[0].kind === "error" && errors[0].message).toMatch(/rpc lost to "server"/);
  });
});

describe("2.9 the event budget counts per run call", () => {
  it("a long legitimate run in many calls is not a storm; one call over the budget still is", async () => {
    const sim = new Simulation({ seed: 1, maxEvents: 1000 });
    sim.spawn("a", (node) => node.setPeriodic(1000, () => {}, "heartbeat"));
    for (let hour = 0; hour < 3; hour++) await sim.runFor(3_600_000 / 6); // 600 events each
    expect(sim.now()).toBe(1_800_000);
    await expect(sim.runFor(2_000_000)).rejects.toThrow(/event budget of 1000 events exceeded/);
  });

  it("runUntil a condition that never holds names the condition, not a storm", async () => {
    const sim = new Simulation({ seed: 1, maxEvents: 100 });
    sim.spawn("a", (node) => node.setPeriodic(10, () => {}, "tick"));
    await expect(sim.runUntil(() => false, { description: "a leader" })).rejects.toThrow(
      /runUntil: "a leader" never became true within the event budget of 100 events/,
    );
  });
});

describe("2.10 a reply that arrives exactly at the timeout", () => {
  it("loses to the timeout (the timer was queued first) and is traced as a late reply", async () => {
    const sim = new Simulation({ seed: 1, network: { latency: latency.constant(5) } });
    sim.spawn("server", (node) => node.on("read", (m) => node.reply(m, { type: "read_ok" })));
    let outcome = "";
    sim.spawn("c", async (node) => {
      outcome = await node.rpc("server", { type: "read" }, { timeoutMs: 10 }).then(
        () => "ok",
        () => "timeout",
      );
    });
    await sim.run();
    expect(outcome).toBe("timeout");
    expect(sim.trace.filter({ kinds: ["unhandled"] }).map((e) => e.kind === "unhandled" && e.reason)).toEqual(["late-reply"]);
  });
});
