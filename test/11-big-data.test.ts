// Graders of notebook 11 (big data). Each exercise runs its check with every seed of the
// registry (test/grading/exercises.ts) against exercises/ (default) or solutions/ (DISTLAB_TARGET).
import { gradeExercise } from "./grading";
import { checkApps, type AppsApi } from "./grading/11-big-data/apps";
import { checkMaster, type MasterApi } from "./grading/11-big-data/master";
import { checkIdempotentConsumer, type IdempotentConsumerApi } from "./grading/11-big-data/idempotent-consumer";

gradeExercise<AppsApi>("11.1", checkApps);
gradeExercise<MasterApi>("11.2", checkMaster);
gradeExercise<IdempotentConsumerApi>("11.3", checkIdempotentConsumer);
