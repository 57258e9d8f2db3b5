// Failure paths that the first test suite left out: a server that crashes or restarts while a
// client retries, an original lost while its duplicate arrives, async code in flight at a crash,
// FIFO links that also duplicate, and async code driven by every run control.
import { describe, expect, it } from "vitest";
import { Simulation } from "../../lib/simulation";
import { latency } from "../../lib/net";
import type { DeliverEvent, DropEvent } from "../../lib/trace/events";

/** A server that counts requests in durable storage and answers with the count. */
function countingServer(sim: Simulation): void {
  sim.spawn("server", (node) =>
    node.on("inc", (m) => {
      const n = (node.storage.get<number>("n") ?? 0) + 1;
      node.storage.set("n", n);
      node.reply(m, { type: "inc_ok", n });
    }),
  );
}

describe("rpc while the server crashes and restarts", () => {
  it("a retried rpc succeeds once the server is back; requests sent while it was down are lost", async () => {
    const sim = new Simulation({ seed: 2, network: { latency: latency.constant(5) } });
    countingServer(sim);
    sim.at(1, () => sim.crash("server"));
    sim.at(40, () => sim.restart("server"));
    const client = sim.spawn("client");
    const reply = await sim.runUntilSettled(client.rpc("server", { type: "inc" }, { timeoutMs: 20, retries: 3 }));
    // attempts at 0 (lost: crash at 1), 20 (lost: server down), 40 (arrives at 45 — after the restart) …
    expect(reply.body.n).toBe(1);
    expect(sim.now()).toBe(50);
    const drops = sim.trace.filter({ kinds: ["drop"] }) as DropEvent[];
    expect(drops.map((d) => [d.sentMs, d.reason])).toEqual([
      [0, "crashed"],
      [20, "crashed"],
    ]);
    const rpc = sim.trace.filter({ kinds: ["rpc"] });
    expect(rpc).toMatchObject([{ outcome: "ok", attempts: 3, latencyMs: 50 }]);
  });

  it("a server that crashes after handling the request but before the reply arrives handles the retry again", async () => {
    const sim = new Simulation({ seed: 2, network: { latency: latency.constant(5) } });
    countingServer(sim);
    sim.at(6, () => sim.crash("server")); // the request arrived at 5 and was counted; the reply is in flight
    sim.at(7, () => sim.restart("server"));
    const client = sim.spawn("client");
    const reply = await sim.runUntilSettled(client.rpc("server", { type: "inc" }, { timeoutMs: 20, retries: 2 }));
    expect(reply.body.n).toBe(1); // the first reply (n=1) still arrives: a crash of the sender does not recall it
    const late = await sim.runUntilSettled(client.rpc("server", { type: "inc" }, { timeoutMs: 20 }));
    expect(late.body.n).toBe(2); // durable state kept across the crash
  });

  it("a server crash with no restart: the rpc rejects after every attempt, at the last timeout", async () => {
    const sim = new Simulation({ seed: 2, network: { latency: latency.constant(5) } });
    countingServer(sim);
    sim.at(1, () => sim.crash("server"));
    const client = sim.spawn("client");
    await expect(sim.runUntilSettled(client.rpc("server", { type: "inc" }, { timeoutMs: 10, retries: 2, backoffMsInitial: 5 }))).rejects.toThrow(
      /rpc inc to "server" got no reply after 3 attempt\(s\) \(node "client", t=45ms, seed=2\)/,
    );
  });
});

