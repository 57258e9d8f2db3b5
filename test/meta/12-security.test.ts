// Meta tests of the graders of notebook 12 (test/grading/meta.ts says what each checks): the
// reference passes, the stub is pending, and each buggy fixture is rejected for its stated reason.
import { describe, expect, it } from "vitest";
import { exercise, loadModule } from "../grading";
import { measuring, metaTests, notImplemented, type Graded } from "../grading/meta";
import { checkTokenServer, TRIALS as TOKEN_SERVER_TRIALS, type TokenServerApi, type TokenServerStats } from "../grading/12-security/token-server";
import { checkReplayGuard, TRIALS as REPLAY_GUARD_TRIALS, type ReplayGuardApi, type ReplayGuardStats } from "../grading/12-security/replay-guard";

const tokenServerMeasured = new WeakMap<object, Map<number, TokenServerStats>>();
const checkTokenServerMeasured = measuring<TokenServerApi, TokenServerStats>(
  tokenServerMeasured,
  () => ({ trials: 0, calls: 0, accepted: 0, refused400: 0, refused401: 0, refused403: 0, skewedClocks: 0, boundaryCalls: 0 }),
  checkTokenServer,
);

/** "… — for <client>'s call "<id>" (op "<op>"): <label>; header …, claims …; it reached …". */
const CALL = String.raw`— for \w+'s call "[\w-]+" \(op "?\w*"?\): [^;]+; header .*, claims .*; it reached \w+ at t=[\d.]+m?s, when node\.clock\(\) read -?[\d.]+m?s`;
const ACCEPTED_WRONGLY = String.raw`; got call_ok result=\{.*\}; the operation ran once$`;

export const tokenServer: Graded<TokenServerApi> = {
  exercise: exercise("12.1"),
  check: checkTokenServerMeasured,
  trials: TOKEN_SERVER_TRIALS,
  stub: { protectedServer: () => notImplemented(exercise("12.1")) },
  buggy: [
    // exp never compared with the clock.
    ["token-server-skips-exp", new RegExp(`to answer error 401 and run nothing, because it expired: now -?[\\d.]+m?s ≥ exp \\+ skew = -?[\\d.]+m?s ${CALL}.*${ACCEPTED_WRONGLY}`)],
    // nbf ignored.
    ["token-server-skips-nbf", new RegExp(`to answer error 401 and run nothing, because it is not valid yet: now -?[\\d.]+m?s < nbf − skew = -?[\\d.]+m?s ${CALL}.*${ACCEPTED_WRONGLY}`)],
    // The header picks the algorithm: "none", or HS256 keyed with the Ed25519 public key.
    ["token-server-trusts-alg-header", new RegExp(`to answer error 401 and run nothing, because the header says alg "(none|HS256)" but key [\\w-]+ is (HS256|EdDSA) ${CALL}.*${ACCEPTED_WRONGLY}`)],
    // The signature over the claims segment only: good tokens are refused.
    ["token-server-wrong-bytes", new RegExp(`to (run the operation once and answer call_ok with its result, because it is valid|answer error 403 and run nothing, because none of its roles).* ${CALL}.*; got error 401 \\(".*bad signature.*"\\); the operation did not run$`)],
    // Permission by substring of the joined permissions.
    ["token-server-role-substring", new RegExp(`to answer error 403 and run nothing, because none of its roles \\["[\\w-]+-self-service"\\] grants [\\w]+:(read|write) \\(the roles grant \\["[\\w]+:read-own","[\\w]+:write-own"\\]\\) ${CALL}.*${ACCEPTED_WRONGLY}`)],
    // No RBAC at all.
    ["token-server-ignores-roles", new RegExp(`to answer error 403 and run nothing, because none of its roles .* grants \\w+:\\w+ .*${CALL}.*${ACCEPTED_WRONGLY}`)],
    // aud unchecked.
    ["token-server-ignores-audience", new RegExp(`to answer error 401 and run nothing, because its aud .* does not name "[\\w-]+" ${CALL}.*${ACCEPTED_WRONGLY}`)],
    // No input validation: the handler throws and never answers.
    ["token-server-crashes-on-malformed", new RegExp(`to answer error 40[01] and run nothing, because (its token is not a string|the (header|claims) (is|are) not base64url of a JSON object|its .* signature does not match .*) ${CALL}.*; got no reply; the operation did not run$`)],
    // node.now() instead of the server's own clock: wrong only when the clock is off.
    ["token-server-true-time", new RegExp(`because (it expired|it is not valid yet|it is valid \\(inside the skew\\)).* ${CALL} \\(true time \\+ -?\\d+ ms: your clock is off\\); skew \\d+ ms; got `)],
  ],
  accepted: ["token-server-rule-list"],
};

metaTests(tokenServer);

describe("grader 12.1 token-server: what its trials contain", () => {
  it("the reference meets every kind of call, boundary times and skewed clocks", async () => {
    const impl = await loadModule<TokenServerApi>("solutions/12-security/token-server");
    for (const seed of tokenServer.exercise.seeds) {
      if (!tokenServerMeasured.get(impl)?.has(seed)) expect((await checkTokenServerMeasured(impl, seed)).status).toBe("pass");
    }
    const all = Array.from(tokenServerMeasured.get(impl)!.values());
    const sum = (key: keyof TokenServerStats): number => all.reduce((n, s) => n + s[key], 0);
    const stats = Object.fromEntries((Object.keys(all[0]) as Array<keyof TokenServerStats>).map((k) => [k, sum(k)])) as unknown as TokenServerStats;
    console.log(`12.1 reference: ${JSON.stringify(stats)}`);
    expect(stats.trials).toBe(tokenServer.exercise.seeds.length * TOKEN_SERVER_TRIALS);
    expect(stats.trials).toBeGreaterThanOrEqual(135);
    expect(stats.calls).toBeGreaterThan(stats.trials * 27);
    expect(stats.accepted).toBeGreaterThan(stats.trials * 6);
    expect(stats.refused401).toBeGreaterThan(stats.trials * 14);
    expect(stats.refused403).toBeGreaterThan(stats.trials * 3);
    expect(stats.refused400).toBeGreaterThanOrEqual(stats.trials);
    expect(stats.boundaryCalls).toBe(stats.trials * 4);
    expect(stats.skewedClocks).toBeGreaterThan(stats.trials / 3);
  });
});

