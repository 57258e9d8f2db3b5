// runClients: client nodes run a workload against a server and record the history. Scenarios on a
// clean network, under loss, with a crashed server, closed and open loops, and the failure
// behaviour of bad options.
import { describe, expect, it } from "vitest";
import { Simulation } from "../../lib/simulation";
import { latency } from "../../lib/net";
import type { NetworkOptions } from "../../lib/net";
import {
  completionOfError,
  counterOps,
  counterServer,
  errorBody,
  historyProblems,
  kvOps,
  kvServer,
  registerOps,
  registerServer,
  runClients,
  workloadOf,
} from "../../lib/history";
import type { ClientRun, KvOpInput, Operation } from "../../lib/history";

/** A simulation with one reference kv server. */
function kvSim(seed: number, network: NetworkOptions = {}): Simulation {
  const sim = new Simulation({ seed, network: { latency: latency.uniform(1, 9), ...network } });
  sim.spawn("server", kvServer());
  return sim;
}

const count = (run: ClientRun, completion: Operation["completion"]): number => run.history.operations.filter((op) => op.completion === completion).length;

describe("runClients on a clean network", () => {
  it("every operation is ok, each client runs one at a time, and the history is well-formed", async () => {
    const sim = kvSim(3);
    const run = await runClients(sim, { clients: 5, ops: kvOps({ keys: ["x", "y"] }), target: "server", durationMs: 500, timeoutMs: 100 });
    const ops = run.history.operations;
    expect(run.clientNodes).toEqual(["c1", "c2", "c3", "c4", "c5"]);
    expect(run.model).toBe("kv");
    expect(ops.length).toBeGreaterThan(100);
    expect(ops.every((op) => op.completion === "ok")).toBe(true);
    expect(new Set(ops.map((op) => op.process))).toEqual(new Set(run.clientNodes));
    expect(historyProblems(run.history)).toEqual([]);
    // Clients start operations only inside the window, and the run ends when the last completes.
    expect(Math.max(...ops.map((op) => op.invokeMs))).toBeLessThan(500);
    expect(run.endMs).toBe(Math.max(...ops.map((op) => op.completeMs!)));
    expect(sim.trace.filter({ kinds: ["spawn"] }).filter((e) => e.kind === "spawn" && e.role === "client")).toHaveLength(5);
  });

  it("reads see the writes: on one client, a get returns everything put and appended before it", async () => {
    const sim = kvSim(4);
    const run = await runClients(sim, { clients: 1, ops: kvOps({ keys: ["x", "y"] }), target: "server", durationMs: 300 });
    const model = new Map<string, string>();
    for (const op of run.history.operations as Array<Operation<KvOpInput>>) {
      const { key, value } = op.input;
      if (op.f === "get") expect(op.output).toBe(model.get(key) ?? "");
      else if (op.f === "put") model.set(key, value!);
      else model.set(key, (model.get(key) ?? "") + value);
    }
    expect(run.history.operations.filter((op) => op.f === "get").length).toBeGreaterThan(5);
  });

  it("is deterministic: the same seed gives the same history JSON, another seed another", async () => {
    const once = async (seed: number): Promise<string> => {
      const sim = kvSim(seed, { lossProbability: 0.1 });
      return JSON.stringify((await runClients(sim, { clients: 3, ops: kvOps({ keys: ["x", "y", "z"] }), target: "server", durationMs: 400, timeoutMs: 30 })).history);
    };
    const a = await once(11);
    expect(await once(11)).toBe(a);
    expect(await once(12)).not.toBe(a);
  });

  it("gives each client its own stream: adding a client does not change what c1 draws", async () => {
    const drawsOfC1 = async (clients: number): Promise<string[]> => {
      const sim = kvSim(5);
      const run = await runClients(sim, { clients, ops: kvOps({ keys: ["x", "y"] }), target: "server", durationMs: 200 });
      return run.history.operations.filter((op) => op.process === "c1").map((op) => `${op.f} ${JSON.stringify(op.input)}`);
    };
    const alone = await drawsOfC1(1);
    const crowded = await drawsOfC1(4);
    const n = Math.min(alone.length, crowded.length);
    expect(n).toBeGreaterThan(10);
    expect(crowded.slice(0, n)).toEqual(alone.slice(0, n));
  });
});

