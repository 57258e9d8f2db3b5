// Meta tests of the graders of notebook 04 (test/grading/meta.ts says what each checks): the
// reference passes, the stub is pending, and each buggy fixture is rejected for its stated reason.
import { exercise } from "../grading";
import { BYSTANDER, metaTests, notImplemented, type Graded } from "../grading/meta";
import { checkTupleSpaceExercise, TRIALS as TS_TRIALS, type TupleSpaceApi } from "../grading/04-architectural-styles/tuple-space";
import { checkStubSkeleton, TRIALS as SS_TRIALS, type StubSkeletonApi } from "../grading/04-architectural-styles/stub-skeleton";
import { checkIdempotentPayment, TRIALS as PAY_TRIALS, type IdempotentPaymentApi } from "../grading/04-architectural-styles/idempotent-payment";

/** The reason of every request left waiting while a matching tuple was in the space. */
const LEFT_WAITING = /to answer \w+'s (in|rd) pattern=.* at t=[\d.]+ms, when it could: a matching tuple .* was in the space .*; got it was still waiting when virtual time moved on past t=/;

export const tupleSpace: Graded<TupleSpaceApi> = {
  exercise: exercise("04.1"),
  check: checkTupleSpaceExercise,
  trials: TS_TRIALS,
  stub: { tupleSpace: () => notImplemented(exercise("04.1")) },
  buggy: [
    // A taken tuple comes back.
    ["tuple-space-in-keeps-tuple", /to be in the space when \w+ sent it \(an in removes the tuple it returns; .*\); got .*: it had already been taken out of the space by \w+ → \w+ in_ok/],
    ["tuple-space-wakes-all", /to be in the space when \w+ sent it .*; got \w+ → \w+ in_ok .*: it had already been taken out of the space by \w+ → \w+ in_ok/],
    // A tuple that is there is not found, or a request that had to wait is forgotten.
    ["tuple-space-rd-removes", LEFT_WAITING],
    ["tuple-space-drops-blocked", LEFT_WAITING],
    ["tuple-space-set-of-tuples", LEFT_WAITING],
    // Matching: the lengths must agree.
    ["tuple-space-prefix-match", /to match its pattern: the same length, every non-null field equal; got .*: \[.*\] does not match \[.*null.*\]/],
    // The order among waiting requests.
    ["tuple-space-lifo-waiters", /to go to the waiting requests in the order they arrived: .* arrived before .*; got \w+ → \w+ in_ok .* was still waiting/],
    // Wrong recipient.
    ["tuple-space-first-peer", new RegExp(`${BYSTANDER}.*; got \\w+ → \\w+ (in|rd)_ok tuple=`)],
  ],
  accepted: ["tuple-space-index-by-tag"],
};

/** The reason of every skeleton that answers with the wrong value or error. */
const WRONG_REPLY = /the reply to \w+'s invoke \w+\(.*\) \(msg_id #\d+\) to be result value=.*: what the object returns for these args; got \w+ → \w+ /;

export const stubSkeleton: Graded<StubSkeletonApi> = {
  exercise: exercise("04.2"),
  check: checkStubSkeleton,
  trials: SS_TRIALS,
  stub: {
    skeleton: () => notImplemented(exercise("04.2")),
    stub: () => notImplemented(exercise("04.2")),
  },
  buggy: [
    // Skeleton: call the method right, and turn a throw into an error reply.
    ["stub-skeleton-args-not-spread", WRONG_REPLY],
    ["stub-skeleton-loses-this", new RegExp(`${WRONG_REPLY.source}error name="TypeError"`)],
    ["stub-skeleton-own-methods-only", new RegExp(`${WRONG_REPLY.source}error name="NoSuchMethodError"`)],
    ["stub-skeleton-no-await", new RegExp(`${WRONG_REPLY.source}result value=\\{\\}`)],
    ["stub-skeleton-skeleton-throws", /node "\w+" handles every message and timer without throwing; got it threw an error \(during message invoke from \w+, at t=[\d.]+ms\): refused E\d+ for \w+/],
    ["stub-skeleton-no-in-reply-to", /every message \w+ sends to be a reply to an invoke .*in_reply_to = its msg_id\); got \w+ → \w+ (result|error) .*: it has no in_reply_to/],
    // Stub: a remote error rejects; a silent server times out; retries as given; every argument.
    ["stub-skeleton-ignores-remote-error", /to reject with an Error whose name is "\w+" and message ".*", those of the error reply; got it resolved to undefined at t=/],
    ["stub-skeleton-no-timeout", /remote\.hang\(\), called at t=[\d.]+ms, to settle within 5000 ms: reject with RpcTimeoutError after 1 \+ retries = \d+ attempts of timeoutMs=\d+; got its promise never settled/],
    ["stub-skeleton-ignores-retries", /to come back with .*: the server answers every copy that reaches it, so resend up to retries=\d+ times; got it rejected at t=[\d.]+ms with RpcTimeoutError: .* after 1 invoke\(s\)/],
    ["stub-skeleton-first-arg-only", /the invoke of remote\.join\(.*\) to carry args=\[.*\] \(every argument, in order, as one array\); got \w+ → \w+ invoke method="join" args=\["[^"]*"\] /],
  ],
  accepted: ["stub-skeleton-attempt-loop"],
};

/** The reason of every payment applied twice, or answered with something else the second time. */
const NOT_SAME_ANSWER = /every answer for key k-[0-9a-f]{8} to be the same: balance=(\d+), as in the first answer .*; got \w+ → \w+ pay_ok key="k-[0-9a-f]{8}" balance=(?!\1 )\d+ .*; the first answer was /;

export const idempotentPayment: Graded<IdempotentPaymentApi> = {
  exercise: exercise("04.3"),
  check: checkIdempotentPayment,
  trials: PAY_TRIALS,
  stub: { paymentServer: () => notImplemented(exercise("04.3")) },
  buggy: [
    // Charged twice: no dedup, dedup that a restart forgets, dedup by msg_id (a retry has a new one).
    ["idempotent-payment-no-dedup", NOT_SAME_ANSWER],
    ["idempotent-payment-memory-dedup", new RegExp(`${NOT_SAME_ANSWER.source}.*; \\w+ crashed at t=`)],
    ["idempotent-payment-dedup-by-msg-id", NOT_SAME_ANSWER],
    // Not charged twice, but a retry learns today's balance.
    ["idempotent-payment-replies-current-balance", NOT_SAME_ANSWER],
    // Acknowledged before it was durable: the crash takes the payment back, and the retry pays again.
    ["idempotent-payment-sync-later", new RegExp(`${NOT_SAME_ANSWER.source}.*; \\w+ crashed at t=`)],
    ["idempotent-payment-memory-balance", /the balances of account "\w+", in increasing order, to add one payment each: .* must answer balance=\d+; got .*: \d+ too little: payments answered earlier are missing from it/],
    // A reused key must be refused.
    ["idempotent-payment-ignores-body", /the answer to a pay with key k-[0-9a-f]{8} but account="\w+" amount=\d+ — the key was first used for account="\w+" amount=\d+ — to be error code="key_reused"; got \w+ → \w+ pay_ok /],
  ],
  accepted: ["idempotent-payment-journal"],
};

metaTests(tupleSpace);
metaTests(stubSkeleton);
metaTests(idempotentPayment);
