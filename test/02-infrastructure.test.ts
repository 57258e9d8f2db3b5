// Graders of notebook 02 (infrastructure). Each exercise runs its check with every seed of the
// registry (test/grading/exercises.ts) against exercises/ (default) or solutions/ (DISTLAB_TARGET).
import { gradeExercise } from "./grading";
import { checkLeastConnections, type LeastConnectionsApi } from "./grading/02-infrastructure/least-connections";
import { checkCachingProxy, type CachingProxyApi } from "./grading/02-infrastructure/caching-proxy";
import { checkTaskFarm, type TaskFarmApi } from "./grading/02-infrastructure/task-farm";

gradeExercise<LeastConnectionsApi>("02.1", checkLeastConnections);
gradeExercise<CachingProxyApi>("02.2", checkCachingProxy);
gradeExercise<TaskFarmApi>("02.3", checkTaskFarm);
