// The effects notebooks 06 and 07 are built on, checked against the truth only the simulator
// knows (sim.clockOffset): Cristian's estimate is within RTT/2, NTP's within δ/2, Berkeley pulls a
// group together, a lease held on a slow clock outlives its true length (two holders), and
// timeouts fire early on a fast clock.
import { describe, expect, it } from "vitest";
import { Simulation, latency, InvariantViolation } from "../../lib";
import type { Node, Message } from "../../lib";

/** µs rounding of clock readings may add up to a few µs to any bound. */
const EPS = 0.005;

/** A time server: replies with its clock reading (read when its handler runs). */
function timeServer(node: Node): void {
  node.on("time", (m) => node.reply(m, { type: "time_ok", clockMs: node.clock() }));
}

/** Cristian's algorithm, one round: returns the estimated offset of the server's clock from ours and the RTT. */
async function cristian(node: Node, server: string): Promise<{ offsetMs: number; rttMs: number }> {
  const t0 = node.clock();
  const reply: Message<{ type: string; clockMs: number }> = await node.rpc(server, { type: "time" });
  const t1 = node.clock();
  return { offsetMs: reply.body.clockMs + (t1 - t0) / 2 - t1, rttMs: t1 - t0 };
}

describe("Cristian's algorithm", () => {
  it("the estimate's error is within RTT/2, whatever the delays, offsets and server load (30 seeds)", async () => {
    for (let seed = 1; seed <= 30; seed++) {
      const sim = new Simulation({ seed, network: { latency: latency.exponential(10, 1), ordering: "unordered" } });
      const setup = sim.random("setup");
      sim.spawn("server", timeServer, { clock: { offsetMs: setup.uniform(-50, 50) }, service: { timeMs: latency.exponential(3) } });
      const client = sim.spawn("client", () => {}, { clock: { offsetMs: setup.uniform(-500, 500) } });
      const { offsetMs, rttMs } = await sim.runUntilSettled(cristian(client, "server"));
      const trueOffsetMs = sim.clockOffset("server") - sim.clockOffset("client");
      expect(Math.abs(offsetMs - trueOffsetMs), `seed ${seed}`).toBeLessThanOrEqual(rttMs / 2 + EPS);
      client.adjustClock(offsetMs); // now in step with the server, within RTT/2
      expect(Math.abs(sim.clockOffset("client") - sim.clockOffset("server")), `seed ${seed}`).toBeLessThanOrEqual(rttMs / 2 + EPS);
    }
  });

  it("asymmetric links give the worst error: (return − outbound)/2", async () => {
    const sim = new Simulation({
      seed: 1,
      network: { links: [{ from: "client", to: "server", latency: latency.constant(5) }, { from: "server", to: "client", latency: latency.constant(25) }] },
    });
    sim.spawn("server", timeServer);
    const client = sim.spawn("client", () => {}, { clock: { offsetMs: 100 } });
    const { offsetMs, rttMs } = await sim.runUntilSettled(cristian(client, "server"));
    expect(rttMs).toBe(30);
    expect(offsetMs).toBe(-110); // the truth is -100: off by (25 - 5) / 2 = 10 ≤ RTT/2 = 15
    expect(sim.clockOffset("server") - sim.clockOffset("client")).toBe(-100);
  });
});

describe("NTP offset and delay", () => {
  it("θ = ((T2 − T1) + (T3 − T4)) / 2 is within δ/2 of the truth; δ leaves out the server's processing time", async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const sim = new Simulation({ seed, network: { latency: latency.uniform(2, 40), ordering: "unordered" } });
      const setup = sim.random("setup");
      sim.spawn("server", (node) => {
        node.on("ntp", async (m) => {
          const t2 = node.clock();
          await node.sleep(15); // processing between receive and transmit
          node.reply(m, { type: "ntp_ok", t2, t3: node.clock() });
        });
      }, { clock: { offsetMs: setup.uniform(-20, 20), driftPpm: 50 } });
      const client = sim.spawn("client", () => {}, { clock: { offsetMs: setup.uniform(-300, 300), driftPpm: -80 } });
      const exchange = async () => {
        const t1 = client.clock();
        const r: Message<{ type: string; t2: number; t3: number }> = await client.rpc("server", { type: "ntp" });
        const t4 = client.clock();
        return { thetaMs: (r.body.t2 - t1 + (r.body.t3 - t4)) / 2, deltaMs: t4 - t1 - (r.body.t3 - r.body.t2) };
      };
      const { thetaMs, deltaMs } = await sim.runUntilSettled(exchange());
      const trueMs = sim.clockOffset("server") - sim.clockOffset("client");
      expect(deltaMs, `seed ${seed}`).toBeLessThanOrEqual(80 + EPS); // two one-way delays at most, not the 15 ms of processing
      expect(Math.abs(thetaMs - trueMs), `seed ${seed}`).toBeLessThanOrEqual(deltaMs / 2 + 0.05); // + drift over the exchange
    }
  });
});

