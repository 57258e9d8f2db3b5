// Meta tests of the graders: each check must REJECT every deliberately wrong variant in
// test/fixtures/buggy/ (for its stated reason: the regex is matched against "expected …; got …"),
// ACCEPT the reference solution and the other correct styles in test/fixtures/accepted/ for every
// seed, report an untouched stub as PENDING, be deterministic, and follow the harness's rules
// (test/grading/README.md): enough trials, at least four buggy fixtures, determinism traps that
// are restored, failure diagrams that show the evidence. These always use solutions/ and the
// fixtures, whatever DISTLAB_TARGET says.
import { Chalk } from "chalk";
import { describe, expect, it } from "vitest";
import { NotImplementedError } from "../exercises/not-implemented";
import {
  exercise,
  EVIDENCE_MARK,
  failureDiagram,
  FAILURE_NOTES_MAX,
  FINDING_LABEL,
  formatFailure,
  GradeError,
  installDeterminismTraps,
  loadModule,
  NOTE_LINE_CHARS,
  TRIALS_PER_GRADER_MIN,
  wrapText,
  type CheckResult,
  type Exercise,
} from "./grading";
import { checkPingPong, TRIALS as PING_PONG_TRIALS, type PingPongApi } from "./grading/00-getting-started/ping-pong";
import { checkEcho, CALLS_PER_TRIAL, TRIALS as ECHO_TRIALS, type EchoApi } from "./grading/00-getting-started/echo";
import { formatScoreboard } from "./grading/scoreboard-reporter";
import { escapeMermaidText, type TraceEvent } from "../lib/trace";

interface Graded<Impl> {
  exercise: Exercise;
  check: (impl: Impl, seed: number) => Promise<CheckResult>;
  /** Trials per seed of each scenario. */
  trials: number;
  /** A stand-in for the untouched stub (the real stub may already be solved by the student). */
  stub: Impl;
  /** Buggy variants: fixture module under test/fixtures/buggy/, and the reason its failure must give. */
  buggy: ReadonlyArray<[fixture: string, because: RegExp]>;
  /** Other correct solutions, written in another style: fixture modules under test/fixtures/accepted/. */
  accepted?: readonly string[];
}

function notImplemented(ex: Exercise): never {
  throw new NotImplementedError(`${ex.id} ${ex.slug}`, `exercises/${ex.module}.ts`);
}

/** "node.peers()[0] is a bystander" — the reason for every wrong-recipient mistake. */
const BYSTANDER = String.raw`no message to \w+: it is a bystander the grader spawned first, so node\.peers\(\)\[0\] is "\w+"`;

