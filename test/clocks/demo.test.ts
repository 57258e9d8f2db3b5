// Demonstration, written the way notebook 06 / 07 cells would use it: nodes with their own clocks,
// clock synchronisation checked against the truth only the simulator knows, a lease broken by a
// slow clock, and timeouts that fire early or late. In a notebook, show the diagrams with
// `await showMermaid(text, { file: "diagrams/06-clocks/….mmd" })`.
import { expect, it } from "vitest";
import { InvariantViolation, Simulation, formatTimeline, latency, toSequenceDiagram } from "../../lib";
import type { Node } from "../../lib";

it("demo: Cristian's algorithm keeps a fast, late clock within RTT/2 of a time server", async () => {
  // A time server with a good clock, and a client whose clock is 80 ms behind and 1% fast.
  const sim = new Simulation({ seed: 6, network: { latency: latency.uniform(2, 12) } });
  sim.spawn("server", (node) => node.on("time", (m) => node.reply(m, { type: "time_ok", clockMs: node.clock() })));
  sim.spawn("client", (node) => {
    node.setPeriodic(500, async () => {
      const t0 = node.clock(); // protocol code reads its own clock, never node.now()
      const reply = await node.rpc<{ type: string; clockMs: number }>("server", { type: "time" }, { timeoutMs: 100 });
      const t1 = node.clock();
      node.adjustClock(reply.body.clockMs + (t1 - t0) / 2 - t1); // Cristian: server time + RTT/2
    }, "sync", { clock: "local" });
  }, { clock: { offsetMs: -80, driftPpm: 10_000 } });

  // The true offset, which only the simulator knows, every 100 ms:
  const offsets: number[] = [];
  for (let i = 0; i < 30; i++) {
    await sim.runFor(100);
    offsets.push(sim.clockOffset("client"));
  }
  console.log(offsets.map((ms) => ms.toFixed(1)).join(" ")); // -79.0 -78.0 … -75.0 5.0 6.0 … 2.1 3.1: within RTT/2, then 1% drift between syncs
  console.log(formatTimeline(sim.trace, { kinds: ["clock"] }));
  // t=    0.0ms  client  clock set: offset -80ms, drift +10000ppm
  // t=  510.6ms  client  clock stepped +79.008ms (offset now +4.114ms)
  // t=  920.0ms  client  clock stepped -6.949ms (offset now +1.259ms)   … (its local 500 ms come early after a step forward)

  expect(offsets[0]).toBeCloseTo(-79, 6);
  for (const ms of offsets.slice(6)) expect(Math.abs(ms)).toBeLessThanOrEqual(12 / 2 + 5 + 0.01); // RTT/2 + 500 ms of 1% drift
});

it("demo: a lease held on a slow clock outlives its true length — two holders at once", async () => {
  const sim = new Simulation({ seed: 1, network: { latency: latency.constant(1) } });
  const holding = new Set<string>();
  sim.spawn("lock", (node) => {
    let holder: string | undefined;
    let expiresMs = -Infinity; // on the lock's own clock
    node.on("acquire", (m) => {
      if (holder !== undefined && node.clock() < expiresMs) return node.reply(m, { type: "busy" });
      holder = m.src;
      expiresMs = node.clock() + 100;
      node.reply(m, { type: "granted", leaseMs: 100 });
    });
  });
  const client = (node: Node) => {
    node.on("granted", (m) => {
      holding.add(node.id);
      node.setTimer(m.body.leaseMs as number, () => holding.delete(node.id), "lease", { clock: "local" }); // 100 ms by *its* clock
    });
    node.on("busy", () => {});
  };
  sim.spawn("a", client, { clock: { driftPpm: -200_000 } }); // a's clock runs 20% slow
  sim.spawn("b", client);
  sim.node("a").send("lock", { type: "acquire" });
  sim.at(110, () => sim.node("b").send("lock", { type: "acquire" }));

  sim.invariant("at most one lease holder", () => holding.size <= 1 || `both ${[...holding].join(" and ")} hold the lease`);
  const err = await sim.run().catch((e: unknown) => e);
  console.log((err as Error).message); // invariant "at most one lease holder" violated: both a and b hold the lease (t=112ms, seed=1)
  // in a notebook: await showMermaid((err as InvariantViolation).diagram, { file: "diagrams/06-clocks/lease.mmd" })
  expect(err).toBeInstanceOf(InvariantViolation);
  expect(toSequenceDiagram(sim.trace)).toContain("clock set#58; offset 0ms, drift -200000ppm");
});

it("demo (notebook 07): the same 100 ms timeout on fast and slow clocks", async () => {
  const rows: string[] = [];
  for (const driftPpm of [-100_000, -10_000, 0, 10_000, 100_000]) {
    const sim = new Simulation({ seed: 1 });
    sim.spawn("server", (node) => node.on("work", () => {})); // never answers
    const client = sim.spawn("client", () => {}, { clock: { driftPpm, timers: "local" } }); // every timer on its own clock
    const t0 = client.clock();
    await sim.runUntilSettled(client.rpc("server", { type: "work" }, { timeoutMs: 100 }).catch(() => "timed out"));
    rows.push(`drift ${String(driftPpm).padStart(8)} ppm: timed out after ${sim.now().toFixed(3)} true ms (${(client.clock() - t0).toFixed(3)} by its clock)`);
  }
  console.log(rows.join("\n"));
  // drift  -100000 ppm: timed out after 111.111 true ms (100.000 by its clock)
  // …
  // drift   100000 ppm: timed out after 90.909 true ms (100.000 by its clock)
  expect(rows[0]).toContain("after 111.111 true ms");
  expect(rows[4]).toContain("after 90.909 true ms");
});