const replayGuardMeasured = new WeakMap<object, Map<number, ReplayGuardStats>>();
const checkReplayGuardMeasured = measuring<ReplayGuardApi, ReplayGuardStats>(
  replayGuardMeasured,
  () => ({ trials: 0, fresh: 0, retries: 0, replays: 0, forged: 0, stale: 0, restarts: 0, rememberedMaxShare: 0 }),
  checkReplayGuard,
);

/** "to run <shot> once (…), and never again …; got execute ran it again at t=… for <who>'s signed_request … " up to the copy's label. */
const RAN_AGAIN = String.raw`to run \w+'s signed_request client="\w+" nonce="[\w-]+" .* once \(it ran at t=[\d.]+ms\), and never again for a copy with the same client and nonce; got execute ran it again at t=[\d.]+ms for \w+'s signed_request client="\w+" nonce="[\w-]+" timestampMs=[\d.-]+ payload=\{.*\} `;

export const replayGuard: Graded<ReplayGuardApi> = {
  exercise: exercise("12.2"),
  check: checkReplayGuardMeasured,
  trials: REPLAY_GUARD_TRIALS,
  stub: { replayGuardedServer: () => notImplemented(exercise("12.2")) },
  buggy: [
    ["replay-guard-no-nonce-check", new RegExp(`${RAN_AGAIN}\\((the attacker's copy of it, sent at once|the same request again: a retry after the lost reply|the same request sent again after its reply|the attacker's copy of a request, replayed half a window later)`)],
    ["replay-guard-memory-only", new RegExp(`${RAN_AGAIN}\\((the attacker's copy of a request from before the restart, replayed after it|a retry, after the restart, of a request from before it)`)],
    ["replay-guard-ignores-timestamp", new RegExp(`${RAN_AGAIN}\\(the attacker's copy of (a request, replayed after the window|an old request with a fresh timestamp, MAC kept)`)],
    ["replay-guard-refuses-retries", /with the reply the first copy got, signed_request_ok result=.* \(nothing run again, and not refused: a retry after a lost reply must work\); got error 409/],
    ["replay-guard-re-executes-retries", new RegExp(`${RAN_AGAIN}\\((the attacker's copy of it, sent at once|the same request again: a retry after the lost reply|the same request sent again after its reply|the attacker's copy of a request, replayed half a window later)`)],
    ["replay-guard-never-forgets", /rememberedNonces\(\) at t=[\d.]+ms, after \d+ windows of steady traffic, to be at most (\d+) \(the requests timestamped in the last 2 × \d+ ms, \+ 2\): nonces older than the window can be forgotten; got rememberedNonces\(\) is \d+/],
    ["replay-guard-storage-never-pruned", /node\.storage to stop growing under steady traffic: at most 1\.25 × \d+ \+ 512 bytes .*; got node\.storage\.sizeBytes is \d+: old nonces are never deleted from storage/],
    ["replay-guard-nonce-without-client", /to run \w+'s signed_request client="(\w+)" nonce="([\w-]+)" .*\(a fresh request of another client with the same nonce "\2".*\) once and answer signed_request_ok with its result: it is authentic, fresh \(windowMs = \d+ ms\) and its nonce is new for \1; got (error 409|signed_request_ok)/],
  ],
  accepted: ["replay-guard-refuse-before-start"],
};

metaTests(replayGuard);

describe("grader 12.2 replay-guard: what its trials contain", () => {
  it("the reference meets retries, replays, forgeries, stale copies and a restart in every trial, with bounded memory", async () => {
    const impl = await loadModule<ReplayGuardApi>("solutions/12-security/replay-guard");
    for (const seed of replayGuard.exercise.seeds) {
      if (!replayGuardMeasured.get(impl)?.has(seed)) expect((await checkReplayGuardMeasured(impl, seed)).status).toBe("pass");
    }
    const all = Array.from(replayGuardMeasured.get(impl)!.values());
    const sum = (key: keyof ReplayGuardStats): number => all.reduce((n, s) => n + s[key], 0);
    const stats = { trials: sum("trials"), fresh: sum("fresh"), retries: sum("retries"), replays: sum("replays"), forged: sum("forged"), stale: sum("stale"), restarts: sum("restarts"), rememberedMaxShare: Math.max(...all.map((s) => s.rememberedMaxShare)) };
    console.log(`12.2 reference: ${JSON.stringify(stats)}`);
    expect(stats.trials).toBe(replayGuard.exercise.seeds.length * REPLAY_GUARD_TRIALS);
    expect(stats.trials).toBeGreaterThanOrEqual(135);
    expect(stats.fresh).toBeGreaterThan(stats.trials * 35);
    expect(stats.retries).toBe(stats.trials * 3);
    expect(stats.replays).toBe(stats.trials * 3);
    expect(stats.forged).toBe(stats.trials * 7);
    expect(stats.stale).toBe(stats.trials);
    expect(stats.restarts).toBe(stats.trials);
    expect(stats.rememberedMaxShare).toBeLessThanOrEqual(0.75); // the reference keeps about one window of the two allowed
  });
});
