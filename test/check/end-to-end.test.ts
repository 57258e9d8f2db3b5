// From a simulated system to a verdict: client workloads record a history, the checker judges it.
// A correct server passes under loss and crashes; a server that reads from a lagging copy fails.
import { describe, expect, it } from "vitest";
import { Simulation, latency } from "../../lib";
import { kvOps, kvServer, runClients } from "../../lib/history";
import { checkLinearizability, kvModel } from "../../lib/check";

describe("runClients → checkLinearizability", () => {
  it.each([1, 2, 3])("a single-copy kv server is linearizable under 10%% loss and a crash (seed %i)", async (seed) => {
    const sim = new Simulation({ seed, network: { latency: latency.uniform(1, 5), lossProbability: 0.1 } });
    sim.spawn("server", kvServer());
    sim.at(300, () => sim.crash("server"));
    sim.at(350, () => sim.restart("server"));
    const run = await runClients(sim, { clients: 4, ops: kvOps({ keys: ["x", "y"] }), target: "server", durationMs: 800, timeoutMs: 30 });
    const ops = run.history.operations;
    expect(ops.filter((o) => o.completion === "ok").length).toBeGreaterThan(50);
    expect(ops.filter((o) => o.completion === "info").length).toBeGreaterThan(0); // loss and the crash leave unknown outcomes
    expect(checkLinearizability(run.history, kvModel()).verdict).toBe("linearizable");
  });

  it("a server that answers reads from a copy updated 20 ms late is caught", async () => {
    const sim = new Simulation({ seed: 4, network: { latency: latency.constant(1) } });
    sim.spawn("primary", (node) => {
      const store = new Map<string, string>();
      const write = (key: string, value: string): void => {
        store.set(key, value);
        node.setTimer(20, () => node.send("reader", { type: "sync", key, value }), "lazy sync");
      };
      node.on("put", (m) => (write(m.body.key as string, String(m.body.value)), node.reply(m, { type: "put_ok" })));
      node.on("append", (m) => {
        const key = m.body.key as string;
        write(key, (store.get(key) ?? "") + String(m.body.value));
        node.reply(m, { type: "append_ok" });
      });
    });
    sim.spawn("reader", (node) => {
      const copy = new Map<string, string>();
      node.on("sync", (m) => void copy.set(m.body.key as string, m.body.value as string));
      node.on("get", (m) => node.reply(m, { type: "get_ok", value: copy.get(m.body.key as string) ?? "" }));
    });
    const run = await runClients(sim, {
      clients: 3,
      ops: kvOps({ keys: ["x"] }),
      target: (_client, op) => (op.f === "get" ? "reader" : "primary"),
      durationMs: 500,
      timeoutMs: 50,
    });
    const result = checkLinearizability(run.history, kvModel());
    expect(result.verdict).toBe("not-linearizable");
    expect(result.violation).toBeDefined();
  });
});
