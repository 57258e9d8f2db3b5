// Graders of notebook 07 (failure detection). Each exercise runs its check with every seed of
// the registry (test/grading/exercises.ts) against exercises/ (default) or solutions/ (DISTLAB_TARGET).
import { gradeExercise } from "./grading";
import { checkHeartbeatDetector, type HeartbeatDetectorApi } from "./grading/07-failure-detection/heartbeat-detector";
import { checkPhiAccrual, type PhiAccrualApi } from "./grading/07-failure-detection/phi-accrual";
import { checkRetryJitter, type RetryJitterApi } from "./grading/07-failure-detection/retry-jitter";
import { checkFencing, type FencingApi } from "./grading/07-failure-detection/fencing";

gradeExercise<HeartbeatDetectorApi>("07.1", checkHeartbeatDetector);
gradeExercise<PhiAccrualApi>("07.2", checkPhiAccrual);
gradeExercise<RetryJitterApi>("07.3", checkRetryJitter);
gradeExercise<FencingApi>("07.4", checkFencing);