describe("runClients under faults", () => {
  it("under loss: timeouts are info, the client goes on as a new process, the history stays well-formed", async () => {
    const sim = kvSim(21, { lossProbability: 0.2 });
    const run = await runClients(sim, { clients: 4, ops: kvOps({ keys: ["x", "y"] }), target: "server", durationMs: 1000, timeoutMs: 30 });
    const ops = run.history.operations;
    const infos = ops.filter((op) => op.completion === "info");
    expect(count(run, "ok")).toBeGreaterThan(50);
    expect(infos.length).toBeGreaterThan(10);
    expect(infos.every((op) => op.completeMs === undefined && op.output === undefined && op.error?.text === "timeout: no reply within 30ms")).toBe(true);
    expect(historyProblems(run.history)).toEqual([]);
    // c1, then c1#2, c1#3, …: one more process for each info operation of that client.
    for (const client of run.clientNodes) {
      const processes = [...new Set(ops.filter((op) => op.process.split("#")[0] === client).map((op) => op.process))];
      const infosOfClient = infos.filter((op) => op.process.split("#")[0] === client).length;
      const expected = [client, ...Array.from({ length: infosOfClient }, (_, i) => `${client}#${i + 2}`)];
      // The last info may end the run: its successor then never invokes anything.
      expect(expected.slice(0, processes.length)).toEqual(processes);
      expect(processes.length === expected.length || processes.length === expected.length - 1).toBe(true);
    }
  });

  it("with a crashed server: operations during the outage are info, and it serves again after restart with its data", async () => {
    const sim = new Simulation({ seed: 8, network: { latency: latency.constant(5) } });
    sim.spawn("server", kvServer());
    sim.at(100, () => sim.crash("server"));
    sim.at(300, () => sim.restart("server"));
    const run = await runClients(sim, { clients: 3, ops: kvOps({ keys: ["x"] }), target: "server", durationMs: 500, timeoutMs: 50 });
    const ops = run.history.operations;
    // Requests arriving at 100 ≤ t < 300 meet a crashed server: invoked in [95, 295) means info.
    const inOutage = ops.filter((op) => op.invokeMs >= 95 && op.invokeMs < 295);
    expect(inOutage.length).toBeGreaterThan(6);
    expect(inOutage.every((op) => op.completion === "info")).toBe(true);
    expect(ops.filter((op) => op.invokeMs < 90).every((op) => op.completion === "ok")).toBe(true);
    expect(ops.filter((op) => op.invokeMs >= 300).every((op) => op.completion === "ok")).toBe(true);
    // Durable data: the first get after the restart sees every append acknowledged before the crash.
    const before = ops.filter((op) => op.completion === "ok" && op.completeMs! <= 100 && op.f !== "get");
    const firstGetAfter = ops.find((op) => op.f === "get" && op.invokeMs >= 300 && op.completion === "ok")!;
    expect(before.length).toBeGreaterThan(0);
    expect(firstGetAfter).toBeDefined();
    const lastPut = before.map((op) => op.f).lastIndexOf("put");
    for (const op of before.slice(Math.max(0, lastPut))) expect(firstGetAfter.output).toContain((op.input as KvOpInput).value);
    expect(historyProblems(run.history)).toEqual([]);
  });

  it("maps Maelstrom's error replies: definite codes fail, indefinite and unknown ones are info", async () => {
    expect([11, 13, 14, 20, 22, 0, 1234].map(completionOfError)).toEqual(["fail", "info", "fail", "fail", "fail", "info", "info"]);
    const sim = new Simulation({ seed: 2 });
    sim.spawn("server", (node) => {
      node.on("get", (req) => node.reply(req, errorBody(11, "leader unknown, try again")));
      node.on("put", (req) => node.reply(req, errorBody(13, "crashed while writing")));
      node.on("append", (req) => node.reply(req, { type: "error", code: 1234 })); // no text: the table's name, or "error"
    });
    const run = await runClients(sim, { clients: 2, ops: kvOps(), target: "server", durationMs: 30 });
    const byF = (f: string): Operation[] => run.history.operations.filter((op) => op.f === f);
    expect(byF("get").length).toBeGreaterThan(0);
    expect(byF("get").every((op) => op.completion === "fail" && op.completeMs !== undefined && op.error?.code === 11 && op.error.text === "leader unknown, try again")).toBe(true);
    expect(byF("put").every((op) => op.completion === "info" && op.error?.code === 13)).toBe(true);
    expect(byF("append").every((op) => op.completion === "info" && op.error?.code === 1234 && op.error.text === "error")).toBe(true);
    expect(historyProblems(run.history)).toEqual([]);
  });

  it("a compare-and-set that does not match is fail (error 22, or 20 before the first write)", async () => {
    const sim = new Simulation({ seed: 6, network: { latency: latency.constant(2) } });
    sim.spawn("server", registerServer());
    const run = await runClients(sim, { clients: 1, ops: registerOps({ valueCount: 3 }), target: "server", durationMs: 400 });
    // One client: the register's value is known before each operation.
    let value: number | null = null;
    const seen = { casOk: 0, casFail: 0 };
    for (const op of run.history.operations) {
      if (op.f === "read") expect(op.output).toBe(value);
      else if (op.f === "write") value = op.input as number;
      else {
        const [from, to] = op.input as [number, number];
        if (value === from) {
          expect(op.completion).toBe("ok");
          value = to;
          seen.casOk++;
        } else {
          expect(op).toMatchObject({ completion: "fail", error: { code: value === null ? 20 : 22 } });
          seen.casFail++;
        }
      }
    }
    expect(seen.casOk).toBeGreaterThan(0);
    expect(seen.casFail).toBeGreaterThan(0);
  });

  it("a counter: on one client every read is the sum of the adds before it", async () => {
    const sim = new Simulation({ seed: 9 });
    sim.spawn("server", counterServer());
    const run = await runClients(sim, { clients: 1, ops: counterOps({ deltaMax: 3 }), target: "server", durationMs: 100 });
    let sum = 0;
    for (const op of run.history.operations) {
      if (op.f === "add") {
        expect(op.input).toBeGreaterThanOrEqual(1);
        expect(op.input).toBeLessThanOrEqual(3);
        sum += op.input as number;
      } else expect(op.output).toBe(sum);
    }
    expect(run.history.operations.length).toBe(50); // 2 ms per operation on the default 1 ms network
  });

  it("a client node that crashes with an operation open goes on as a new process after its restart", async () => {
    const sim = new Simulation({ seed: 1, network: { latency: latency.constant(5) } });
    sim.spawn("server", kvServer());
    sim.at(15, () => sim.crash("c1"));
    sim.at(40, () => sim.restart("c1"));
    const run = await runClients(sim, { clients: 1, ops: kvOps(), target: "server", durationMs: 60, timeoutMs: 20 });
    expect(run.history.operations.map((op) => [op.process, op.invokeMs, op.completion, op.completeMs])).toEqual([
      ["c1", 0, "ok", 10],
      ["c1", 10, "info", undefined], // its reply found the client crashed
      ["c1#2", 40, "ok", 50],
      ["c1#2", 50, "ok", 60],
    ]);
    expect(historyProblems(run.history)).toEqual([]);
  });

  it("a reply of the wrong type stops the run with an error naming the client and the reply", async () => {
    const sim = new Simulation({ seed: 1 });
    sim.spawn("server", (node) => node.on("read", (req) => node.reply(req, { type: "ok" })));
    await expect(runClients(sim, { clients: 1, ops: counterOps({ mix: { read: 1 } }), target: "server", durationMs: 10 })).rejects.toThrow(
      /client c1: server replied "ok" to read; expected "read_ok" or "error"/,
    );
  });
});

