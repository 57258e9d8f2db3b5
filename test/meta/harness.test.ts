// Tests of the grading harness itself (test/grading/): failure text and diagrams, the trial rule,
// determinism traps, missing exports, the scoreboard. The meta tests of each notebook's graders are
// in test/meta/NN-topic.test.ts.
import { Chalk } from "chalk";
import { describe, expect, it } from "vitest";
import { NotImplementedError } from "../../exercises/not-implemented";
import {
  exercise,
  EVIDENCE_MARK,
  failureDiagram,
  FAILURE_NOTES_MAX,
  GradeError,
  installDeterminismTraps,
  loadModule,
  NOTE_LINE_CHARS,
  TRIALS_PER_GRADER_MIN,
  wrapText,
  type CheckResult,
} from "../grading";
import { checkEcho, type EchoApi } from "../grading/00-getting-started/echo";
import { checkPingPong, type PingPongApi } from "../grading/00-getting-started/ping-pong";
import { noteLines } from "../grading/meta";
import { formatScoreboard } from "../grading/scoreboard-reporter";
import type { TraceEvent } from "../../lib/trace";

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
    // The states, the legend and the finding.
    expect(diagram.split("\n").filter((l) => l.includes("  Note "))).toHaveLength(FAILURE_NOTES_MAX + 2);
    expect(diagram).not.toContain("not shown");
    expect(diagram.split("\n").pop()).toBe("  Note right of a: grader found#58; expected a pong<br/>got nothing");
    expect(diagram).toContain("title flapping (1 of 10 messages)");
  });

  it("a failure diagram shows the messages the failure is about, even long before it", () => {
    // 60 messages; the finding is about the 2nd and the 3rd (evidence), seen at the very end.
    const events: TraceEvent[] = [];
    for (let id = 1; id <= 60; id++) {
      const [src, dest] = id % 2 ? ["a", "b"] : ["b", "a"];
      events.push({ kind: "send", timeMs: id, id, src, dest, type: "m", msgId: id, bytes: 10, json: JSON.stringify({ type: "m", msg_id: id, k: id }) });
      events.push({ kind: "deliver", timeMs: id + 0.5, id, src, dest, type: "m", msgId: id, sentMs: id, duplicate: false });
    }
    const long = "a very long explanation ".repeat(20);
    const result: CheckResult = { status: "fail", seed: 1, expected: long, got: long, events, nodeOrder: ["a", "b"], atMs: 61, node: "a", evidence: [2, 3], traceHashes: [] };
    const diagram = failureDiagram(result, "evidence", 10);
    expect(diagram).toContain(`${EVIDENCE_MARK} m #35;2 k=2`);
    expect(diagram).toContain(`${EVIDENCE_MARK} m #35;3 k=3`);
    expect(diagram).toContain("t=2→2.5ms"); // sent → arrived, in the legend's terms
    expect(diagram).toContain("Note right of a: arrows#58; t=sent→arrived (or dropped), #35;N = msg_id"); // the legend
    expect(diagram.split("\n").filter((l) => /->>/.test(l))).toHaveLength(10);
    expect(diagram).toContain("title evidence (10 of 60 messages)");
    for (const line of noteLines(diagram)) expect(line.length, line).toBeLessThanOrEqual(NOTE_LINE_CHARS);
  });

  it("a failure diagram with many long notes stays under Mermaid's text limit", () => {
    const events: TraceEvent[] = [];
    for (let t = 1; t <= 300; t++) events.push({ kind: "error", timeMs: t, node: t % 2 ? "a" : "b", during: "ping", message: "x ".repeat(500) });
    const long = "y ".repeat(2000);
    const result: CheckResult = { status: "fail", seed: 1, expected: long, got: long, events, nodeOrder: ["a", "b"], atMs: 300, node: "a", traceHashes: [] };
    const diagram = failureDiagram(result, "noisy");
    expect(diagram.length).toBeLessThan(45_000);
    expect(diagram.split("\n").filter((l) => l.includes("  Note "))).toHaveLength(FAILURE_NOTES_MAX + 2);
    for (const line of noteLines(diagram)) expect(line.length, line).toBeLessThanOrEqual(NOTE_LINE_CHARS);
  });

  it("wraps long notes into bounded lines", () => {
    expect(wrapText("expected a to wait for pong n=1", 16)).toEqual(["expected a to", "wait for pong", "n=1"]);
    expect(wrapText("x".repeat(40), 16)).toEqual(["x".repeat(16), "x".repeat(16), "x".repeat(8)]);
    const many = wrapText("word ".repeat(200), 20, 3);
    expect(many).toHaveLength(3);
    expect(many[2].endsWith("…")).toBe(true);
  });

  it("the trial rule: 135 trials make a bug in 5% of trials pass with probability < 0.001", () => {
    // 0.95^n ≤ 0.001 ⇔ n ≥ ln(0.001) / ln(0.95) = 134.7; metaTests checks each grader against it.
    expect(Math.ceil(Math.log(0.001) / Math.log(0.95))).toBe(TRIALS_PER_GRADER_MIN);
    expect(0.95 ** TRIALS_PER_GRADER_MIN).toBeLessThan(0.001);
    expect(0.95 ** (TRIALS_PER_GRADER_MIN - 1)).toBeGreaterThan(0.001);
  });

  it("determinism traps fire only while a graded run is open, and restore every global", async () => {
    const originals = [Math.random, Date, Date.now, performance.now, setTimeout, setInterval, setImmediate, process.hrtime];
    const traps = installDeterminismTraps({ exercise: "00.1 ping-pong", seed: 7 });
    let thrown: unknown;
    try {
      Math.random();
    } catch (error) {
      thrown = error;
    } finally {
      traps.restore();
    }
    expect(String(thrown)).toBe(
      "DeterminismError: 00.1 ping-pong: your code called Math.random — use node.rng instead (Math.random is not driven by the " +
        "simulation's seed, so seed 7 could not replay this run). For example node.rng.int(0, 10), node.rng.uniform(0, 1), node.rng.pick(items).",
    );
    expect(traps.violation?.what).toBe("Math.random");
    expect([Math.random, Date, Date.now, performance.now, setTimeout, setInterval, setImmediate, process.hrtime]).toEqual(originals);
    expect(new Date(0).toISOString()).toBe("1970-01-01T00:00:00.000Z");

    // A whole check with a trapped fixture leaves the globals as they were, and real timers work.
    const buggy = await loadModule<EchoApi>("test/fixtures/buggy/00-getting-started/echo-settimeout-retry");
    expect((await checkEcho(buggy, 1)).status).toBe("fail");
    expect([Math.random, Date, Date.now, performance.now, setTimeout, setInterval, setImmediate, process.hrtime]).toEqual(originals);
    await new Promise((resolve) => setTimeout(resolve, 1));
  });

  it("a trapped call fails the grade even when the student's code catches the error", async () => {
    const sneaky: PingPongApi = {
      ponger: (node) => void node.on("ping", (ping) => void node.reply(ping, { type: "pong", n: ping.body.n })),
      pinger: (node, peer, rounds) => {
        try {
          new Date();
        } catch {
          // swallowed
        }
        node.on("pong", (pong) => (pong.body.n < rounds ? void node.send(peer, { type: "ping", n: pong.body.n + 1 }) : node.setState("done")));
        node.send(peer, { type: "ping", n: 1 });
      },
    };
    const result = await checkPingPong(sneaky, 1);
    expect(result.got).toMatch(/^00\.1 ping-pong: your code called new Date\(\) — use node\.now\(\) instead/);
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
