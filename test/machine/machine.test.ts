// The pure-machine toolkit without the simulator: purity checks, the seeded random draw, the
// InteractionEnv, the transcript parser and runner — and two-phase commit under thousands of random
// schedules of deliveries, losses, ticks, crashes and restarts (a small randomized explorer).
import { describe, expect, it } from "vitest";
import { Prng } from "../../lib/sim/index";
import {
  AtomicCommitMonitor,
  InteractionEnv,
  InteractionError,
  MachinePurityError,
  TranscriptError,
  callPure,
  checkedMachine,
  deepFreeze,
  explainTranscriptFailures,
  formatTranscript,
  nextRandom,
  parseTranscript,
  runTranscript,
  twoPhaseCommit,
  type Machine,
  type TwoPhaseConfig,
  type TwoPhaseMessage,
  type TwoPhasePersist,
  type TwoPhaseState,
} from "../../lib/machine/index";

type Counter = { n: number };
type CounterMsg = { type: "inc" } | { type: "inc_resp"; n: number };

/** The @example of `Machine`: persists every increment before acknowledging it. */
const counter: Machine<Counter, CounterMsg, { n: number }, null> = {
  name: "counter",
  messageTypes: ["inc", "inc_resp"],
  init: () => ({ n: 0 }),
  restore: (_ctx, disk) => ({ n: disk.n ?? 0 }),
  step: (s, m) =>
    m.body.type !== "inc"
      ? { state: s }
      : { state: { n: s.n + 1 }, persist: { n: s.n + 1 }, messages: [{ dest: m.src, body: { type: "inc_resp", n: s.n + 1 } }] },
  tick: (s) => ({ state: s }),
  describe: (s) => (s.n === 0 ? "zero" : "counting"),
};

/** Time limit for the tests that run hundreds of schedules (a second alone, more on a busy machine). */
const SLOW_MS = 60_000;

const config = (id: string): TwoPhaseConfig =>
  id === "c" ? { role: "coordinator", participants: ["p1", "p2", "p3"] } : { role: "participant", coordinator: "c", abortProbability: 0.2 };

describe("nextRandom", () => {
  it("is a pure function of the seed: same seed, same value and next seed", () => {
    expect(nextRandom(42)).toEqual(nextRandom(42));
    expect(nextRandom(42).value).not.toBe(nextRandom(43).value);
    let seed = 7;
    const values: number[] = [];
    let badSeeds = 0;
    for (let i = 0; i < 20_000; i++) {
      const r = nextRandom(seed);
      if (!(Number.isInteger(r.seed) && r.seed >= 0 && r.seed < 2 ** 32)) badSeeds++;
      values.push(r.value);
      seed = r.seed;
    }
    expect(badSeeds).toBe(0);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    // Uniform on [0, 1): mean 1/2 with standard error sqrt(1/12 / n) ≈ 0.002; allow 5 of them.
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
    // Every tenth of the interval gets about a tenth (binomial sd ≈ 0.0021; allow 5 of them).
    for (let d = 0; d < 10; d++) {
      const share = values.filter((v) => v >= d / 10 && v < (d + 1) / 10).length / values.length;
      expect(Math.abs(share - 0.1)).toBeLessThan(0.0106);
    }
  });
});