describe("closed loop and open loop", () => {
  const fixed = (): Simulation => {
    const sim = new Simulation({ seed: 4, network: { latency: latency.constant(5) } });
    sim.spawn("server", kvServer());
    return sim;
  };
  const invokeTimes = (run: ClientRun, process: string): number[] => run.history.operations.filter((op) => op.process === process).map((op) => op.invokeMs);

  it("closed loop: the next operation starts when the previous completes, plus the think time", async () => {
    const busy = await runClients(fixed(), { clients: 2, ops: kvOps(), target: "server", durationMs: 100 });
    expect(invokeTimes(busy, "c1")).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    const thinking = await runClients(fixed(), { clients: 2, ops: kvOps(), target: "server", durationMs: 100, thinkMsMin: 10, thinkMsMax: 10 });
    expect(invokeTimes(thinking, "c1")).toEqual([0, 20, 40, 60, 80]);
    const random = await runClients(fixed(), { clients: 2, ops: kvOps(), target: "server", durationMs: 1000, thinkMsMax: 20 });
    const gaps = invokeTimes(random, "c2").slice(1).map((t, i) => t - invokeTimes(random, "c2")[i]);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(10);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(30);
    expect(new Set(gaps).size).toBeGreaterThan(10);
  });

  it("open loop at a constant rate: one operation every 1000/rate ms from a random phase, none late", async () => {
    const run = await runClients(fixed(), { clients: 3, ops: kvOps(), target: "server", durationMs: 1000, ratePerSecond: 20, arrivals: "constant" });
    for (const c of run.clientNodes) {
      const times = invokeTimes(run, c);
      expect(times).toHaveLength(20);
      expect(times[0]).toBeLessThan(50);
      times.slice(1).forEach((t, i) => expect(t - times[i]).toBeCloseTo(50, 6));
    }
    expect(run.lateInvocations).toBe(0);
    expect(new Set(run.clientNodes.map((c) => invokeTimes(run, c)[0])).size).toBe(3); // phases differ
  });

  it("open loop at a Poisson rate: about the asked rate, with irregular gaps", async () => {
    const run = await runClients(fixed(), { clients: 4, ops: kvOps(), target: "server", durationMs: 2000, ratePerSecond: 25 });
    const n = run.history.operations.length;
    expect(n).toBeGreaterThan(4 * 50 * 0.75);
    expect(n).toBeLessThan(4 * 50 * 1.25);
    expect(run.history.operations.every((op) => op.completion === "ok")).toBe(true);
  });

  it("when the rate outruns the server, clients fall behind: late invocations, missed slots skipped", async () => {
    const sim = new Simulation({ seed: 4, network: { latency: latency.constant(5) } });
    sim.spawn("server", kvServer({ replyDelayMs: 40 })); // 50 ms per operation
    const run = await runClients(sim, { clients: 2, ops: kvOps(), target: "server", durationMs: 1000, ratePerSecond: 100, arrivals: "constant" });
    for (const c of run.clientNodes) {
      const times = invokeTimes(run, c);
      expect(times).toHaveLength(20); // not 100: one operation open at a time
      times.slice(1).forEach((t, i) => expect(t - times[i]).toBeCloseTo(50, 6));
    }
    expect(run.lateInvocations).toBe(2 * 19);
    expect(historyProblems(run.history)).toEqual([]);
  });

  it("a target function spreads operations over servers; a generator that returns undefined stops its client", async () => {
    const sim = new Simulation({ seed: 3 });
    sim.spawn("s1", kvServer());
    sim.spawn("s2", kvServer());
    let drawn = 0;
    const threeEach = workloadOf<KvOpInput>((rng, client) => (drawn++, client === "c1" && drawn > 6 ? undefined : { f: "get", input: { key: rng.pick(["x", "y"]) } }));
    const run = await runClients(sim, {
      clients: 2,
      ops: threeEach,
      target: (_client, op) => ((op.input as KvOpInput).key === "x" ? "s1" : "s2"),
      durationMs: 50,
    });
    for (const e of sim.trace.filter({ kinds: ["send"], types: ["get"] })) {
      if (e.kind === "send") expect(JSON.parse(e.json).key).toBe(e.dest === "s1" ? "x" : "y");
    }
    expect(run.history.operations.filter((op) => op.process === "c1").length).toBeLessThan(run.history.operations.filter((op) => op.process === "c2").length);
    expect(run.history.operations.every((op) => op.completion === "ok" && op.output === "")).toBe(true);
  });
});

