// The reconciliation loop: converge to the desired replicas, reschedule after a machine crash,
// roll out a new image without dropping below the desired replicas.
import { describe, expect, it } from "vitest";
import { Simulation, latency, orchestrator, machineAgent, runOrchestratorScenario } from "../../lib";
import type { Orchestrator } from "../../lib";

describe("orchestrator", () => {
  it("converges to the desired replicas spread over the machines, and scales down when asked", async () => {
    const sim = new Simulation({ seed: 9, network: { latency: latency.constant(1) } });
    let control: Orchestrator | undefined;
    sim.spawn("control", (node) => void (control = orchestrator(node, { machines: ["m1", "m2", "m3"], desired: { image: "v1", replicas: 3 } })), { role: "orchestrator" });
    for (const m of ["m1", "m2", "m3"]) sim.spawn(m, (node) => void machineAgent(node, { orchestrator: "control" }), { role: "machine" });
    await sim.runFor(1000);
    const machines = control!.running().map((c) => c.machine).sort();
    expect(machines).toEqual(["m1", "m2", "m3"]);
    expect(sim.node("control").state).toBe("converged");
    control!.setDesired({ replicas: 1 });
    await sim.runFor(500);
    expect(control!.running().length).toBe(1);
    expect(control!.counters).toMatchObject({ started: 3, stopped: 2 });
  });

  it("a crashed machine's containers are rescheduled; a rolling update never drops below the desired replicas", async () => {
    const r = await runOrchestratorScenario({ crashAtMs: 1000, updateAtMs: 2500 });
    const at = (t: number) => r.samples.find((s) => s.timeMs === t)!;
    expect(at(900).running).toBe(3);
    expect(at(1100).running).toBe(2); // the crash took one
    expect(r.rescheduledAfterMs).toBeGreaterThan(300); // the heartbeat timeout must pass first
    expect(r.rescheduledAfterMs).toBeLessThan(600);
    expect(r.runningMinDuringUpdate).toBe(3);
    expect(r.updateTookMs).toBeLessThan(1000);
    expect(r.samples[r.samples.length - 1]).toMatchObject({ running: 3, runningNew: 3 });
  });
});
