// Graders of notebook 04 (architectural styles). Each exercise runs its check with every seed of
// the registry (test/grading/exercises.ts) against exercises/ (default) or solutions/ (DISTLAB_TARGET).
import { gradeExercise } from "./grading";
import { checkTupleSpaceExercise, type TupleSpaceApi } from "./grading/04-architectural-styles/tuple-space";
import { checkStubSkeleton, type StubSkeletonApi } from "./grading/04-architectural-styles/stub-skeleton";
import { checkIdempotentPayment, type IdempotentPaymentApi } from "./grading/04-architectural-styles/idempotent-payment";

gradeExercise<TupleSpaceApi>("04.1", checkTupleSpaceExercise);
gradeExercise<StubSkeletonApi>("04.2", checkStubSkeleton);
gradeExercise<IdempotentPaymentApi>("04.3", checkIdempotentPayment);
