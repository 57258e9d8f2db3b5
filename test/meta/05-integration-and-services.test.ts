// Meta tests of the graders of notebook 05 (test/grading/meta.ts says what each checks): the
// reference passes, the stub is pending, and each buggy fixture is rejected for its stated reason;
// also what the graders' trials contain (expiries, probes, probes among concurrent calls).
import { describe, expect, it } from "vitest";
import { exercise, loadModule, type CheckResult } from "../grading";
import { BYSTANDER, measuring, metaTests, notImplemented, type Graded } from "../grading/meta";
import { checkServiceRegistry, TRIALS as REGISTRY_TRIALS, type RegistryApi, type RegistryStats } from "../grading/05-integration-and-services/registry";
import {
  checkCircuitBreaker,
  TRIALS as BREAKER_TRIALS,
  type BreakerStats,
  type CircuitBreakerApi,
} from "../grading/05-integration-and-services/circuit-breaker";

/** A live instance left out of a lookup. */
const LIVE_DROPPED = String.raw`a lookup to list every instance whose lease is running: a register or heartbeat arrived less than leaseMs=\d+ ms before the answer .*; got \w+ answered .* it leaves out "\w+:\d+" of \w+ on \w+ \([^)]*\), whose last (register|heartbeat) arrived at t=[\d.]+ms, only [\d.]+ms earlier`;
/** An expired instance still listed. */
const EXPIRED_LISTED = String.raw`a lookup to leave out an instance whose lease ran out: no register or heartbeat for more than leaseMs=\d+ ms \(\+50 ms slack\) before the answer; got \w+ answered .* it lists "\w+:\d+" of \w+ on \w+ \([^)]*\), whose last (register|heartbeat) arrived at t=[\d.]+ms, [\d.]+ms earlier`;
/** The breaker should have opened at the failure that made the count. */
const NOT_OPENED = String.raw`to call node\.setState\("open"\) at t=[\d.]+ms: that was the \d(st|nd|rd|th) consecutive failure \(failuresToOpen=\d; failures are error replies and timeouts; this one: `;

/**
 * What each implementation's trials met, per seed (the first check of a seed only): the tests of
 * the graders' trials below read what the meta tests measured.
 */
const registryMeasured = new WeakMap<object, Map<number, RegistryStats>>();
const breakerMeasured = new WeakMap<object, Map<number, BreakerStats>>();


const checkRegistryMeasured = measuring<RegistryApi, RegistryStats>(
  registryMeasured,
  () => ({ trials: 0, answers: 0, answersWithExpired: 0, answersWithLateLive: 0 }),
  checkServiceRegistry,
);
const checkBreakerMeasured = measuring<CircuitBreakerApi, BreakerStats>(
  breakerMeasured,
  () => ({ trials: 0, calls: 0, failedFast: 0, timeouts: 0, errorReplies: 0, opens: 0, probes: 0, probesAmongSeveral: 0, failedProbes: 0, resets: 0 }),
  checkCircuitBreaker,
);

/** The sums of what an implementation's checks met over every seed (checking the seeds not yet checked). */
async function measuredSum<Impl extends object, S extends object>(
  measured: WeakMap<object, Map<number, S>>,
  check: (impl: Impl, seed: number) => Promise<CheckResult>,
  impl: Impl,
  seeds: readonly number[],
): Promise<S> {
  for (const seed of seeds) {
    if (!measured.get(impl)?.has(seed)) expect((await check(impl, seed)).status).toBe("pass"); // run alone (-t)
  }
  const all = Array.from(measured.get(impl)!.values());
  const sum = { ...all[0] } as Record<string, number>;
  for (const key of Object.keys(sum)) sum[key] = all.reduce((n, s) => n + (s as Record<string, number>)[key], 0);
  return sum as S;
}

