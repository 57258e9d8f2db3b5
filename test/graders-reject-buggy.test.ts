// Meta tests of the graders: each check must REJECT every deliberately wrong variant in
// test/fixtures/buggy/ (for the right reason), ACCEPT the reference solution and the other correct
// styles in test/fixtures/accepted/ for every seed,
// report an untouched stub as PENDING, and be deterministic. These always use solutions/ and the
// fixtures, whatever DISTLAB_TARGET says.
import { Chalk } from "chalk";
import { describe, expect, it } from "vitest";
import { NotImplementedError } from "../exercises/not-implemented";
import {
  exercise,
  failureDiagram,
  FAILURE_NOTES_MAX,
  formatFailure,
  GradeError,
  loadModule,
  type CheckResult,
  type Exercise,
} from "./grading";
import { checkPingPong, type PingPongApi } from "./grading/00-getting-started/ping-pong";
import { checkEcho, type EchoApi } from "./grading/00-getting-started/echo";
import { formatScoreboard } from "./grading/scoreboard-reporter";
import type { TraceEvent } from "../lib/trace";

interface Graded<Impl> {
  exercise: Exercise;
  check: (impl: Impl, seed: number) => Promise<CheckResult>;
  /** A stand-in for the untouched stub (the real stub may already be solved by the student). */
  stub: Impl;
  /** Buggy variants: fixture module under test/fixtures/buggy/, and what the failure must mention. */
  buggy: ReadonlyArray<[fixture: string, because: RegExp]>;
  /** Other correct solutions, written in another style: fixture modules under test/fixtures/accepted/. */
  accepted?: readonly string[];
}

function notImplemented(ex: Exercise): never {
  throw new NotImplementedError(`${ex.id} ${ex.slug}`, `exercises/${ex.module}.ts`);
}

const pingPong: Graded<PingPongApi> = {
  exercise: exercise("00.1"),
  check: checkPingPong,
  stub: { ponger: () => notImplemented(exercise("00.1")), pinger: () => notImplemented(exercise("00.1")) },
  buggy: [
    ["ping-pong-stops-after-one-round", /ping n=2 after pong n=1/],
    ["ping-pong-no-wait", /wait for pong n=1 before it sends ping n=2/],
    ["ping-pong-wrong-n", /pong n=1 \(the same n as the ping\)/],
    ["ping-pong-send-not-reply", /without in_reply_to/],
    ["ping-pong-never-done", /setState\("done"\)/],
    ["ping-pong-hardcoded-peer", /unknown destination node "b"/],
    ["ping-pong-one-extra-ping", /exactly \d+ pings/],
    ["ping-pong-never-stops", /exactly \d+ pings/],
    ["ping-pong-timer-paced", /to send ping n=2 when pong n=1 arrives, at the same virtual time t=[\d.]+ms \(the pong causes the next ping\); got a sent ping n=2 at t=100ms, [\d.]+ms after pong n=1 arrived/],
  ],
  accepted: ["ping-pong-rpc"],
};

const echo: Graded<EchoApi> = {
  exercise: exercise("00.2"),
  check: checkEcho,
  stub: {
    echoServer: () => notImplemented(exercise("00.2")),
    echoWithRetries: async () => notImplemented(exercise("00.2")),
  },
  buggy: [
    ["echo-no-in-reply-to", /no in_reply_to/],
    ["echo-wrong-node", /to go to c2, the node that asked/],
    ["echo-ignores-duplicates", /one echo_ok for every copy/],
    ["echo-wrong-field", /to carry echo:/],
    ["echo-no-retry", /gave up: rpc echo to "server" got no reply after 1 attempt\(s\)/],
    ["echo-few-retries", /gave up: rpc echo to "server" got no reply after 3 attempt\(s\)/],
    ["echo-returns-reply", /it returned \{/],
  ],
};

async function allSeeds<Impl>(g: Graded<Impl>, impl: Impl): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const seed of g.exercise.seeds) results.push(await g.check(impl, seed));
  return results;
}

function explain(r: CheckResult): string {
  return `seed ${r.seed} ${r.status}${r.expected ? `: expected ${r.expected}; got ${r.got}` : ""}${r.pendingMessage ? `: ${r.pendingMessage}` : ""}`;
}

