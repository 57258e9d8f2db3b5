// The view service (6.824 2014 lab 2 / DSLabs lab 2): views change on crash, restart and idle join;
// a view the primary has not acknowledged is never followed by another; with no backup to promote
// the service is stuck rather than promote a server without the state.
import { describe, expect, it } from "vitest";
import { Simulation } from "../../lib/simulation";
import { latency } from "../../lib/net";
import type { Node } from "../../lib/node";
import { viewService, type View, type ViewServiceHandle } from "../../lib/replication/index";

/** A server that pings every 100 ms with the latest view it knows (and can be told to stop acking). */
function pinger(node: Node, known: { view: View; ack: boolean }): void {
  known.view = { viewNum: 0, primary: null, backup: null };
  const ping = () =>
    node.rpc("vs", { type: "ping", viewNum: known.ack ? known.view.viewNum : 0 }, { timeoutMs: 90 }).then(
      (r) => void (known.view = r.body.view),
      () => undefined,
    );
  void ping();
  node.setPeriodic(100, () => void ping(), "ping");
}

function setup(seed: number, ids: string[], lossProbability = 0) {
  const sim = new Simulation({ seed, network: { latency: latency.uniform(5, 15), lossProbability } });
  let vs!: ViewServiceHandle;
  sim.spawn("vs", (node) => void (vs = viewService(node, { pingIntervalMs: 100, deadPings: 3 })));
  const known: Record<string, { view: View; ack: boolean }> = {};
  ids.forEach((id, i) => {
    known[id] = { view: { viewNum: 0, primary: null, backup: null }, ack: true };
    // one after another, 50 ms apart, so the first ping (and the primary) is s1's
    sim.at(50 * i, () => void sim.spawn(id, (node) => pinger(node, known[id])), `start ${id}`);
  });
  return { sim, vs: () => vs, known };
}

/** Pings with viewNum 0 forever and ignores the answers. */
function silentPinger(node: Node): void {
  node.on("view", () => undefined);
  node.setPeriodic(100, () => void node.send("vs", { type: "ping", viewNum: 0 }));
}

const brief = (v: View) => `${v.viewNum}:${v.primary ?? "-"}/${v.backup ?? "-"}`;

