// The node API as node code sees it: handlers, replies, RPC with timeouts and backoff, timers,
// states, logs, and what happens when node code goes wrong under each error policy.
import { describe, expect, it } from "vitest";
import { Simulation } from "../../lib/simulation";
import { SimulationError } from "../../lib/sim";
import { RpcTimeoutError } from "../../lib/node";
import type { TraceEvent } from "../../lib/trace/events";

const kinds = (events: readonly TraceEvent[], ...wanted: TraceEvent["kind"][]) => events.filter((e) => wanted.includes(e.kind));

describe("node API: handlers", () => {
  it("a second handler for the same type throws, naming the type and the node", () => {
    const sim = new Simulation({ seed: 5 });
    const node = sim.spawn("a");
    node.on("ping", () => {});
    expect(() => node.on("ping", () => {})).toThrow(/on\("ping"\): a handler for "ping" is already registered \(node "a", t=0ms, seed=5\)/);
    expect(() => node.on("", () => {})).toThrow(/non-empty string/);
    expect(() => node.on("x", 42 as never)).toThrow(/must be a function/);
    expect(node.handledTypes()).toEqual(["ping"]);
  });

  it('unknown message type: an "unhandled" event, and with onError "fail" the run rejects naming node, type, time and seed', async () => {
    const sim = new Simulation({ seed: 77 });
    sim.spawn("b", (node) => node.on("ping", () => {}));
    sim.spawn("a").send("b", { type: "pnig" });
    const run = sim.run();
    await expect(run).rejects.toThrow(SimulationError);
    await expect(run).rejects.toThrow(
      'message pnig from a: no handler for message type "pnig" (this node handles: ping) (node "b", t=1ms, seed=77)',
    );
    expect(kinds(sim.trace.events, "unhandled")).toEqual([
      { kind: "unhandled", timeMs: 1, id: 1, src: "a", dest: "b", type: "pnig", msgId: 1, inReplyTo: undefined, reason: "no-handler" },
    ]);
    expect(kinds(sim.trace.events, "error")).toHaveLength(1);
  });

  it('with onError "record" the error is traced and the run goes on', async () => {
    const sim = new Simulation({ seed: 1, onError: "record" });
    let pings = 0;
    sim.spawn("b", (node) => {
      node.on("ping", () => pings++);
      node.on("boom", () => {
        throw new Error("kaboom");
      });
    });
    const a = sim.spawn("a");
    a.send("b", { type: "nope" });
    a.send("b", { type: "boom" });
    a.send("b", { type: "ping" });
    await sim.run();
    expect(pings).toBe(1);
    expect(sim.counters.errors).toBe(2);
    expect(kinds(sim.trace.events, "error").map((e) => e.kind === "error" && [e.node, e.during, e.message])).toEqual([
      ["b", "message nope from a", 'no handler for message type "nope" (this node handles: ping, boom)'],
      ["b", "message boom from a", "kaboom"],
    ]);
    expect(sim.isUp("b")).toBe(true);
  });

  it('with onError "crash" a throwing handler crashes its node, like an uncaught exception', async () => {
    const sim = new Simulation({ seed: 1, onError: "crash" });
    let pings = 0;
    sim.spawn("b", (node) => {
      node.on("ping", () => pings++);
      node.on("boom", () => {
        throw new Error("kaboom");
      });
    });
    const a = sim.spawn("a");
    a.send("b", { type: "boom" });
    a.send("b", { type: "ping" }); // arrives after the crash: dropped
    await sim.run();
    expect(sim.isUp("b")).toBe(false);
    expect(pings).toBe(0);
    expect(sim.trace.events.filter((e) => e.timeMs === 1).map((e) => e.kind + ("reason" in e ? `:${e.reason}` : ""))).toEqual([
      "deliver",
      "error",
      "crash",
      "drop:crashed",
    ]);
  });

  it("a handler that throws fails the run with the node, the message and the virtual time", async () => {
    const sim = new Simulation({ seed: 3 });
    sim.spawn("b", (node) =>
      node.on("boom", () => {
        throw new TypeError("bad state");
      }),
    );
    const a = sim.spawn("a");
    sim.at(5, () => a.send("b", { type: "boom" }));
    const err = await sim.run().then(
      () => undefined,
      (e: SimulationError) => e,
    );
    expect(err).toBeInstanceOf(SimulationError);
    expect(err!.message).toBe('message boom from a: bad state (node "b", t=6ms, seed=3)');
    expect([err!.node, err!.timeMs, err!.seed]).toEqual(["b", 6, 3]);
    expect(err!.stack).toMatch(/Caused by: TypeError: bad state/);
    expect(sim.now()).toBe(6); // the run stopped at the failing event
  });

  it("an async handler's rejection fails the run the same way, at the time it rejects", async () => {
    const sim = new Simulation({ seed: 3 });
    sim.spawn("b", (node) =>
      node.on("slow-boom", async () => {
        await node.sleep(10);
        throw new Error("late failure");
      }),
    );
    sim.spawn("a").send("b", { type: "slow-boom" });
    await expect(sim.run()).rejects.toThrow('message slow-boom from a: late failure (node "b", t=11ms, seed=3)');
  });

  it("a throwing timer callback names the timer", async () => {
    const sim = new Simulation({ seed: 2 });
    sim.spawn("a", (node) =>
      node.setTimer(
        4,
        () => {
          throw new Error("oops");
        },
        "election",
      ),
    );
    await expect(sim.run()).rejects.toThrow('timer election: oops (node "a", t=4ms, seed=2)');
  });
});