const pingPong: Graded<PingPongApi> = {
  exercise: exercise("00.1"),
  check: checkPingPong,
  trials: PING_PONG_TRIALS,
  stub: { ponger: () => notImplemented(exercise("00.1")), pinger: () => notImplemented(exercise("00.1")) },
  buggy: [
    ["ping-pong-stops-after-one-round", /to send ping n=2 when pong n=1 arrives \(\d+ rounds in all\); got \w+ sent nothing more after/],
    [
      "ping-pong-no-wait",
      /to wait for pong n=1 to arrive before it sends ping n=2; got \w+ sent ping n=2 \(msg_id #\d+\) at t=0ms, but pong n=1 \(msg_id #\d+\) only arrived at t=[\d.]+ms/,
    ],
    ["ping-pong-wrong-n", /pong n=1 \(the same n as the ping\); got \w+ → \w+ pong n=2 \(msg_id #\d+, in_reply_to \d+\), sent at t=[\d.]+ms, arrived at t=/],
    ["ping-pong-send-not-reply", /to be a reply to ping n=1: in_reply_to \d+ \(the ping's msg_id #\d+\); got a pong without in_reply_to/],
    ["ping-pong-never-done", /to call node\.setState\("done"\) when pong n=\d+ arrives; got \w+ never declared a state/],
    ["ping-pong-hardcoded-peer", /to send ping n=1 to \w+, the peer it was given \(pinger\(node, "\w+", \d+\)\); got \w+ → b ping n=1/],
    ["ping-pong-one-extra-ping", /exactly (\d+) pings from \w+; got one more: \w+ → \w+ ping n=\d+ \(msg_id #\d+\)/],
    ["ping-pong-never-stops", /exactly (\d+) pings from \w+; got one more: \w+ → \w+ ping n=\d+ \(msg_id #\d+\)/],
    [
      "ping-pong-timer-paced",
      /to send ping n=2 when pong n=1 arrives, at the same virtual time t=[\d.]+ms \(the pong causes the next ping\); got \w+ sent ping n=2 \(msg_id #\d+\) at t=100ms, [\d.]+ms after pong n=1 \(msg_id #\d+\) arrived/,
    ],
    // Wrong recipient: node.peers()[0] is a bystander when there are more nodes than the minimum.
    ["ping-pong-first-peer", new RegExp(`${BYSTANDER}.*; got \\w+ → \\w+ ping n=1`)],
    ["ping-pong-ponger-first-peer", new RegExp(`${BYSTANDER}.*; got \\w+ → \\w+ pong n=1`)],
    // One half computes its answer itself: caught by the grader's pingers, whose n and msg_id it cannot guess.
    ["ping-pong-counts-pings", /the pong for \w+'s ping n=(\d+) \(msg_id #\d+\) to carry the ping's n=\1; got \w+ → \w+ pong n=1 /],
    [
      "ping-pong-n-as-in-reply-to",
      /the pong for \w+'s ping n=(\d+) \(msg_id #(\d+)\) to have in_reply_to \2 \(the ping's msg_id #\2\); got \w+ → \w+ pong n=\1 \(msg_id #\d+, in_reply_to \1\)/,
    ],
    // Answers before the reply arrived.
    [
      "ping-pong-done-before-last-pong",
      /to be "done" only after pong n=(\d+) arrived; got \w+ declared "done" at t=[\d.]+ms, before pong n=\1 \(msg_id #\d+\) arrived at t=[\d.]+ms/,
    ],
    // Determinism traps.
    ["ping-pong-date-now", /00\.1 ping-pong: your code called Date\.now — use node\.now\(\) instead \(it reads the real clock.*seed \d+ could not replay this run\)/],
    ["ping-pong-settimeout", /00\.1 ping-pong: your code called setTimeout — use node\.setTimer \/ node\.sleep instead \(a real timer.*seed \d+ could not replay/],
    ["ping-pong-math-random", /00\.1 ping-pong: your code called Math\.random — use node\.rng instead \(Math\.random is not driven by the simulation's seed, so seed \d+ could not replay/],
  ],
  accepted: ["ping-pong-rpc"],
};

const echo: Graded<EchoApi> = {
  exercise: exercise("00.2"),
  check: checkEcho,
  trials: ECHO_TRIALS,
  stub: {
    echoServer: () => notImplemented(exercise("00.2")),
    echoWithRetries: async () => notImplemented(exercise("00.2")),
  },
  buggy: [
    ["echo-no-in-reply-to", /to have in_reply_to (\d+) \(the request's msg_id #\1\); got no in_reply_to: /],
    ["echo-wrong-node", new RegExp(`${BYSTANDER}.*; got \\w+ → \\w+ echo_ok`)],
    ["echo-ignores-duplicates", /one echo_ok for every copy of a request that reaches \w+: .* arrived \d+ times.*; got 1 reply: a client's retry looks just like a duplicate/],
    ["echo-wrong-field", /to carry echo=".*"; got \w+ → \w+ echo_ok without echo/],
    ["echo-no-retry", /despite 30% message loss; got it gave up: rpc echo to "\w+" got no reply after 1 attempt\(s\)/],
    ["echo-few-retries", /despite 30% message loss; got it gave up: rpc echo to "\w+" got no reply after 3 attempt\(s\)/],
    ["echo-returns-reply", /to return ".*"; got it returned \{"type":"echo_ok"/],
    // Returns without a reply: the answer must be tied to an echo_ok that reached the client.
    [
      "echo-returns-own-input",
      /to return the echo of an echo_ok reply to its own request that reached \w+; got it returned ".*" at t=0ms, but no reply to its request \(msg_id #1\) had arrived/,
    ],
    // A rare (3.4% per call) failure: enough calls make it certain.
    ["echo-retries-4", /despite 30% message loss; got it gave up: rpc echo to "\w+" got no reply after 5 attempt\(s\)/],
    ["echo-first-peer", new RegExp(`${BYSTANDER}.*; got \\w+ → \\w+ echo echo=`)],
    // One half computes its answer itself: caught by the grader's clients, whose msg_ids it cannot guess.
    ["echo-counter-reply-id", /to have in_reply_to (\d+) \(the request's msg_id #\1\); got \w+ → \w+ echo_ok echo=".*" \(msg_id #\d+, in_reply_to (?!\1\))\d+\)/],
    ["echo-cache-by-msg-id", /the reply to \w+'s echo "(.+)" \(msg_id #\d+\) to carry echo="\1"; got \w+ → \w+ echo_ok echo="(?!\1")/],
    ["echo-trusts-any-reply", /to return "(.+)"; got it returned "(?!\1").*" at t=[\d.]+ms, the echo of an earlier request: /],
    // Run past settle: requests sent after the call returned.
    [
      "echo-hedged-requests",
      /no message from \w+ for echoWithRetries\(.*\) after it returned at t=[\d.]+ms; got \w+ → \w+ echo echo=.*: a request sent after the answer is in only loads the server/,
    ],
    // Determinism traps.
    ["echo-math-random-backoff", /00\.2 echo: your code called Math\.random — use node\.rng instead \(Math\.random is not driven by the simulation's seed/],
    ["echo-settimeout-retry", /00\.2 echo: your code called setTimeout — use node\.setTimer \/ node\.sleep instead \(a real timer fires outside/],
  ],
  accepted: ["echo-retry-loop"],
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
        expect(diagram).toContain(escapeMermaidText(FINDING_LABEL));
        expect(diagram).not.toContain("error in grading");
        // The picture shows every message the finding names (marked ★ on its arrow).
        for (const id of first.evidence ?? []) {
          const e = first.events?.find((x) => x.kind === "send" && x.id === id);
          if (e?.kind === "send" && e.msgId !== undefined) expect(diagram).toMatch(new RegExp(`${EVIDENCE_MARK} ${e.type} #35;${e.msgId}\\b`));
        }
        for (const line of noteLines(diagram)) expect(line.length, line).toBeLessThanOrEqual(NOTE_LINE_CHARS);
      });
    }
  });
}

/** The text lines of every wrapped note (entity codes decoded), to check their width. */
function noteLines(diagram: string): string[] {
  return diagram
    .split("\n")
    .filter((l) => l.includes("  Note ") && l.includes("<br/>"))
    .flatMap((l) => l.slice(l.indexOf(": ") + 2).split("<br/>"))
    .map((l) => l.replace(/#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code))));
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

  it("every grader runs enough trials: a bug in 5% of trials passes with probability < 0.001", () => {
    // 0.95^n ≤ 0.001 ⇔ n ≥ ln(0.001) / ln(0.95) = 134.7
    expect(Math.ceil(Math.log(0.001) / Math.log(0.95))).toBe(TRIALS_PER_GRADER_MIN);
    for (const g of [pingPong, echo] as ReadonlyArray<Graded<PingPongApi> | Graded<EchoApi>>) {
      const trials = g.exercise.seeds.length * g.trials;
      expect(trials, g.exercise.id).toBeGreaterThanOrEqual(TRIALS_PER_GRADER_MIN);
      expect(0.95 ** trials, g.exercise.id).toBeLessThan(0.001);
    }
    // Echo calls are independent trials too: 3.4% per call (4 retries) passes 405 calls with ~10⁻⁶,
    // and the hint tells the student how many calls there are.
    const calls = echo.exercise.seeds.length * ECHO_TRIALS * CALLS_PER_TRIAL;
    expect(0.966 ** calls).toBeLessThan(1e-5);
    expect(echo.exercise.hint).toContain(`grader makes ${calls} calls`);
  });

  it("every exercise has at least four buggy fixtures", () => {
    for (const g of [pingPong, echo] as ReadonlyArray<Graded<PingPongApi> | Graded<EchoApi>>) expect(g.buggy.length, g.exercise.id).toBeGreaterThanOrEqual(4);
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
