// Demonstration, written as notebook cells: run clients against a server, read the history, measure
// the budgets, check them as a grader would. Copy the cell bodies into a notebook as they are.
import { expect, it } from "vitest";
import { Simulation, latency, runClients, kvOps, kvServer, formatHistory, historyProblems, measureBudgets, formatBudgets, checkBudget } from "../../lib";

it("demo: five clients against a key–value server on a lossy network", async () => {
  // ── cell 1: the system under test — one linearizable key–value server, 5% of messages lost.
  const sim = new Simulation({ seed: 42, network: { latency: latency.uniform(2, 8), lossProbability: 0.05 } });
  sim.spawn("server", kvServer());

  // ── cell 2: five clients, each one operation at a time, for two virtual seconds.
  const run = await runClients(sim, {
    clients: 5,
    ops: kvOps({ keys: ["x", "y"] }),
    target: "server",
    durationMs: 2000,
    timeoutMs: 50,
  });
  console.log(formatHistory(run.history, { limit: 6 }));

  // ── cell 3: what the clients saw. A lost request or reply leaves its operation "info" (it may or
  // may not have happened), and that client goes on under a new process name: c3 → c3#2.
  const infos = run.history.operations.filter((op) => op.completion === "info");
  console.log(`${run.history.operations.length} operations, ${infos.length} info:`, infos.slice(0, 3).map((op) => op.process));

  // ── cell 4: the budgets, and a grader's check of them.
  const budgets = measureBudgets(run, sim.trace);
  console.log(formatBudgets(budgets));
  console.log(checkBudget(budgets, { messagesPerOpMax: 2, latencyMsP99Max: 20 }));

  expect(historyProblems(run.history)).toEqual([]);
  expect(infos.length).toBeGreaterThan(0);
  expect(run.history.operations.some((op) => op.process.includes("#"))).toBe(true);
  // Two messages per ok operation on a perfect network; the lost ones cost more.
  expect(budgets.messagesPerOp!).toBeGreaterThan(2);
  expect(budgets.latencyMs!.max).toBeLessThanOrEqual(16); // two one-way trips of at most 8 ms
  expect(checkBudget(budgets, { messagesPerOpMax: 2, latencyMsP99Max: 20 })).toEqual([`messages per operation ${Math.round(budgets.messagesPerOp! * 100) / 100} > 2`]);
});

it("demo: an open loop that asks for more than a slow server gives — throughput saturates", async () => {
  // ── cell 5: vary the offered rate; the server takes 20 ms per request (plus 10 ms of network).
  const rows: Array<{ askedPerSecond: number; gotPerSecond: number; late: number }> = [];
  for (const ratePerSecond of [5, 10, 20, 40, 80]) {
    const sim = new Simulation({ seed: 7, network: { latency: latency.constant(5) } });
    sim.spawn("server", kvServer({ replyDelayMs: 20 }));
    const run = await runClients(sim, { clients: 2, ops: kvOps(), target: "server", durationMs: 3000, ratePerSecond, arrivals: "constant" });
    const got = measureBudgets(run, sim.trace).throughputPerSecond!;
    rows.push({ askedPerSecond: 2 * ratePerSecond, gotPerSecond: Math.round(got), late: run.lateInvocations });
  }
  console.table(rows);
  // Up to ~33 operations per second per client (one every 30 ms) the clients get what they ask;
  // beyond that every invocation is late and the throughput stays at the closed-loop limit.
  expect(rows.slice(0, 3).map((r) => r.gotPerSecond)).toEqual([10, 20, 40]);
  expect(rows.slice(0, 3).every((r) => r.late === 0)).toBe(true);
  expect(rows[3].gotPerSecond).toBeLessThanOrEqual(67);
  expect(rows[4].gotPerSecond).toBe(rows[3].gotPerSecond);
  expect(rows[4].late).toBeGreaterThan(0);
});