describe("Berkeley's algorithm", () => {
  it("the master averages the clocks (RTT-compensated) and tells each its correction: the spread shrinks to about the RTTs", async () => {
    const sim = new Simulation({ seed: 7, network: { latency: latency.uniform(1, 5) } });
    const offsets = { m: 0, s1: 120, s2: -80, s3: 35 };
    const slave = (node: Node) => {
      timeServer(node);
      node.on("adjust", (m) => node.adjustClock(m.body.deltaMs as number));
    };
    for (const id of ["s1", "s2", "s3"] as const) sim.spawn(id, slave, { clock: { offsetMs: offsets[id] } });
    const master = sim.spawn("m");
    const spread = () => {
      const all = ["m", "s1", "s2", "s3"].map((id) => sim.clockOffset(id));
      return Math.max(...all) - Math.min(...all);
    };
    expect(spread()).toBe(200);
    const round = async () => {
      const slaves = ["s1", "s2", "s3"];
      // one poll per slave, each RTT-compensated as in Cristian's: the slave's clock minus ours
      const diffs: number[] = [];
      for (const s of slaves) diffs.push((await cristian(master, s)).offsetMs);
      const avg = (0 + diffs.reduce((a, b) => a + b, 0)) / (slaves.length + 1); // the master counts too, at 0
      slaves.forEach((s, i) => master.send(s, { type: "adjust", deltaMs: avg - diffs[i] }));
      master.adjustClock(avg);
    };
    await sim.runUntilSettled(round());
    await sim.runFor(10); // the adjust messages arrive
    expect(spread()).toBeLessThanOrEqual(5); // within the largest one-way delay
  });
});

describe("leases and timeouts on drifting clocks", () => {
  /**
   * A lock server that grants a 100 ms lease to one holder at a time, timing it on its own
   * clock; clients hold the lease until their own local-clock timer of 100 ms fires.
   */
  function leaseScenario(holderDriftPpm: number, serverDriftPpm: number, secondRequestMs: number) {
    const sim = new Simulation({ seed: 1, network: { latency: latency.constant(1) } });
    const holding = new Set<string>();
    sim.spawn("lock", (node) => {
      let holder: string | undefined;
      let expiresMs = -Infinity; // on the lock server's clock
      node.on("acquire", (m) => {
        if (holder !== undefined && node.clock() < expiresMs) return node.reply(m, { type: "busy" });
        holder = m.src;
        expiresMs = node.clock() + 100;
        node.reply(m, { type: "granted", leaseMs: 100 });
      });
    }, { clock: { driftPpm: serverDriftPpm } });
    const client = (node: Node) => {
      node.on("granted", (m) => {
        holding.add(node.id);
        node.setTimer(m.body.leaseMs as number, () => holding.delete(node.id), "lease", { clock: "local" });
      });
      node.on("busy", () => {});
    };
    const a = sim.spawn("a", client, { clock: { driftPpm: holderDriftPpm } });
    const b = sim.spawn("b", client);
    a.send("lock", { type: "acquire" });
    sim.at(secondRequestMs, () => b.send("lock", { type: "acquire" }));
    return { sim, holding };
  }

  it("a lease held for 100 local ms on a slow clock outlives the true 100 ms: two holders", async () => {
    const { sim, holding } = leaseScenario(-200_000, 0, 110); // a's clock runs 20% slow; b asks at true 110, after the lease expired at the lock
    sim.invariant("at most one lease holder", () => holding.size <= 1 || `holders: ${[...holding].join(", ")}`);
    const err = await sim.run().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvariantViolation);
    expect((err as InvariantViolation).timeMs).toBe(112); // b is granted at 111 and told at 112; a holds until 2 + 100/0.8 = 127
    expect((err as InvariantViolation).message).toMatch(/holders: a, b/);
  });

  it("a lock server whose clock runs fast lets the lease expire early: two holders as well", async () => {
    const { sim, holding } = leaseScenario(0, 200_000, 90); // the lock's 100 ms pass in 83.3 true ms
    let most = 0;
    sim.invariant("count holders", () => void (most = Math.max(most, holding.size)));
    await sim.run();
    expect(most).toBe(2); // b holds from 92; a, with an accurate clock, until 102
  });

  it("with accurate clocks (or a fast holder) the lease is safe", async () => {
    for (const drift of [0, 200_000]) {
      const { sim, holding } = leaseScenario(drift, 0, 110);
      sim.invariant("at most one lease holder", () => holding.size <= 1);
      await sim.run();
    }
  });

  it("notebook 07: an rpc timeout on a fast clock fires early, on a slow clock late", async () => {
    const timedOutAt = async (driftPpm: number): Promise<number> => {
      const sim = new Simulation({ seed: 1 });
      sim.spawn("server", (node) => node.on("work", () => {})); // never answers
      const client = sim.spawn("client", () => {}, { clock: { driftPpm, timers: "local" } });
      await sim.runUntilSettled(client.rpc("server", { type: "work" }, { timeoutMs: 100 }).catch(() => undefined));
      return sim.now();
    };
    expect(await timedOutAt(100_000)).toBe(90.909); // 100 / 1.1 = 90.90909…: the µs at which the clock reads 100
    expect(await timedOutAt(-100_000)).toBe(111.111); // 100 / 0.9
    expect(await timedOutAt(0)).toBe(100);
  });
});