describe("purity checks", () => {
  it("deepFreeze freezes everything reachable", () => {
    const s = deepFreeze({ a: { b: [1, { c: 2 }] } });
    expect(Object.isFrozen(s.a.b[1])).toBe(true);
    expect(() => {
      (s.a.b as number[]).push(3);
    }).toThrow(TypeError);
  });

  it("a step that changes its input state fails with MachinePurityError", () => {
    const mutating: Machine<Counter, CounterMsg, {}, null> = {
      ...counter,
      restore: undefined,
      step: (s) => {
        s.n++; // the bug: changes the state it was given
        return { state: s };
      },
    };
    const env = new InteractionEnv(mutating);
    env.init("a", null);
    expect(() => env.inject("b", "a", { type: "inc" })).toThrow(MachinePurityError);
    expect(() => env.inject("b", "a", { type: "inc" })).toThrow(/changed its input/);
  });

  it("a step that changes the message it was given fails too", () => {
    const mutating: Machine<Counter, CounterMsg, {}, null> = {
      ...counter,
      restore: undefined,
      step: (s, m) => {
        (m.body as { seen?: boolean }).seen = true;
        return { state: s };
      },
    };
    const env = new InteractionEnv(mutating);
    env.init("a", null);
    expect(() => env.inject("b", "a", { type: "inc" })).toThrow(/changed its input/);
  });

  it("a step with hidden state (two calls, two answers) fails with 'not pure'", () => {
    let calls = 0;
    const impure: Machine<Counter, CounterMsg, {}, null> = { ...counter, restore: undefined, tick: (s) => ({ state: { n: s.n + calls++ } }) };
    const env = new InteractionEnv(impure);
    env.init("a", null);
    expect(() => env.tick("a")).toThrow(/is not pure: two calls with the same input gave different results/);
    // The check can be turned off (e.g. to time a machine).
    const unchecked = new InteractionEnv(impure, { checkPurity: false });
    unchecked.init("a", null);
    expect(() => unchecked.tick("a")).not.toThrow();
  });

  it("callPure returns the (frozen) result and passes other errors through", () => {
    const r = callPure("f", () => ({ x: [1] }), []);
    expect(r).toEqual({ x: [1] });
    expect(Object.isFrozen(r.x)).toBe(true);
    expect(() => callPure("f", () => {
      throw new RangeError("boom");
    }, [])).toThrow(RangeError);
  });

  it("two-phase commit passes: its step never changes frozen states or messages", () => {
    const checked = checkedMachine(twoPhaseCommit);
    const c0 = checked.init({ id: "c", config: config("c"), seed: 1 });
    const begun = checked.step(c0, { src: "client", body: { type: "begin", txn: "t1" } });
    expect(Object.isFrozen(begun.state)).toBe(true);
    expect(Object.isFrozen(c0)).toBe(true);
    expect(c0).toEqual(twoPhaseCommit.init({ id: "c", config: config("c"), seed: 1 })); // unchanged
  });
});