describe("runClients rejects bad options with an error naming the option", () => {
  const sim = (): Simulation => kvSim(1);
  const base = { clients: 2, ops: kvOps(), target: "server", durationMs: 100 };
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ["negative duration", { durationMs: -5 }, /invalid option runClients\.durationMs: got -5, expected a finite number of ms ≥ 0/],
    ["no clients", { clients: 0 }, /invalid option runClients\.clients: got 0, expected a whole number ≥ 1/],
    ["half a client", { clients: 1.5 }, /runClients\.clients: got 1\.5/],
    ["unknown target node", { target: "nobody" }, /runClients\.target: got "nobody", expected the id of a node \(known: server\)/],
    ["zero timeout", { timeoutMs: 0 }, /runClients\.timeoutMs: got 0, expected a finite number of ms > 0/],
    ["think range upside down", { thinkMsMin: 10, thinkMsMax: 5 }, /runClients\.thinkMsMax: got 5, expected a finite number of ms ≥ thinkMsMin \(10\)/],
    ["rate and think time", { ratePerSecond: 10, thinkMsMax: 5 }, /runClients\.ratePerSecond: got 10, expected either ratePerSecond \(open loop\) or thinkMsMin\/thinkMsMax/],
    ["zero rate", { ratePerSecond: 0 }, /runClients\.ratePerSecond: got 0/],
    ["bad arrivals", { ratePerSecond: 5, arrivals: "bursty" }, /runClients\.arrivals: got "bursty", expected "poisson" or "constant"/],
    ["a typo", { duration: 100 }, /runClients\.duration: got 100, expected one of the options .* \(unknown option "duration"\)/],
    ["no ops", { ops: "kv" }, /runClients\.ops: got "kv", expected a workload/],
  ];
  for (const [name, change, message] of cases) {
    it(name, async () => {
      const s = sim();
      await expect(runClients(s, { ...base, ...change } as never)).rejects.toThrow(message);
      expect(s.nodeIds()).toEqual(["server"]); // nothing was spawned
    });
  }

  it("client ids that are taken", async () => {
    const s = sim();
    s.spawn("c1");
    await expect(runClients(s, base)).rejects.toThrow(/runClients\.clientIdPrefix: got "c", expected a prefix whose client ids are free \(a node "c1" already exists\)/);
  });

  it("a target function that names no node stops the run, naming the option and the client", async () => {
    // The first operation starts as c1 is spawned, so the error comes before c2 exists.
    await expect(runClients(sim(), { ...base, target: () => "elsewhere" })).rejects.toThrow(
      /runClients: option target chose "elsewhere" for c1's get, which is not a node \(known: server, c1\) \(node "c1", t=0ms, seed=1\)/,
    );
  });

  it("workload options are checked too", () => {
    expect(() => kvOps({ keys: [] })).toThrow(/invalid option kvOps\.keys: got \[\]/);
    expect(() => kvOps({ mix: { get: 1, delete: 1 } as never })).toThrow(/kvOps\.mix\.delete: got 1, expected one of the operations get, put, append/);
    expect(() => kvOps({ mix: { get: 0 } })).toThrow(/kvOps\.mix: .* expected at least one weight > 0/);
    expect(() => registerOps({ mix: { cas: -1 } })).toThrow(/registerOps\.mix\.cas: got -1, expected a weight ≥ 0/);
    expect(() => registerOps({ valueCount: 0 })).toThrow(/registerOps\.valueCount: got 0/);
    expect(() => counterOps({ deltaMax: 2.5 })).toThrow(/counterOps\.deltaMax: got 2\.5/);
    expect(() => kvServer({ replyDelayMs: -1 })).toThrow(/kvServer\.replyDelayMs: got -1/);
  });
});
