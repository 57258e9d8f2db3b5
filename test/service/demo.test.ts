// Demonstration, written the way a notebook cell would use it: servers that take time to handle
// each request, a load balancer in front of them, a straggler, queue lengths charted over time,
// and a bounded queue that sheds load. In a notebook, print the charts with console.log.
import { expect, it } from "vitest";
import { Simulation, chartMetric, formatStats, latency, percentiles, summarize } from "../../lib";

/** Three servers behind a load balancer; s3 becomes a straggler at t=500. Returns the response times the client saw. */
async function loadBalanced(policy: "round-robin" | "least-outstanding") {
  const sim = new Simulation({ seed: 3, network: { latency: latency.constant(1) } });
  const servers = ["s1", "s2", "s3"];
  for (const id of servers) {
    sim.spawn(id, (node) => node.on("req", (m) => node.reply(m, { type: "resp" })), {
      service: { timeMs: latency.exponential(6) }, // one request at a time, 6 ms on average
    });
  }
  sim.at(500, () => sim.setService("s3", { timeMs: latency.exponential(30) }), "s3 slows down");

  sim.spawn("lb", (node) => {
    let next = 0;
    const outstanding = new Map(servers.map((s) => [s, 0]));
    node.on("req", async (m) => {
      const server = policy === "round-robin" ? servers[next++ % servers.length] : [...outstanding].sort((a, b) => a[1] - b[1])[0][0];
      outstanding.set(server, outstanding.get(server)! + 1);
      await node.rpc(server, { type: "req" }, { timeoutMs: 60_000 });
      outstanding.set(server, outstanding.get(server)! - 1);
      node.reply(m, { type: "resp" });
    });
  });

  const responseMs: number[] = [];
  sim.spawn("client", (node) => {
    node.setPeriodic(4, async () => { // a request every 4 ms: half the servers' capacity, until s3 slows down
      const t0 = node.now();
      await node.rpc("lb", { type: "req" }, { timeoutMs: 60_000 });
      responseMs.push(node.now() - t0);
    }, "request");
  });
  await sim.runFor(2000);
  return { sim, responseMs };
}

it("demo: round robin keeps feeding a straggler; least-outstanding steers around it", async () => {
  const rr = await loadBalanced("round-robin");
  const lo = await loadBalanced("least-outstanding");
  console.log(chartMetric(rr.sim.trace, "queue", { nodes: ["s3"], bucketMs: 100, height: 6 })); // s3's queue grows without bound
  console.log(chartMetric(lo.sim.trace, "queue", { nodes: ["s3"], bucketMs: 100, height: 6 }));
  const p = (ms: number[]) => percentiles(ms)!;
  console.log(`round robin        p50 ${p(rr.responseMs).p50.toFixed(1)} ms  p99 ${p(rr.responseMs).p99.toFixed(1)} ms`);
  console.log(`least outstanding  p50 ${p(lo.responseMs).p50.toFixed(1)} ms  p99 ${p(lo.responseMs).p99.toFixed(1)} ms`);

  expect(rr.sim.queueLength("s3")).toBeGreaterThan(20);
  expect(lo.sim.queueLength("s3")).toBeLessThan(5);
  expect(p(rr.responseMs).p99).toBeGreaterThan(5 * p(lo.responseMs).p99);
});

it("demo: a bounded queue sheds load instead of growing (back-pressure)", async () => {
  const sim = new Simulation({ seed: 1, network: { latency: latency.constant(1) } });
  sim.spawn("broker", (node) => node.on("publish", () => {}), {
    service: { timeMs: latency.constant(5), concurrency: 2, queueLengthMax: 10 }, // 0.4 messages/ms at most
  });
  sim.spawn("producer", (node) => node.setPeriodic(2, () => node.send("broker", { type: "publish" }))); // 0.5 messages/ms
  await sim.runFor(2000);
  console.log(chartMetric(sim.trace, "queue", { bucketMs: 100, height: 5 })); // fills up, then stays at 10
  console.log(formatStats(summarize(sim.trace))); // the "dropped" row counts queue-full
  const s = summarize(sim.trace);
  expect(sim.queueLength("broker")).toBeGreaterThanOrEqual(9); // full, but for the one that just left
  expect(s.copies.droppedByReason["queue-full"]).toBeGreaterThan(150); // about a fifth of 1000
});

it("demo: a service time that depends on the message — a map task's input size", async () => {
  const sim = new Simulation({ seed: 1, network: { latency: latency.constant(1) } });
  const finished: string[] = [];
  sim.spawn("worker", (node) => node.on("map", (m) => finished.push(`${m.body.split} at ${node.now()}ms`)), {
    service: { timeMs: (m, rng) => (m.body.sizeMb as number) * rng.uniform(1.8, 2.2) }, // ≈ 2 ms per MB
  });
  const master = sim.spawn("master");
  [["split-0", 10], ["split-1", 40], ["split-2", 5]].forEach(([split, sizeMb]) => master.send("worker", { type: "map", split, sizeMb }));
  await sim.run();
  console.log(finished.join("\n"));
  expect(finished.map((f) => f.split(" ")[0])).toEqual(["split-0", "split-1", "split-2"]);
});