function metaTests<Impl extends object>(g: Graded<Impl>): void {
  const ex = g.exercise;
  describe(`grader ${ex.id} ${ex.slug}`, () => {
    it("accepts the reference solution for every seed", async () => {
      const impl = await loadModule<Impl>(`solutions/${ex.module}`);
      const results = await allSeeds(g, impl);
      expect(results.map(explain)).toEqual(ex.seeds.map((seed) => `seed ${seed} pass`));
    });

    for (const fixture of g.accepted ?? []) {
      it(`accepts the correct variant ${fixture} for every seed`, async () => {
        const impl = await loadModule<Impl>(`test/fixtures/accepted/${ex.notebook}/${fixture}`);
        const results = await allSeeds(g, impl);
        expect(results.map(explain)).toEqual(ex.seeds.map((seed) => `seed ${seed} pass`));
      });
    }

    it("reports an untouched stub as pending, naming the file to open", async () => {
      const results = await allSeeds(g, g.stub);
      for (const r of results) {
        expect(r.status, explain(r)).toBe("pending");
        expect(r.pendingMessage).toBe(`Exercise ${ex.id} (${ex.slug}) is not implemented yet: open exercises/${ex.module}.ts`);
      }
    });

    it("is deterministic: one seed, the same runs", async () => {
      const impl = await loadModule<Impl>(`solutions/${ex.module}`);
      const seed = ex.seeds[1];
      const a = await g.check(impl, seed);
      const b = await g.check(impl, seed);
      expect(a.traceHashes.length).toBeGreaterThan(0);
      expect(b.traceHashes).toEqual(a.traceHashes);
    });

    for (const [fixture, because] of g.buggy) {
      it(`rejects buggy variant ${fixture}`, async () => {
        const impl = await loadModule<Impl>(`test/fixtures/buggy/${ex.notebook}/${fixture}`);
        const results = await allSeeds(g, impl);
        const failures = results.filter((r) => r.status === "fail");
        expect(failures.length, results.map(explain).join("\n")).toBeGreaterThan(0);
        const first = failures[0];
        expect(`expected ${first.expected}; got ${first.got}`).toMatch(because);
        // What a student would see: seed, replay command, diagram, hint; a diagram with a note.
        const text = formatFailure(ex, first, `build/failures/${ex.id}-${ex.slug}-seed-${first.seed}.mmd`);
        expect(text).toContain(`failed with seed ${first.seed}`);
        expect(text).toContain(`-t "${ex.id} ${ex.slug} seed ${first.seed}$"`);
        expect(text).toContain(`hint      ${ex.hint.slice(0, 20)}`);
        const diagram = failureDiagram(first, `${ex.id} ${ex.slug}, seed ${first.seed}`);
        expect(diagram.startsWith("sequenceDiagram")).toBe(true);
        expect(diagram).toContain("error in grading");
      });
    }
  });
}

metaTests(pingPong);
metaTests(echo);

describe("grading harness", () => {
  it("GradeError carries no stack frames (so vitest prints no code frame of the grader)", () => {
    const error = new GradeError("00.1 ping-pong failed with seed 7");
    expect(error.stack).toBe("GradeError: 00.1 ping-pong failed with seed 7");
  });

  it("a failure diagram keeps its final note when a node changes state all the time", () => {
    const events: TraceEvent[] = [];
    for (let t = 1; t <= 1000; t++) {
      for (const node of ["a", "b"]) events.push({ kind: "state", timeMs: t, node, role: "r", to: t % 2 ? "up" : "down" });
      if (t % 100 === 0) events.push({ kind: "deliver", timeMs: t, id: t, src: "a", dest: "b", type: "ping", sentMs: t - 1, duplicate: false });
    }
    const result: CheckResult = { status: "fail", seed: 1, expected: "a pong", got: "nothing", events, nodeOrder: ["a", "b"], atMs: 1000, node: "a", traceHashes: [] };
    const diagram = failureDiagram(result, "flapping");
    expect(diagram.split("\n").filter((l) => l.includes("Note over"))).toHaveLength(FAILURE_NOTES_MAX + 1);
    expect(diagram).not.toContain("not shown");
    expect(diagram.split("\n").pop()).toBe("  Note over a: t=1000ms error in grading#58; expected a pong");
    expect(diagram).toContain("title flapping (last 1 of 10 messages)");
  });

  it("a missing export fails with its name, before any run", async () => {
    const partial = { ponger: () => {} } as unknown as PingPongApi;
    const result = await checkPingPong(partial, 1);
    expect(result.status).toBe("fail");
    expect(result.got).toBe("no export named pinger (it exports: ponger)");
  });

  it("NotImplementedError says which exercise and which file", () => {
    const error = new NotImplementedError("00.1 ping-pong", "exercises/00-getting-started/ping-pong.ts");
    expect(error.message).toBe("Exercise 00.1 (ping-pong) is not implemented yet: open exercises/00-getting-started/ping-pong.ts");
    expect(error.name).toBe("NotImplementedError");
  });

  it("the scoreboard shows done, pending and failing exercises with their points", () => {
    const [pp, ec] = [exercise("00.1"), exercise("00.2")];
    const text = formatScoreboard(
      [
        { exercise: pp, status: "done", points: 10, passed: 5, failed: 0, pending: 0 },
        {
          exercise: ec,
          status: "failing",
          points: 0,
          passed: 3,
          failed: 2,
          pending: 0,
          failure: { summary: "seed 7: expected one echo_ok for every copy", diagram: "build/failures/00.2-echo-seed-7.mmd" },
        },
      ],
      "exercises",
      new Chalk({ level: 0 }),
    );
    expect(text).toContain(" 00 getting-started\n");
    expect(text).toContain("   00.1 ping-pong  ✔ done       10/10\n");
    expect(text).toContain("   00.2 echo       ✘ failing     0/10  seed 7: expected one echo_ok for every copy\n");
    expect(text).toContain("                                      diagram build/failures/00.2-echo-seed-7.mmd\n");
    expect(text).toContain(" Total 10/20 points · 1 done · 0 pending · 1 failing");
  });
});
