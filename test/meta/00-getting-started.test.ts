// Meta tests of the graders of notebook 00 (test/grading/meta.ts says what each checks): the
// reference passes, the stub is pending, and each buggy fixture is rejected for its stated reason.
import { describe, expect, it } from "vitest";
import { exercise } from "../grading";
import { BYSTANDER, metaTests, notImplemented, type Graded } from "../grading/meta";
import { checkPingPong, TRIALS as PING_PONG_TRIALS, type PingPongApi } from "../grading/00-getting-started/ping-pong";
import { checkEcho, CALLS_PER_TRIAL, TRIALS as ECHO_TRIALS, type EchoApi } from "../grading/00-getting-started/echo";

export const pingPong: Graded<PingPongApi> = {
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

export const echo: Graded<EchoApi> = {
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

metaTests(pingPong);
metaTests(echo);

describe("grader 00.2 echo", () => {
  it("makes enough calls that a client failing 3.4% of them (4 retries) passes with probability < 10⁻⁵, and says how many", () => {
    const calls = echo.exercise.seeds.length * ECHO_TRIALS * CALLS_PER_TRIAL;
    expect(0.966 ** calls).toBeLessThan(1e-5);
    expect(echo.exercise.hint).toContain(`grader makes ${calls} calls`);
  });
});