export const serviceRegistry: Graded<RegistryApi> = {
  exercise: exercise("05.1"),
  check: checkRegistryMeasured,
  trials: REGISTRY_TRIALS,
  stub: { serviceRegistry: () => notImplemented(exercise("05.1")) },
  buggy: [
    // Expiry: never, too early, from the wrong moment, by the wrong measure, with the wrong lease.
    ["registry-never-expires", new RegExp(EXPIRED_LISTED)],
    ["registry-half-lease", new RegExp(LIVE_DROPPED)],
    ["registry-lease-from-register", new RegExp(`${LIVE_DROPPED.replace("(register|heartbeat)", "heartbeat")} \\(it registered at t=[\\d.]+ms\\)`)],
    ["registry-expires-by-lookups", new RegExp(`${LIVE_DROPPED}|${EXPIRED_LISTED}`)],
    ["registry-fixed-lease", new RegExp(`${LIVE_DROPPED}|${EXPIRED_LISTED}`)],
    ["registry-heartbeat-needs-register", new RegExp(`${LIVE_DROPPED.replace("(register|heartbeat)", "heartbeat")}`)],
    // What is listed: other services' instances, node ids instead of addresses, unsorted.
    ["registry-all-services", /a lookup of \w+ to list only instances registered under \w+; got .*; "\w+:\d+" never registered under \w+ \(it is an instance of \w+\)/],
    ["registry-src-as-instance", /a lookup of \w+ to list only instances registered under \w+; got .*; "\w+" never registered under \w+$/],
    ["registry-unsorted", /lookup_ok's instances sorted \(\.sort\(\)\), each once; got .*; expected the order \[/],
    // Wrong recipient.
    ["registry-first-peer", new RegExp(`${BYSTANDER}.*; got \\w+ → \\w+ lookup_ok instances=`)],
  ],
  accepted: ["registry-periodic-sweep"],
};

export const circuitBreaker: Graded<CircuitBreakerApi> = {
  exercise: exercise("05.2"),
  check: checkBreakerMeasured,
  trials: BREAKER_TRIALS,
  stub: { circuitBreaker: () => notImplemented(exercise("05.2")) },
  buggy: [
    // Half-open: skipped, or not one probe.
    ["circuit-breaker-never-half-opens", /to call node\.setState\("half-open"\) between t=[\d.]+ms and t=[\d.]+ms: openMs=\d+ ms after the breaker opened at .*; got it declared "closed" at t=[\d.]+ms/],
    ["circuit-breaker-half-open-lets-all-through", /exactly one request for the [23] calls at t=[\d.]+ms \(the probe, sent at once; the others fail fast with CircuitOpenError\).*; got [23] requests: /],
    // Counting: not consecutive, timeouts left out, off by one.
    ["circuit-breaker-counts-total-failures", /no change of state on \w+ now \(the breaker stays "closed": [1-4] consecutive failure\(s\) so far, failuresToOpen=\d.*; got it declared "open" at t=[\d.]+ms/],
    ["circuit-breaker-timeouts-not-counted", new RegExp(`${NOT_OPENED}no reply within timeoutMs=\\d+ ms.*; got it declared no change of state`)],
    ["circuit-breaker-opens-one-late", new RegExp(`${NOT_OPENED}.*; got it declared no change of state`)],
    // Open: sends anyway, or for the wrong time.
    ["circuit-breaker-sends-while-open", /no request while the breaker is open: the breaker opened at t=[\d.]+ms.*; got \w+ → \w+ get key="\w+" \(msg_id #\d+\), sent at t=[\d.]+ms/],
    ["circuit-breaker-fixed-open-ms", /no request while the breaker is open: .*openMs=(?!500 )\d+ ms.*; got \w+ → \w+ get|to call node\.setState\("half-open"\) between .*; got|exactly one request for the \d? ?calls? at t=[\d.]+ms \(the probe.*; got no request was sent/],
    // Retries inside the breaker, state names of its own.
    ["circuit-breaker-retries", /exactly one request for the call at t=[\d.]+ms, sent at once, with the call's body, to \w+ \(no retries\); got 3 requests: /],
    ["circuit-breaker-state-names", /to call node\.setState\("closed"\) at t=0ms: a breaker starts closed; got it declared "CLOSED" at t=0ms/],
  ],
  accepted: ["circuit-breaker-timer-half-open"],
};

metaTests(serviceRegistry);
metaTests(circuitBreaker);

describe("grader 05.1 service-registry: what its trials contain", () => {
  it("the reference meets expired instances and live ones heard from long ago, in many answers", async () => {
    const impl = await loadModule<RegistryApi>("solutions/05-integration-and-services/registry");
    const stats = await measuredSum(registryMeasured, checkRegistryMeasured, impl, serviceRegistry.exercise.seeds);
    console.log(`05.1 reference: ${JSON.stringify(stats)}`);
    expect(stats.trials).toBe(serviceRegistry.exercise.seeds.length * REGISTRY_TRIALS);
    expect(stats.answers).toBeGreaterThan(stats.trials * 40);
    expect(stats.answersWithExpired).toBeGreaterThan(stats.answers / 5);
    expect(stats.answersWithLateLive).toBeGreaterThan(stats.answers / 10);
  });
});

describe("grader 05.2 circuit-breaker: what its trials contain", () => {
  it("the reference opens, fails fast, probes (also among concurrent calls), closes and reopens", async () => {
    const impl = await loadModule<CircuitBreakerApi>("solutions/05-integration-and-services/circuit-breaker");
    const stats = await measuredSum(breakerMeasured, checkBreakerMeasured, impl, circuitBreaker.exercise.seeds);
    console.log(`05.2 reference: ${JSON.stringify(stats)}`);
    const trials = circuitBreaker.exercise.seeds.length * BREAKER_TRIALS;
    expect(stats.trials).toBe(trials);
    expect(stats.opens).toBeGreaterThan(trials);
    expect(stats.probes).toBeGreaterThan(trials * 3);
    expect(stats.failedProbes).toBeGreaterThan(trials * 2);
    expect(stats.probes - stats.failedProbes).toBeGreaterThanOrEqual(trials); // every trial ends healthy: a probe closes it
    expect(stats.probesAmongSeveral).toBeGreaterThan(trials);
    expect(stats.failedFast).toBeGreaterThan(stats.calls / 5);
    expect(stats.resets).toBeGreaterThan(trials / 2);
    expect(stats.timeouts).toBeGreaterThan(trials * 2);
  });
});