describe("viewService", () => {
  it("first pinger is primary of view 1, the next becomes backup, a third stays idle", async () => {
    const { sim, vs } = setup(1, ["s1", "s2", "s3"]);
    await sim.runFor(1_000);
    const views = vs().views().map(brief);
    expect(views.slice(0, 3)).toEqual(["0:-/-", "1:s1/-", "2:s1/s2"]);
    expect(views).toHaveLength(3);
    expect(vs().acknowledged()).toBe(true);
  });

  it("a crashed primary is replaced by its backup and the idle server becomes backup", async () => {
    const { sim, vs } = setup(2, ["s1", "s2", "s3"]);
    sim.at(1_000, () => sim.crash("s1"));
    await sim.runFor(2_000);
    expect(vs().views().map(brief)).toEqual(["0:-/-", "1:s1/-", "2:s1/s2", "3:s2/s3"]);
    // s1's last ping left at 900 and arrived by 915; dead once more than 3 × 100 ms have passed
    // since, noticed at the next ping from another server or the next check (every 100 ms)
    const change = sim.trace.events.filter((e) => e.kind === "state" && e.node === "vs" && String(e.cause).includes("primary s1 dead"));
    expect(change).toHaveLength(1);
    expect(change[0].timeMs).toBeGreaterThan(1_205);
    expect(change[0].timeMs).toBeLessThan(1_320);
  });

  it("a crashed backup is dropped; when it restarts it joins again as backup (a new view)", async () => {
    const { sim, vs } = setup(3, ["s1", "s2"]);
    sim.at(1_000, () => sim.crash("s2"));
    sim.at(2_000, () => void sim.restart("s2"));
    await sim.runFor(3_000);
    expect(vs().views().map(brief)).toEqual(["0:-/-", "1:s1/-", "2:s1/s2", "3:s1/-", "4:s1/s2"]);
  });

  it("a primary that restarts quickly (pings 0 before it is found dead) is treated as dead", async () => {
    const { sim, vs } = setup(4, ["s1", "s2"]);
    sim.at(1_000, () => sim.crash("s1"));
    sim.at(1_050, () => void sim.restart("s1"));
    await sim.runFor(1_200);
    const views = vs().views().map(brief);
    expect(views.slice(0, 4)).toEqual(["0:-/-", "1:s1/-", "2:s1/s2", "3:s2/-"]);
    await sim.runFor(1_000);
    expect(vs().views().map(brief)[4]).toBe("4:s2/s1"); // back as backup, with a state transfer to come
  });

  it("an unacknowledged view blocks promotion: the backup is not made primary", async () => {
    // s1 pings but never with the current view number (it only knows view 1 — a stale primary).
    const sim = new Simulation({ seed: 6, network: { latency: latency.uniform(5, 15) } });
    let vs!: ViewServiceHandle;
    sim.spawn("vs", (node) => void (vs = viewService(node)));
    sim.spawn("s1", (node) => {
      let known = 0;
      node.setPeriodic(100, async () => {
        const r = await node.rpc("vs", { type: "ping", viewNum: known }, { timeoutMs: 90 });
        if (known === 0) known = r.body.view.viewNum; // learns view 1 and then never again
      });
    });
    sim.at(300, () => void sim.spawn("s2", silentPinger));
    sim.at(1_000, () => sim.crash("s1"));
    await sim.runFor(3_000);
    expect(vs.views().map(brief)).toEqual(["0:-/-", "1:s1/-", "2:s1/s2"]);
    expect(vs.acknowledged()).toBe(false); // s1 never acknowledged view 2, so s2 is not promoted
  });

  it("with no backup a dead primary cannot be replaced: the service is stuck", async () => {
    const { sim, vs } = setup(7, ["s1"]);
    sim.at(500, () => sim.crash("s1"));
    sim.at(700, () => void sim.spawn("s2", silentPinger));
    await sim.runFor(2_000);
    expect(vs().views().map(brief)).toEqual(["0:-/-", "1:s1/-"]);
  });

  it("get_view answers without counting as a ping; bad pings get a clear error", async () => {
    const sim = new Simulation({ seed: 8, network: { latency: latency.constant(5) }, onError: "record" });
    sim.spawn("vs", (node) => void viewService(node));
    const seen: View[] = [];
    sim.spawn("c", async (node) => {
      seen.push((await node.rpc("vs", { type: "get_view" })).body.view);
      node.send("vs", { type: "ping", viewNum: 7 });
    });
    await sim.runFor(100);
    expect(seen).toEqual([{ viewNum: 0, primary: null, backup: null }]);
    const errors = sim.trace.events.filter((e) => e.kind === "error").map((e) => (e as { message: string }).message);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/ping from c with viewNum 7, but the newest view is 0/);
  });

  it("under 20 % message loss: lost replies are never taken for restarts, and each primary comes from the view before", async () => {
    let changes = 0;
    for (const seed of [11, 12, 13, 14, 15, 16, 17, 18]) {
      const { sim, vs } = setup(seed, ["s1", "s2", "s3"], 0.2);
      await sim.runFor(3_000);
      const views = vs().views();
      changes += views.length - 3;
      for (let i = 2; i < views.length; i++) {
        expect([views[i - 1].primary, views[i - 1].backup]).toContain(views[i].primary);
      }
      const causes = sim.trace.events.filter((e) => e.kind === "state" && e.node === "vs").map((e) => String((e as { cause?: string }).cause));
      expect(causes.filter((c) => c.includes("restarted"))).toEqual([]);
    }
    expect(changes).toBeGreaterThan(0); // three lost pings in a row do happen: a live server is declared dead
  });

  it("rejects bad options naming the node", () => {
    const sim = new Simulation({ seed: 1 });
    expect(() => sim.spawn("vs", (node) => void viewService(node, { pingIntervalMs: 0 }))).toThrow(/vs.*pingIntervalMs|pingIntervalMs.*vs/);
  });
});
