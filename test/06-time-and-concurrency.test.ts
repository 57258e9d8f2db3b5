// Graders of notebook 06 (time and concurrency). Each exercise runs its check with every seed of
// the registry (test/grading/exercises.ts) against exercises/ (default) or solutions/ (DISTLAB_TARGET).
import { gradeExercise } from "./grading";
import { checkVectorClock, type VectorClockApi } from "./grading/06-time-and-concurrency/vector-clock";
import { checkCoordinatorMutex, type CoordinatorMutexApi } from "./grading/06-time-and-concurrency/coordinator-mutex";
import { checkCristian, type CristianApi } from "./grading/06-time-and-concurrency/cristian";

gradeExercise<VectorClockApi>("06.1", checkVectorClock);
gradeExercise<CoordinatorMutexApi>("06.2", checkCoordinatorMutex);
gradeExercise<CristianApi>("06.3", checkCristian);
