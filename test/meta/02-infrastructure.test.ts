// Meta tests of the graders of notebook 02 (test/grading/meta.ts says what each checks): the
// reference passes, the stub is pending, and each buggy fixture is rejected for its stated reason.
import { describe, expect, it } from "vitest";
import { exercise, loadModule } from "../grading";
import { BYSTANDER, metaTests, notImplemented, type Graded } from "../grading/meta";
import { checkLeastConnections, TRIALS as LC_TRIALS, type LeastConnectionsApi } from "../grading/02-infrastructure/least-connections";
import {
  checkCachingProxy,
  HIT_RATIO_MARGIN,
  measureHitRatios,
  TRIALS as CP_TRIALS,
  type CachingProxyApi,
} from "../grading/02-infrastructure/caching-proxy";
import { checkTaskFarm, TRIALS as TF_TRIALS, type TaskFarmApi } from "../grading/02-infrastructure/task-farm";


/** The reason of every least-connections policy mistake. */
const NOT_LEAST = /to a backend with the fewest outstanding requests \(.*\); got it went to \w+, which had (\d+) outstanding, while .* had (?!\1\b)\d+: /;

export const leastConnections: Graded<LeastConnectionsApi> = {
  exercise: exercise("02.1"),
  check: checkLeastConnections,
  trials: LC_TRIALS,
  stub: { leastConnectionsBalancer: () => notImplemented(exercise("02.1")) },
  buggy: [
    // The policy: every forward is checked against the outstanding counts recomputed from the trace.
    ["least-connections-round-robin", NOT_LEAST],
    ["least-connections-never-decrements", NOT_LEAST],
    ["least-connections-decrements-wrong-backend", NOT_LEAST],
    ["least-connections-random-backend", NOT_LEAST],
    // Wrong recipient or a reply without its request's id.
    ["least-connections-replies-to-backend", /to relay each backend response to the client that asked.*; got \w+ → \w+ response result=".*: a response sent back to a backend/],
    ["least-connections-no-in-reply-to", /to be a reply to the client's request: in_reply_to = the request's msg_id.*; got no in_reply_to: \w+ → \w+ response result="/],
    ["least-connections-first-peer", new RegExp(`${BYSTANDER}.*; got \\w+ → \\w+ request payload=`)],
    // Two clients with the same msg_id get each other's results.
    ["least-connections-keyed-by-msg-id", /; got \w+ → \w+ response result="[^"]*" \(msg_id #\d+, in_reply_to (\d+)\).*; its result is the answer to \w+'s request payload="[^"]*" \(msg_id #\1\)/],
    // The result must be the backend's.
    ["least-connections-invents-result", /to carry result="[^"]+", the result of \w+'s response to its forward; got \w+ → \w+ response result="done: /],
    // Forwards a request twice after a too-short timeout.
    ["least-connections-short-timeout", /each client request to be forwarded exactly once \(the network loses nothing here\).*; got it was forwarded twice: /],
    // Determinism trap.
    ["least-connections-math-random-ties", /02\.1 least-connections: your code called Math\.random — use node\.rng instead/],
  ],
  accepted: ["least-connections-pending-map"],
};

const STALE = /brought from the origin within the last ttlMs=\d+ ms \(at t=[\d.]+ms or later\); got \w+ → \w+ get_ok .*: stale, that value was fetched [\d.]+ms earlier/;
const LOW_HIT_RATIO = /a hit ratio \(1 − reads \/ gets\) of at least 0\.\d\d: the ideal cache needs \d+ reads for these \d+ gets with ttlMs=\d+ \(ratio 0\.\d\d\), and the margin is 0\.17; got 0\.\d\d: \w+ sent \d+ reads to the origin for \d+ gets; e\.g\. a read_ok for ".*" had arrived at t=[\d.]+ms, yet [\d.]+ms later \w+ read it again/;

export const cachingProxy: Graded<CachingProxyApi> = {
  exercise: exercise("02.2"),
  check: checkCachingProxy,
  trials: CP_TRIALS,
  stub: { cachingProxy: () => notImplemented(exercise("02.2")) },
  buggy: [
    // Freshness: the age counts from the fetch, and an expired entry is never served.
    ["caching-proxy-no-expiry", STALE],
    ["caching-proxy-expiry-from-last-access", STALE],
    ["caching-proxy-stale-while-revalidate", STALE],
    // Hit ratio: no cache at all, or one cache per client.
    ["caching-proxy-no-cache", /; got 0\.00: \w+ sent (\d+) reads to the origin for \1 gets/],
    ["caching-proxy-cache-per-client", LOW_HIT_RATIO],
    // Wrong recipient, or a reply without its request's id.
    ["caching-proxy-replies-to-origin", /to send each get_ok to the client whose get it answers; got \w+ → \w+ get_ok .*: a get_ok sent to the origin/],
    ["caching-proxy-no-in-reply-to", /to be a reply to the client's get: in_reply_to = the get's msg_id; got no in_reply_to: /],
    ["caching-proxy-first-peer", new RegExp(`${BYSTANDER}.*; got \\w+ → \\w+ read key=`)],
    // Keys mixed up by state shared between concurrent handlers.
    ["caching-proxy-shared-current-key", /; got \w+ → \w+ get_ok key="([^"]+)" value=\d+ .*: \d+ is a value of key "(?!\1")[^"]+", not of "\1"/],
    // Determinism trap.
    ["caching-proxy-date-now", /02\.2 caching-proxy: your code called Date\.now — use node\.now\(\) instead/],
  ],
  accepted: ["caching-proxy-coalescing"],
};

const WRONG_OUTPUT = /to carry output=(-?\d+) \(input × input, from this task's input\); got \w+ → \w+ result id="[^"]+" output=(?!\1 )-?\d+/;

export const taskFarm: Graded<TaskFarmApi> = {
  exercise: exercise("02.3"),
  check: checkTaskFarm,
  trials: TF_TRIALS,
  stub: {
    master: async () => notImplemented(exercise("02.3")),
    worker: () => notImplemented(exercise("02.3")),
  },
  buggy: [
    // Crashed workers: a task must be reassigned, and never given up.
    [
      "task-farm-never-reassigns",
      /to return the results of all \d+ tasks within 10000 ms.*; got its promise never settled: no result ever reached \w+ for .*, and \w+ crashed at t=[\d.]+ms — reassign a task whose result does not come within a timeout/,
    ],
    ["task-farm-gives-up-on-tasks", /to return one result for each of its \d+ tasks; got it returned \d+ results at t=[\d.]+ms, without .*, and \w+ crashed at t=/],
    ["task-farm-returns-early", /to return one result for each of its \d+ tasks; got it returned \d+ results at t=300ms, without /],
    // Duplicate and late results.
    ["task-farm-keeps-duplicates", /to return each task's result exactly once; got [\w-]+ appears twice .* — ignore duplicate and late results/],
    ["task-farm-result-by-worker", /the output of ([\w-]+) to be (-?\d+) \(input -?\d+ squared\); got it returned \{ id: "\1", output: (?!\2 )-?\d+ \}/],
    // Run past settle.
    ["task-farm-retries-after-return", /no message from \w+ after master\(.*\) returned at t=[\d.]+ms; got \w+ → \w+ task id=.*: cancel your timers/],
    // Wrong recipient.
    ["task-farm-first-peer", new RegExp(`${BYSTANDER}.*; got \\w+ → \\w+ task id=`)],
    ["task-farm-worker-first-peer", new RegExp(`${BYSTANDER}.*; got \\w+ → \\w+ result id=`)],
    // The worker: the right function of this message's input, for every copy.
    ["task-farm-worker-doubles", WRONG_OUTPUT],
    ["task-farm-worker-caches-by-id", WRONG_OUTPUT],
    ["task-farm-worker-ignores-repeats", /one result for every copy of a task that reaches a worker: .* arrived .*; got [01] results?: answer every task message, also a repeated one/],
    // Determinism trap.
    ["task-farm-settimeout", /02\.3 task-farm: your code called setTimeout — use node\.setTimer \/ node\.sleep instead/],
  ],
  accepted: ["task-farm-rpc-loops"],
};

metaTests(leastConnections);
metaTests(cachingProxy);
metaTests(taskFarm);

describe("grader 02.2 caching-proxy", () => {
  it("leaves the reference room below the ideal hit ratio, and a cache per client none", async () => {
    const reference = await loadModule<CachingProxyApi>("solutions/02-infrastructure/caching-proxy");
    const perClient = await loadModule<CachingProxyApi>("test/fixtures/buggy/02-infrastructure/caching-proxy-cache-per-client");
    const seed = exercise("02.2").seeds[0];
    const shortfall = (h: { idealRatio: number; ratio: number }): number => h.idealRatio - h.ratio;
    const ours = (await measureHitRatios(reference, seed)).map(shortfall);
    const theirs = (await measureHitRatios(perClient, seed)).map(shortfall);
    expect(Math.max(...ours)).toBeLessThan(HIT_RATIO_MARGIN - 0.03);
    expect(Math.min(...theirs)).toBeGreaterThan(HIT_RATIO_MARGIN + 0.03);
    expect(exercise("02.2").hint).toContain(`minus ${HIT_RATIO_MARGIN}`);
  });
});