describe("InteractionEnv", () => {
  it("runs the counter: persist is written to the disk, the disk survives a crash, restore reads it", () => {
    const env = new InteractionEnv(counter);
    expect(env.run("init a")).toBe("state zero");
    expect(env.run("deliver client->a inc")).toBe(["client->a inc", "  persist {\"n\":1}", "  send a->client inc_resp {\"n\":1}", "  state zero → counting"].join("\n"));
    expect(env.disk("a")).toEqual({ n: 1 });
    expect(env.run("crash a")).toBe('disk {"n":1}');
    expect(env.state("a")).toBeUndefined();
    expect(env.run("state a")).toBe("crashed");
    expect(env.run("restart a")).toBe("state counting");
    expect(env.state("a")).toEqual({ n: 1 });
    expect(env.pending()).toEqual([]); // the client is outside the env's world
  });

  it("a machine without restore starts over after a restart; without describe, states print as JSON", () => {
    const forgetful: Machine<Counter, CounterMsg, { n: number }, null> = { ...counter, restore: undefined, describe: undefined };
    const env = new InteractionEnv(forgetful);
    expect(env.run("init a")).toBe('state {"n":0}');
    expect(env.run("deliver b->a inc")).toContain('  state {"n":0} → {"n":1}');
    env.run("crash a");
    expect(env.run("restart a")).toBe('state {"n":0}');
    expect(env.disk("a")).toEqual({ n: 1 }); // kept, but this machine does not read it
  });

  it("selectors deliver or drop by destination or link, in send order", () => {
    const env = new InteractionEnv(twoPhaseCommit);
    for (const id of ["c", "p1", "p2", "p3"]) env.init(id, config(id));
    env.inject("client", "c", { type: "begin", txn: "t1" });
    expect(env.pending().map((m) => m.dest)).toEqual(["p1", "p2", "p3"]);
    expect(env.drop("c->p2")).toBe('dropped c->p2 prepare {"txn":"t1"}');
    expect(env.deliver("p3").split("\n")[0]).toBe('c->p3 prepare {"txn":"t1"}');
    expect(env.pending().map((m) => `${m.src}->${m.dest}`)).toEqual(["c->p1", "p3->c"]);
    expect(env.run("pending")).toBe('c->p1 prepare {"txn":"t1"}\np3->c prepare_resp {"txn":"t1","vote":"yes"}');
    expect(env.drop()).toContain("dropped p3->c");
    expect(env.run("pending")).toBe("(none)");
    expect(env.deliver()).toBe("ok");
  });

  it("the seed given to init drives the machine's random choices, and restart draws anew", () => {
    const votes = (seed: number): string => {
      const env = new InteractionEnv(twoPhaseCommit);
      env.init("c", { role: "coordinator", participants: ["p1"] });
      env.run(`init p1 seed=${seed} {"role":"participant","coordinator":"c","abortProbability":0.5}`);
      const out: string[] = [];
      for (let t = 0; t < 12; t++) {
        env.inject("c", "p1", { type: "prepare", txn: `t${t}` });
        out.push((env.state("p1") as { txns: Record<string, string> }).txns[`t${t}`][0]);
      }
      return out.join("");
    };
    expect(votes(1)).toBe(votes(1));
    expect(new Set([1, 2, 3, 4, 5].map(votes)).size).toBeGreaterThan(1);
    expect(votes(1)).toMatch(/^[pa]+$/);
  });

  it("mistakes in commands are InteractionErrors that say what is wrong", () => {
    const env = new InteractionEnv(counter);
    env.init("a", null);
    expect(() => env.run("jump a")).toThrow(/unknown command "jump"/);
    expect(() => env.run("tick b")).toThrow(/unknown node "b" \(known: a\)/);
    expect(() => env.run("tick a 0")).toThrow(/count must be a whole number ≥ 1/);
    expect(() => env.run("init a")).toThrow(/already exists/);
    expect(() => env.run("restart a")).toThrow(/is running; crash it first/);
    expect(() => env.run("deliver b->a inc {oops}")).toThrow(/bad JSON/);
    expect(() => env.run("deliver b-> inc")).toThrow(/expected <src>-><dest>/);
    expect(() => env.run("tick a seed=3")).toThrow(/unknown option seed=/);
    expect(() => env.run("crash a {}")).toThrow(/no JSON/);
    env.run("crash a");
    expect(() => env.run("tick a")).toThrow(/node "a" is crashed/);
    expect(() => env.run("crash a")).toThrow(InteractionError);
    expect(env.run("deliver b->a inc")).toBe("b->a inc\n  dropped: a is crashed");
  });
});