describe("duplication", () => {
  it("an original lost while its duplicate is delivered: the handler runs once, the drop says which copy", async () => {
    // Find a seed where a duplicated message's original is dropped by a partition but its later copy arrives.
    for (let seed = 1; seed < 200; seed++) {
      const sim = new Simulation({ seed, network: { latency: latency.uniform(1, 20), duplicationProbability: 1, ordering: "unordered" } });
      const got: number[] = [];
      sim.spawn("b", (node) => node.on("m", (msg) => got.push(msg.body.msg_id!)));
      const a = sim.spawn("a");
      a.send("b", { type: "m" });
      const [first, second] = sim.pending().map((e) => e.timeMs);
      if (!(second - first >= 2)) continue;
      sim.at(first - 0.5, () => sim.cut("a", "b"));
      sim.at(first + 0.5, () => sim.heal());
      await sim.run();
      const drops = sim.trace.filter({ kinds: ["drop"] }) as DropEvent[];
      const delivers = sim.trace.filter({ kinds: ["deliver"] }) as DeliverEvent[];
      expect(drops.map((d) => [d.reason, d.duplicate])).toEqual([["partition", false]]);
      expect(delivers.map((d) => d.duplicate)).toEqual([true]);
      expect(got).toEqual([1]);
      expect(sim.counters).toMatchObject({ sent: 1, duplicated: 1, delivered: 1, dropped: 1 });
      return;
    }
    throw new Error("no seed in 1..199 gave two copies 2 ms apart");
  });

  it("FIFO links that duplicate: every copy keeps send order, the duplicate never overtakes a later message", async () => {
    const sim = new Simulation({ seed: 9, network: { latency: latency.uniform(1, 30), duplicationProbability: 0.5, ordering: "fifo" } });
    const got: number[] = [];
    sim.spawn("b", (node) => node.on("m", (msg) => got.push(msg.body.n as number)));
    const a = sim.spawn("a");
    for (let n = 0; n < 200; n++) a.send("b", { type: "m", n });
    await sim.run();
    expect(sim.counters.duplicated).toBeGreaterThan(60); // 200 × 0.5 = 100 expected; 60 is 5.7σ below
    expect(got.length).toBe(200 + sim.counters.duplicated);
    for (let i = 1; i < got.length; i++) expect(got[i], `copy ${i}`).toBeGreaterThanOrEqual(got[i - 1]);
  });
});

describe("async code in flight at a crash", () => {
  it("a handler awaiting an rpc when its node crashes never resumes, and the next incarnation starts clean", async () => {
    const sim = new Simulation({ seed: 3, network: { latency: latency.constant(5) } });
    const resumed: string[] = [];
    sim.spawn("slow", (node) => node.on("q", (m) => node.setTimer(50, () => node.reply(m, { type: "q_ok" }), "think")));
    sim.spawn("a", (node) => {
      node.on("go", async () => {
        await node.rpc("slow", { type: "q" }, { timeoutMs: 100 });
        resumed.push(`incarnation ${node.incarnation}`);
        node.storage.set("done", true);
      });
    });
    sim.spawn("k").send("a", { type: "go" });
    sim.at(20, () => sim.crash("a"));
    sim.at(30, () => sim.restart("a"));
    await sim.runFor(300);
    expect(resumed).toEqual([]);
    expect(sim.node("a").storage.get("done")).toBeUndefined();
    expect(sim.trace.filter({ kinds: ["unhandled"] })).toMatchObject([{ type: "q_ok", reason: "late-reply" }]);
    expect(sim.counters.errors).toBe(0);
  });
});

describe("async code resumes on time under every run control", () => {
  /** a's behaviour loops: await a pong, record the time. b answers pings after 5 ms. */
  function build(): { sim: Simulation; log: number[] } {
    const sim = new Simulation({ seed: 1, network: { latency: latency.constant(5) } });
    const log: number[] = [];
    sim.spawn("b", (node) => node.on("ping", (m) => node.reply(m, { type: "pong" })));
    sim.spawn("a", async (node) => {
      for (let i = 0; i < 3; i++) {
        await node.rpc("b", { type: "ping" });
        log.push(node.now());
        await node.sleep(1);
      }
    });
    return { sim, log };
  }
  const expected = [10, 21, 32];

  it.each([
    ["runFor", (sim: Simulation) => sim.runFor(100)],
    ["runUntilTime", (sim: Simulation) => sim.runUntilTime(100)],
    ["run", (sim: Simulation) => sim.run()],
    ["runEvents", (sim: Simulation) => sim.runEvents(1000)],
    ["runUntil", (sim: Simulation) => sim.runUntil(() => sim.pending().length === 0)],
    [
      "step",
      async (sim: Simulation) => {
        while (await sim.step());
      },
    ],
    [
      "runEvents(1) in a loop",
      async (sim: Simulation) => {
        while ((await sim.runEvents(1)).events > 0);
      },
    ],
  ])("%s", async (_name, drive) => {
    const { sim, log } = build();
    await drive(sim);
    expect(log).toEqual(expected);
  });
});
