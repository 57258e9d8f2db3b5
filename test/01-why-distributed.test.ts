// Graders of notebook 01 (why distributed). Each exercise runs its check with every seed of the
// registry (test/grading/exercises.ts) against exercises/ (default) or solutions/ (DISTLAB_TARGET).
import { gradeExercise } from "./grading";
import { checkPerfectLink, type PerfectLinkApi } from "./grading/01-why-distributed/perfect-link";
import { checkCrashedOrSlow, type CrashedOrSlowApi } from "./grading/01-why-distributed/crashed-or-slow";

gradeExercise<PerfectLinkApi>("01.1", checkPerfectLink);
gradeExercise<CrashedOrSlowApi>("01.2", (impl, seed) => checkCrashedOrSlow(impl, seed));