describe("transcript files", () => {
  const text = [
    "# a counter",
    "init a",
    "----",
    "state zero",
    "",
    "",
    "# two increments",
    "deliver b->a inc",
    "----",
    "b->a inc",
    '  persist {"n":1}',
    '  send a->b inc_resp {"n":1}',
    "  state zero → counting",
    "",
    "tick a",
    "----",
    "ok",
    "",
    "# the end",
    "",
  ].join("\n");

  it("parse keeps comments, blank lines and line numbers; format writes the same text back", () => {
    const t = parseTranscript(text);
    expect(t.cases.map((c) => [c.line, c.command])).toEqual([
      [2, "init a"],
      [8, "deliver b->a inc"],
      [15, "tick a"],
    ]);
    expect(t.cases[1].before).toEqual(["", "# two increments"]);
    expect(t.after).toEqual(["# the end"]);
    expect(formatTranscript(t)).toBe(text);
    expect(parseTranscript(text.replace(/\n/g, "\r\n"))).toEqual(t);
  });

  it("a case without ---- is an error naming the line", () => {
    expect(() => parseTranscript("init a\nstate zero\n")).toThrow(/line 2: expected "----" after the command on line 1/);
    expect(() => parseTranscript("----\n")).toThrow(/line 1: "----" without a command/);
  });

  it("a replay reports each differing output with its line, and rewrites only the outputs", () => {
    const wrong = text.replace("state zero\n", "state one\n").replace("tick a\n----\nok", "tick a\n----\nsomething");
    const result = runTranscript(counter, wrong);
    expect(result.failures.map((f) => f.line)).toEqual([2, 15]);
    expect(explainTranscriptFailures(result, "x.txt")).toBe(
      ["x.txt:2: init a", "  expected:", "    state one", "  actual:", "    state zero", "", "x.txt:15: tick a", "  expected:", "    something", "  actual:", "    ok"].join("\n"),
    );
    expect(result.rewritten).toBe(text);
    expect(runTranscript(counter, text).failures).toEqual([]);
    expect(result.states).toEqual({ a: { n: 1 } });
  });

  it("a command that cannot run, or a broken invariant, stops the replay at its line", () => {
    expect(() => runTranscript(counter, "init a\n----\nstate zero\n\ntick b\n----\nok\n")).toThrow(TranscriptError);
    expect(() => runTranscript(counter, "init a\n----\nstate zero\n\ntick b\n----\nok\n")).toThrow(/line 5: tick b\n  InteractionError: tick: unknown node "b"/);
    const atMostZero = (states: Record<string, Counter>): string[] => Object.entries(states).filter(([, s]) => s.n > 0).map(([id]) => `${id} counted`);
    expect(() => runTranscript(counter, text, { invariant: atMostZero })).toThrow(/line 8: deliver b->a inc\n  TranscriptError: invariant broken:\n  a counted/);
  });
});