describe("node API: replies and RPC", () => {
  it("reply goes to the sender with in_reply_to = the request's msg_id", async () => {
    const sim = new Simulation({ seed: 1 });
    sim.spawn("server", (node) => node.on("echo", (req) => node.reply(req, { type: "echo_ok", echo: req.body.echo })));
    const got: unknown[] = [];
    const client = sim.spawn("client", (node) => node.on("echo_ok", (msg) => got.push(msg)));
    client.send("server", { type: "echo", msg_id: 41, echo: "hi" });
    await sim.run();
    expect(got).toEqual([{ src: "server", dest: "client", body: { type: "echo_ok", echo: "hi", in_reply_to: 41, msg_id: 1 } }]);
  });

  it("rpc resolves with the reply and traces an ok rpc with its latency", async () => {
    const sim = new Simulation({ seed: 1 });
    sim.spawn("server", (node) => node.on("read", (req) => node.reply(req, { type: "read_ok", value: 42 })));
    const client = sim.spawn("client");
    const reply = await sim.runUntilSettled(client.rpc("server", { type: "read" }));
    expect(reply.body.value).toBe(42);
    expect(reply.body.in_reply_to).toBe(1);
    expect(kinds(sim.trace.events, "rpc")).toEqual([
      { kind: "rpc", timeMs: 2, node: "client", dest: "server", type: "read", msgId: 1, outcome: "ok", latencyMs: 2, attempts: 1 },
    ]);
  });

  it("rpc retries with exact backoff in virtual time, then rejects with RpcTimeoutError", async () => {
    const sim = new Simulation({ seed: 8, network: { lossProbability: 1 } });
    sim.spawn("server", (node) => node.on("read", (req) => node.reply(req, { type: "read_ok" })));
    const client = sim.spawn("client");
    const settled = client.rpc("server", { type: "read" }, { timeoutMs: 40, retries: 3, backoffMsInitial: 10, backoffMultiplier: 2 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    const err = (await sim.runUntilSettled(settled)) as RpcTimeoutError;
    // attempt 1 at 0; timeout 40, wait 10 ⇒ attempt 2 at 50; timeout 90, wait 20 ⇒ 110; timeout 150, wait 40 ⇒ 190; gives up at 230
    const sends = kinds(sim.trace.events, "send").map((e) => e.kind === "send" && [e.timeMs, e.msgId]);
    expect(sends).toEqual([[0, 1], [50, 1], [110, 1], [190, 1]]); // every attempt resends the same msg_id
    expect(err).toBeInstanceOf(RpcTimeoutError);
    expect(err).toBeInstanceOf(SimulationError);
    expect(err.message).toBe('rpc read to "server" got no reply after 4 attempt(s) (node "client", t=230ms, seed=8)');
    expect([err.dest, err.type, err.attempts, err.timeMs]).toEqual(["server", "read", 4, 230]);
    expect(kinds(sim.trace.events, "rpc")).toEqual([
      { kind: "rpc", timeMs: 230, node: "client", dest: "server", type: "read", msgId: 1, outcome: "timeout", latencyMs: 230, attempts: 4 },
    ]);
  });

  it("backoffMsMax caps the waits; default backoff retries at once", async () => {
    const sim = new Simulation({ seed: 8, network: { lossProbability: 1 } });
    sim.spawn("server");
    const client = sim.spawn("client");
    const capped = client.rpc("server", { type: "a" }, { timeoutMs: 10, retries: 3, backoffMsInitial: 10, backoffMsMax: 15 }).catch(() => "gave up");
    const eager = client.rpc("server", { type: "b" }, { timeoutMs: 10, retries: 2 }).catch(() => "gave up");
    await sim.runUntilSettled(Promise.all([capped, eager]));
    const at = (type: string) => kinds(sim.trace.events, "send").flatMap((e) => (e.kind === "send" && e.type === type ? [e.timeMs] : []));
    expect(at("a")).toEqual([0, 20, 45, 70]); // waits 10, 15, 15
    expect(at("b")).toEqual([0, 10, 20]);
  });

  it('jitter "full" waits a random time in [0, backoff), drawn from the rpc layer\'s own seeded stream', async () => {
    const run = async (seed: number) => {
      const sim = new Simulation({ seed, network: { lossProbability: 1 } });
      sim.spawn("server");
      const client = sim.spawn("client");
      await sim.runUntilSettled(client.rpc("server", { type: "a" }, { timeoutMs: 10, retries: 4, backoffMsInitial: 100, jitter: "full" }).catch(() => 0));
      return kinds(sim.trace.events, "send").map((e) => e.timeMs);
    };
    const times = await run(1);
    expect(times).toEqual(await run(1));
    expect(times).toHaveLength(5); // the first try and 4 retries: the checks below see 4 waits, not none
    const waits = times.slice(1).map((t, i) => t - times[i] - 10);
    waits.forEach((w, i) => {
      expect(w).toBeGreaterThanOrEqual(0);
      expect(w).toBeLessThan(100 * 2 ** i);
    });
    expect(await run(2)).not.toEqual(times);
  });

  it('a reply after the rpc gave up is traced as unhandled "late-reply" and is not an error', async () => {
    const sim = new Simulation({ seed: 1 });
    sim.spawn("slow", (node) => node.on("read", (req) => node.setTimer(50, () => node.reply(req, { type: "read_ok" }))));
    const client = sim.spawn("client");
    const outcome = client.rpc("slow", { type: "read" }, { timeoutMs: 20 }).catch((e: Error) => e.name);
    await sim.run();
    expect(await outcome).toBe("RpcTimeoutError");
    expect(kinds(sim.trace.events, "unhandled")).toEqual([
      { kind: "unhandled", timeMs: 52, id: 2, src: "slow", dest: "client", type: "read_ok", msgId: 1, inReplyTo: 1, reason: "late-reply" },
    ]);
    expect(sim.counters.errors).toBe(0);
  });

  it("a reply to a request that was sent with plain send (no rpc) and has no handler is an error, not a late reply", async () => {
    const sim = new Simulation({ seed: 4 });
    sim.spawn("server", (node) => node.on("ping", (m) => node.reply(m, { type: "pong" })));
    sim.spawn("client", (node) => node.send("server", { type: "ping" }));
    await expect(sim.runFor(10)).rejects.toThrow(
      'message pong from server: no handler for message type "pong" (this node handles: nothing) (node "client", t=2ms, seed=4)',
    );
    expect(kinds(sim.trace.events, "unhandled")).toMatchObject([{ type: "pong", reason: "no-handler" }]);
  });

  it("a duplicated reply resolves the rpc once; the copy is a late reply", async () => {
    const sim = new Simulation({ seed: 1, network: { duplicationProbability: 1 } });
    sim.spawn("server", (node) => {
      let served = 0;
      node.on("read", (req) => node.reply(req, { type: "read_ok", n: ++served }));
    });
    const client = sim.spawn("client");
    const reply = await sim.runUntilSettled(client.rpc("server", { type: "read" }));
    await sim.run();
    expect(reply.body.n).toBe(1);
    expect(kinds(sim.trace.events, "rpc")).toHaveLength(1);
    // The request arrived twice, so the server replied twice (n=1, n=2), and each reply arrived
    // twice: the first copy resolved the rpc, the other three are late replies — listed, not just
    // checked with every(), which an empty list (no duplication at all) would pass.
    const late = kinds(sim.trace.events, "unhandled").map((e) => e.kind === "unhandled" && [e.msgId, e.reason]);
    expect(late).toEqual([
      [1, "late-reply"],
      [2, "late-reply"],
      [2, "late-reply"],
    ]);
  });

  it("a reply from the wrong node does not resolve the rpc", async () => {
    const sim = new Simulation({ seed: 1, onError: "record" });
    sim.spawn("server");
    sim.spawn("impostor");
    const client = sim.spawn("client");
    const outcome = client.rpc("server", { type: "read" }, { timeoutMs: 20 }).then(
      () => "resolved",
      () => "timed out",
    );
    sim.node("impostor").send("client", { type: "read_ok", in_reply_to: 1 });
    await sim.run();
    expect(await outcome).toBe("timed out");
    // while the rpc waited for "server", a reply from "impostor" was an error, not a late reply
    const unhandled = sim.trace.filter({ kinds: ["unhandled"] }) as Array<{ src: string; type: string; reason: string }>;
    expect(unhandled.map((e) => [e.src, e.type, e.reason])).toEqual([
      ["client", "read", "no-handler"], // the server has no handler for read: it never replies
      ["impostor", "read_ok", "no-handler"],
    ]);
  });

  it("rpc checks its options", () => {
    const sim = new Simulation({ seed: 1 });
    sim.spawn("server");
    const client = sim.spawn("client");
    expect(() => client.rpc("server", { type: "x" }, { timeoutMs: 0 })).toThrow(/timeoutMs must be > 0, got 0/);
    expect(() => client.rpc("server", { type: "x" }, { retries: 1.5 })).toThrow(/retries must be a whole number ≥ 0, got 1.5/);
  });
});

describe("node API: timers, states, logs, groups", () => {
  it("one-shot, periodic and cancelled timers fire at exact virtual times", async () => {
    const sim = new Simulation({ seed: 1 });
    const fired: Array<[string, number]> = [];
    sim.spawn("a", (node) => {
      node.setTimer(25, () => fired.push(["once", node.now()]), "once");
      node.setTimer(0, () => fired.push(["zero", node.now()]), "zero");
      node.setTimer(7.25, () => fired.push(["fraction", node.now()]), "fraction");
      let ticks = 0;
      const tick = node.setPeriodic(10, () => {
        fired.push(["tick", node.now()]);
        if (++ticks === 3) node.cancelTimer(tick); // cancel from inside the callback
      }, "tick");
      const never = node.setTimer(5, () => fired.push(["never", node.now()]), "never");
      node.cancelTimer(never);
      node.cancelTimer(never); // twice is harmless
      node.setTimer(12, () => node.setTimer(3, () => fired.push(["nested", node.now()]), "nested"), "outer");
    });
    await sim.runFor(100);
    expect(fired).toEqual([
      ["zero", 0],
      ["fraction", 7.25],
      ["tick", 10],
      ["nested", 15],
      ["tick", 20],
      ["once", 25],
      ["tick", 30],
    ]);
    expect(kinds(sim.trace.events, "timer").map((e) => e.kind === "timer" && `${e.timeMs} ${e.name}${e.periodic ? " (periodic)" : ""}`)).toEqual([
      "0 zero",
      "7.25 fraction",
      "10 tick (periodic)",
      "12 outer",
      "15 nested",
      "20 tick (periodic)",
      "25 once",
      "30 tick (periodic)",
    ]);
  });

  it("timers at the same instant fire in the order they were set", async () => {
    const sim = new Simulation({ seed: 1 });
    const order: string[] = [];
    sim.spawn("a", (node) => {
      for (const name of ["x", "y", "z"]) node.setTimer(5, () => order.push(name));
    });
    await sim.run();
    expect(order).toEqual(["x", "y", "z"]);
  });

  it("setPeriodic needs a positive interval", () => {
    const sim = new Simulation({ seed: 1 });
    expect(() => sim.spawn("a").setPeriodic(0, () => {}, "hb")).toThrow(/setPeriodic\("hb"\): intervalMs must be > 0, got 0/);
  });

  it("setState records each transition with its cause; repeating a state records nothing", async () => {
    const sim = new Simulation({ seed: 1 });
    sim.spawn(
      "r",
      (node) => {
        node.setState("follower", "start");
        node.setTimer(150, () => node.setState("candidate", "election timeout"));
        node.setTimer(160, () => node.setState("candidate", "again"));
        node.setTimer(170, () => node.setState("leader", "won 2 of 3 votes"));
      },
      { role: "raft" },
    );
    await sim.run();
    expect(kinds(sim.trace.events, "state")).toEqual([
      { kind: "state", timeMs: 0, node: "r", role: "raft", from: undefined, to: "follower", cause: "start" },
      { kind: "state", timeMs: 150, node: "r", role: "raft", from: "follower", to: "candidate", cause: "election timeout" },
      { kind: "state", timeMs: 170, node: "r", role: "raft", from: "candidate", to: "leader", cause: "won 2 of 3 votes" },
    ]);
    expect(sim.node("r").state).toBe("leader");
    expect(String(sim.node("r"))).toBe("Node(r, role=raft, incarnation 1, state=leader)");
  });

  it("log lines are traced with the node and the virtual time", async () => {
    const sim = new Simulation({ seed: 1 });
    sim.spawn("a", (node) => node.setTimer(3, () => node.log("hello at 3")));
    await sim.run();
    expect(kinds(sim.trace.events, "log")).toEqual([{ kind: "log", timeMs: 3, node: "a", text: "hello at 3" }]);
  });

  it("peers, broadcast and multicast", async () => {
    const sim = new Simulation({ seed: 1 });
    const got: string[] = [];
    const listen = (node: import("../../lib/node").Node) => node.on("hi", (m) => got.push(`${m.src}→${node.id}`));
    sim.spawn("a", listen, { groups: ["odd"] });
    sim.spawn("b", listen);
    sim.spawn("c", listen, { groups: ["odd"] });
    const a = sim.node("a");
    expect(a.peers()).toEqual(["b", "c"]);
    a.broadcast({ type: "hi" });
    a.multicast("odd", { type: "hi" });
    expect(() => a.multicast("even", { type: "hi" })).toThrow(/unknown group "even" \(known: odd\)/);
    await sim.run();
    expect(got.sort()).toEqual(["a→b", "a→c", "a→c"]);
  });
});
