// Meta tests of the graders of notebook 06 (test/grading/meta.ts says what each checks): the
// reference passes, the stub is pending, and each buggy fixture is rejected for its stated reason.
import { exercise } from "../grading";
import { BYSTANDER, metaTests, notImplemented, type Graded } from "../grading/meta";
import { checkVectorClock, TRIALS as VECTOR_TRIALS, type VectorClockApi } from "../grading/06-time-and-concurrency/vector-clock";
import { checkCoordinatorMutex, TRIALS as MUTEX_TRIALS, type CoordinatorMutexApi } from "../grading/06-time-and-concurrency/coordinator-mutex";
import { checkCristian, TRIALS as CRISTIAN_TRIALS, type CristianApi } from "../grading/06-time-and-concurrency/cristian";

/** A pair of events whose vectors disagree with happened-before. */
const ORDER = (expected: string, got: string): RegExp =>
  new RegExp(String.raw`compareVectors to say "${expected}" for \w+'s (send|receipt).* and (the grader's node )?\w+'s (send|receipt).*; got "${got}": the first was reported with \{.*\}, the second with \{`);
/** The vc a message carries differs from the vector reported for its send. */
const CARRIED = String.raw`the app message \w+ sends to carry in vc the vector it reports for that send: \{.*\} \(the grader reads the reported vectors when the trial ends, so report a copy you never change\); got \w+ → \w+ app text="[\w ?]+" vc=\{`;
/** The server's time outside the interval now() returned. */
const OUTSIDE = String.raw`the server's time to lie in \[timeMs − errorMs, timeMs \+ errorMs\] at every call of now\(\) \(estimate T \+ rtt/2 .*\); got now\(\) at t=[\d.]+ms \(the server's clock read -?[\d.]+ms\) returned timeMs=-?[\d.]+ms, errorMs=[\d.]+ms: off by -?[\d.]+ms; the last clock_reply to arrive: \w+ → \w+ clock_reply timeMs=`;
/** A coordinator's grant that is not to the oldest waiting request. */
const GRANT = String.raw`the coordinator to send only lock_grants, each with node\.reply\(request, …\) to a lock_request that arrived and was not granted yet, and always to the oldest one waiting \(first come, first served\); got \w+ → \w+ lock_grant`;

export const vectorClock: Graded<VectorClockApi> = {
  exercise: exercise("06.1"),
  check: checkVectorClock,
  trials: VECTOR_TRIALS,
  stub: { vectorClock: () => notImplemented(exercise("06.1")) },
  buggy: [
    // Receive: no merge, no increment of its own entry, the sender's entry incremented instead.
    ["vector-clock-no-merge", ORDER("before", "concurrent")],
    ["vector-clock-no-tick-on-receive", ORDER("before", "equal")],
    ["vector-clock-merge-then-sender", ORDER("(concurrent|before|after)", "(before|after|concurrent|equal)")],
    // Send: the vector put in the message before the increment.
    ["vector-clock-send-before-tick", new RegExp(`${CARRIED}\\}`)],
    // Report: the node's one vector object, not a copy.
    ["vector-clock-shared-vector", new RegExp(CARRIED)],
    // Entries keyed by position, not node id.
    ["vector-clock-peer-index", ORDER("concurrent", "equal")],
  ],
  accepted: ["vector-clock-class-map"],
};

export const coordinatorMutex: Graded<CoordinatorMutexApi> = {
  exercise: exercise("06.2"),
  check: checkCoordinatorMutex,
  trials: MUTEX_TRIALS,
  stub: { coordinator: () => notImplemented(exercise("06.2")), mutexClient: () => notImplemented(exercise("06.2")) },
  buggy: [
    // Coordinator: no exclusion, no FIFO, no grant on release, grant to the wrong node.
    ["coordinator-mutex-grant-all", /never two holders: a client holds the lock from its lock_grant's arrival \(acquire\(\) resolving\) until it sends lock_release; got at t=[\d.]+ms \w+ \(holding since t=[\d.]+ms\) and \w+ \(holding since t=[\d.]+ms\) both held the lock; \w+ → \w+ lock_grant/],
    ["coordinator-mutex-lifo", new RegExp(`${GRANT} .*: it granted \\w+'s request that arrived at t=[\\d.]+ms, while \\w+ → \\w+ lock_request .* was waiting longer`)],
    ["coordinator-mutex-no-grant-on-release", new RegExp(`${GRANT} .*: it granted \\w+'s request that arrived at t=[\\d.]+ms, while \\w+ → \\w+ lock_request .* was waiting longer`)],
    ["coordinator-mutex-grant-to-releaser", new RegExp(`${GRANT} .*, which answers no waiting lock_request of \\w+; waiting: \\w+ #\\d+`)],
    // Client: does not wait for the grant, never releases, talks to node.peers()[0].
    ["coordinator-mutex-acquire-no-wait", /acquire\(\) to resolve only after a lock_grant answering one of \w+'s lock_requests arrived \(one grant per acquisition\); got \w+'s acquire\(\) #1 resolved at t=[\d.]+ms, when only 0 such grant\(s\) had arrived/],
    ["coordinator-mutex-release-local", /every acquire\(\) to resolve once its lock_grant arrives; got \w+'s acquire\(\) #\d, called at t=[\d.]+ms, never resolved \(the trial ran until t=3000ms\)/],
    ["coordinator-mutex-client-first-peer", new RegExp(`${BYSTANDER}.*; got \\w+ → \\w+ lock_request`)],
  ],
  accepted: ["coordinator-mutex-request-map"],
};

export const cristian: Graded<CristianApi> = {
  exercise: exercise("06.3"),
  check: checkCristian,
  trials: CRISTIAN_TRIALS,
  stub: { cristianClient: () => notImplemented(exercise("06.3")) },
  buggy: [
    // The estimate: true simulator time, no rtt/2, t0 of the wrong request.
    ["cristian-true-time", new RegExp(`${OUTSIDE}.*`)],
    ["cristian-no-half-rtt", new RegExp(OUTSIDE)],
    ["cristian-latest-t0", new RegExp(OUTSIDE)],
    // The bound: no drift; an honest bound that is never renewed.
    ["cristian-no-drift", new RegExp(OUTSIDE)],
    ["cristian-sync-once", /errorMs ≤ 100 ms from t=1000ms on \(sync every periodMs=\d+ ms; keep the estimate whose error is smaller now\); got now\(\) at t=[\d.]+ms .* returned errorMs=[\d.]+ms; the last clock_reply to arrive: .*answering the request sent at t=0ms/],
  ],
  accepted: ["cristian-latest-sample"],
};

metaTests(vectorClock);
metaTests(coordinatorMutex);
metaTests(cristian);