describe("two-phase commit under random schedules (the pure machine, no simulator)", () => {
  type Env = InteractionEnv<TwoPhaseState, TwoPhaseMessage, TwoPhasePersist, TwoPhaseConfig>;
  const ids = ["c", "p1", "p2", "p3"];

  /**
   * One random schedule: at each step begin a transaction, deliver one message in flight, lose one,
   * tick a node, crash a node or restart one, as `prng` chooses. AC1 and AC2 are checked after every
   * step. Returns the first violation (or undefined) and how many steps a participant spent
   * uncertain while the coordinator was down (2PC's blocking window).
   */
  function faultPhase(machine: typeof twoPhaseCommit, seed: number, steps: number): { env: Env; prng: Prng; monitor: AtomicCommitMonitor; violation?: string; blockedSteps: number } {
    const prng = new Prng(seed);
    const env: Env = new InteractionEnv(machine, { checkPurity: seed % 10 === 0 });
    for (const id of ids) env.init(id, config(id), prng.nextUint32());
    const monitor = new AtomicCommitMonitor();
    let txns = 0;
    let blockedSteps = 0;
    for (let i = 0; i < steps; i++) {
      const pending = env.pending();
      const up = ids.filter((id) => env.state(id) !== undefined);
      const down = ids.filter((id) => env.state(id) === undefined);
      const r = prng.float();
      let what: string;
      if (r < 0.05 && txns < 4 && env.state("c") !== undefined) {
        what = `begin t${++txns}`;
        env.inject("client", "c", { type: "begin", txn: `t${txns}` });
      } else if (r < 0.45 && pending.length > 0) {
        const m = prng.pick(pending);
        what = `deliver ${m.src}->${m.dest}`;
        env.deliver(`${m.src}->${m.dest}`);
      } else if (r < 0.55 && pending.length > 0) {
        const m = prng.pick(pending);
        what = `drop ${m.src}->${m.dest}`;
        env.drop(`${m.src}->${m.dest}`);
      } else if (r < 0.9 && up.length > 0) {
        const id = prng.pick(up);
        what = `tick ${id}`;
        env.tick(id);
      } else if (r < 0.95 && up.length > 0) {
        const id = prng.pick(up);
        what = `crash ${id}`;
        env.crash(id);
      } else if (down.length > 0) {
        const id = prng.pick(down);
        what = `restart ${id}`;
        env.restart(id, prng.nextUint32());
      } else continue;
      const uncertain = Object.values(env.states()).some((s) => s.role === "participant" && Object.values(s.txns).includes("prepared"));
      if (env.state("c") === undefined && uncertain) blockedSteps++;
      const problems = monitor.observe(env.states());
      if (problems.length > 0) return { env, prng, monitor, violation: `seed ${seed}, step ${i} (${what}): ${problems.join("; ")}`, blockedSteps };
    }
    return { env, prng, monitor, blockedSteps };
  }

  it("AC1 and AC2 hold after every step of 200 schedules, and nobody is left uncertain after healing", () => {
    let decided = 0;
    let blocked = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const { env, prng, monitor, violation, blockedSteps } = faultPhase(twoPhaseCommit, seed, 150);
      expect(violation).toBeUndefined();
      blocked += blockedSteps;
      // Healing: everyone up, nothing lost; deliver and tick everyone until nothing is left to do.
      for (const id of ids) if (env.state(id) === undefined) env.restart(id, prng.nextUint32());
      for (let round = 0; round < 30; round++) {
        env.deliver();
        for (const id of ids) env.tick(id);
        expect(monitor.observe(env.states()), `seed ${seed}, healing round ${round}`).toEqual([]);
      }
      const states = env.states();
      const c = states.c as Extract<TwoPhaseState, { role: "coordinator" }>;
      decided += Object.keys(c.decisions).length;
      for (const id of ["p1", "p2", "p3"]) {
        const p = states[id] as Extract<TwoPhaseState, { role: "participant" }>;
        for (const txn of Object.keys(p.txns)) {
          expect(p.txns[txn], `seed ${seed}: ${id} is still uncertain about ${txn} after healing`).not.toBe("prepared");
          if (c.decisions[txn] !== undefined) expect(p.txns[txn]).toBe(c.decisions[txn] === "commit" ? "committed" : "aborted");
        }
      }
      expect(env.pending(), `seed ${seed}: messages still in flight after healing`).toEqual([]);
    }
    // The schedules did exercise the protocol: many decisions, and many steps in which a
    // participant was uncertain while the coordinator was down.
    expect(decided).toBeGreaterThan(200);
    expect(blocked).toBeGreaterThan(60);
  }, SLOW_MS);

  it("the same schedules catch a coordinator that forgets its decision log in a crash", () => {
    const forgetful: typeof twoPhaseCommit = { ...twoPhaseCommit, restore: (ctx, disk) => twoPhaseCommit.restore!(ctx, ctx.config.role === "coordinator" ? {} : disk) };
    const caught = Array.from({ length: 100 }, (_, i) => faultPhase(forgetful, i + 1, 150).violation).filter(Boolean);
    expect(caught.length).toBeGreaterThan(10);
    expect(caught[0]).toMatch(/AC[12]: /);
  }, SLOW_MS);

  it("...and the tempting cure for blocking: a participant that aborts after waiting too long", () => {
    // Bernstein et al. §7.4: an uncertain participant may not decide alone; the coordinator may have
    // decided commit and told someone else. This variant aborts instead of sending decision_req.
    const impatient: typeof twoPhaseCommit = {
      ...twoPhaseCommit,
      tick: (s) => {
        const ready = twoPhaseCommit.tick(s);
        if (s.role !== "participant" || !(ready.messages ?? []).length) return ready;
        const txns = { ...s.txns };
        for (const txn of Object.keys(txns)) if (txns[txn] === "prepared") txns[txn] = "aborted";
        return { state: { ...s, txns }, persist: { txns } };
      },
    };
    const caught = Array.from({ length: 100 }, (_, i) => faultPhase(impatient, i + 1, 150).violation).filter(Boolean);
    expect(caught.length).toBeGreaterThan(10);
    expect(caught[0]).toMatch(/AC1: t\d committed at .* but aborted at/);
  }, SLOW_MS);
});
