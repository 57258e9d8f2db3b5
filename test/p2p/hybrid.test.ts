// Hybrid peer-to-peer: a central index (Napster, a BitTorrent tracker) finds any object in two
// messages but is a single point of failure — once it crashes no new lookup works, though every
// object is still on its holders, and only peers that already know holders can still fetch. With
// super-peers (Yang & Garcia-Molina, ICDE 2003) a super-peer carries many times a leaf's load, and
// its crash cuts its leaves' objects off until they move to their backup.
import { describe, expect, it } from "vitest";
import { Simulation } from "../../lib/simulation";
import { latency } from "../../lib/net";
import { superPeerExperiment, trackedPeer, trackerExperiment, trackerNode, type FetchOutcome } from "../../lib/p2p/index";

describe("central index (tracker)", () => {
  it("crashed tracker: new lookups all fail, fetches from remembered holders still work", async () => {
    const [up, crashedNew, crashedRepeat] = await trackerExperiment({ seed: 1 });
    expect(up.fetched).toBe(up.queries);
    expect(up.messagesPerQuery).toBeLessThan(5); // lookup + reply + fetch + reply
    expect(crashedNew.fetched).toBe(0);
    expect(crashedNew.trackerUnreachable).toBe(crashedNew.queries);
    expect(crashedRepeat.fetched).toBe(crashedRepeat.queries);
  });

  it("under 10% loss the retries still get every fetch through while the tracker is up", async () => {
    const [up] = await trackerExperiment({ seed: 2, lossProbability: 0.1 });
    expect(up.fetched + up.trackerUnreachable + up.holdersUnreachable).toBe(up.queries);
    expect(up.fetched).toBeGreaterThanOrEqual(up.queries - 2);
  });

  it("a restarted tracker has forgotten everything: lookups say not-found until peers register again", async () => {
    const sim = new Simulation({ seed: 1, trace: false, network: { latency: latency.constant(5) } });
    sim.spawn("tracker", (node) => { trackerNode(node); });
    const peers: Record<string, ReturnType<typeof trackedPeer>> = {};
    sim.spawn("a", (node) => { peers.a = trackedPeer(node, { tracker: "tracker", objects: ["movie"] }); });
    sim.spawn("b", (node) => { peers.b = trackedPeer(node, { tracker: "tracker", objects: [] }); });
    const run = async <T>(f: () => Promise<T>): Promise<T> => {
      let out: { v: T } | undefined;
      sim.at(sim.now(), () => f().then((v) => { out = { v }; }));
      await sim.runUntil(() => out !== undefined, { withinMs: 5_000 });
      return out!.v;
    };
    expect(await run(() => peers.a.register())).toBe(true);
    sim.crash("tracker");
    expect(await run(() => peers.a.register())).toBe(false);
    sim.restart("tracker");
    expect((await run(() => peers.b.fetch("movie")) as FetchOutcome).status).toBe("not-found");
    await run(() => peers.a.register());
    expect(await run(() => peers.b.fetch("movie"))).toEqual({ status: "fetched", holder: "a", fromCache: false });
  });
});

describe("super-peers", () => {
  it("a super-peer handles many times a leaf's load; its crash cuts off its leaves' objects", async () => {
    const [up, crashed] = await superPeerExperiment({ crash: "sp1", seed: 1 });
    expect(up.successRate).toBe(1);
    expect(up.superPeerLoad / up.leafLoad).toBeGreaterThan(20);
    expect(crashed.cutOff).toBeGreaterThan(0);
    expect(crashed.successRate).toBeLessThanOrEqual(1 - crashed.cutOff / crashed.queries);
    expect(crashed.orphanLeaves).toBeGreaterThan(0); // leaves of sp1 that have not asked anything since
    expect(crashed.orphanLeaves).toBeLessThanOrEqual(12);
  });
});
