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
    ["lc-round-robin", NOT_LEAST],
    ["lc-never-decrements", NOT_LEAST],
    ["lc-decrements-wrong-backend", NOT_LEAST],
    ["lc-random-backend", NOT_LEAST],
    // Wrong recipient or a reply without its request's id.
    ["lc-replies-to-backend", /to relay each backend response to the client that asked.*; got \w+ → \w+ response result=".*: a response sent back to a backend/],
    ["lc-no-in-reply-to", /to be a reply to the client's request: in_reply_to = the request's msg_id.*; got no in_reply_to: \w+ → \w+ response result="/],
    ["lc-first-peer", new RegExp(`${BYSTANDER}.*; got \\w+ → \\w+ request payload=`)],
    // Two clients with the same msg_id get each other's results.
    ["lc-keyed-by-msg-id", /; got \w+ → \w+ response result="[^"]*" \(msg_id #\d+, in_reply_to (\d+)\).*; its result is the answer to \w+'s request payload="[^"]*" \(msg_id #\1\)/],
    // The result must be the backend's.
    ["lc-invents-result", /to carry result="[^"]+", the result of \w+'s response to its forward; got \w+ → \w+ response result="done: /],
    // Forwards a request twice after a too-short timeout.
    ["lc-short-timeout", /each client request to be forwarded exactly once \(the network loses nothing here\).*; got it was forwarded twice: /],
    // Determinism trap.
    ["lc-math-random-ties", /02\.1 least-connections: your code called Math\.random — use node\.rng instead/],
  ],
  accepted: ["lc-pending-map"],
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
    ["cp-no-expiry", STALE],
    ["cp-expiry-from-last-access", STALE],
    ["cp-stale-while-revalidate", STALE],
    // Hit ratio: no cache at all, or one cache per client.
    ["cp-no-cache", /; got 0\.00: \w+ sent (\d+) reads to the origin for \1 gets/],
    ["cp-cache-per-client", LOW_HIT_RATIO],
    // Wrong recipient, or a reply without its request's id.
    ["cp-replies-to-origin", /to send each get_ok to the client whose get it answers; got \w+ → \w+ get_ok .*: a get_ok sent to the origin/],
    ["cp-no-in-reply-to", /to be a reply to the client's get: in_reply_to = the get's msg_id; got no in_reply_to: /],
    ["cp-first-peer", new RegExp(`${BYSTANDER}.*; got \\w+ → \\w+ read key=`)],
    // Keys mixed up by state shared between concurrent handlers.
    ["cp-shared-current-key", /; got \w+ → \w+ get_ok key="([^"]+)" value=\d+ .*: \d+ is a value of key "(?!\1")[^"]+", not of "\1"/],
    // Determinism trap.
    ["cp-date-now", /02\.2 caching-proxy: your code called Date\.now — use node\.now\(\) instead/],
  ],
  accepted: ["cp-coalescing"],
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
      "tf-never-reassigns",
      /to return the results of all \d+ tasks within 10000 ms.*; got its promise never settled: no result ever reached \w+ for .*, and \w+ crashed at t=[\d.]+ms — reassign a task whose result does not come within a timeout/,
    ],
    ["tf-gives-up-on-tasks", /to return one result for each of its \d+ tasks; got it returned \d+ results at t=[\d.]+ms, without .*, and \w+ crashed at t=/],
    ["tf-returns-early", /to return one result for each of its \d+ tasks; got it returned \d+ results at t=300ms, without /],
    // Duplicate and late results.
    ["tf-keeps-duplicates", /to return each task's result exactly once; got [\w-]+ appears twice .* — ignore duplicate and late results/],
    ["tf-result-by-worker", /the output of ([\w-]+) to be (-?\d+) \(input -?\d+ squared\); got it returned \{ id: "\1", output: (?!\2 )-?\d+ \}/],
    // Run past settle.
    ["tf-retries-after-return", /no message from \w+ after master\(.*\) returned at t=[\d.]+ms; got \w+ → \w+ task id=.*: cancel your timers/],
    // Wrong recipient.
    ["tf-first-peer", new RegExp(`${BYSTANDER}.*; got \\w+ → \\w+ task id=`)],
    ["tf-worker-first-peer", new RegExp(`${BYSTANDER}.*; got \\w+ → \\w+ result id=`)],
    // The worker: the right function of this message's input, for every copy.
    ["tf-worker-doubles", WRONG_OUTPUT],
    ["tf-worker-caches-by-id", WRONG_OUTPUT],
    ["tf-worker-ignores-repeats", /one result for every copy of a task that reaches a worker: .* arrived .*; got [01] results?: answer every task message, also a repeated one/],
    // Determinism trap.
    ["tf-settimeout", /02\.3 task-farm: your code called setTimeout — use node\.setTimer \/ node\.sleep instead/],
  ],
  accepted: ["tf-rpc-loops"],
};

metaTests(leastConnections);
metaTests(cachingProxy);
metaTests(taskFarm);

describe("grader 02.2 caching-proxy", () => {
  it("leaves the reference room below the ideal hit ratio, and a cache per client none", async () => {
    const reference = await loadModule<CachingProxyApi>("solutions/02-infrastructure/caching-proxy");
    const perClient = await loadModule<CachingProxyApi>("test/fixtures/buggy/02-infrastructure/cp-cache-per-client");
    const seed = exercise("02.2").seeds[0];
    const shortfall = (h: { idealRatio: number; ratio: number }): number => h.idealRatio - h.ratio;
    const ours = (await measureHitRatios(reference, seed)).map(shortfall);
    const theirs = (await measureHitRatios(perClient, seed)).map(shortfall);
    expect(Math.max(...ours)).toBeLessThan(HIT_RATIO_MARGIN - 0.03);
    expect(Math.min(...theirs)).toBeGreaterThan(HIT_RATIO_MARGIN + 0.03);
    expect(exercise("02.2").hint).toContain(`minus ${HIT_RATIO_MARGIN}`);
  });
});
