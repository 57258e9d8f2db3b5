// Graders of notebook 12 (security). Each exercise runs its check with every seed of the
// registry (test/grading/exercises.ts) against exercises/ (default) or solutions/ (DISTLAB_TARGET).
import { gradeExercise } from "./grading";
import { checkTokenServer, type TokenServerApi } from "./grading/12-security/token-server";
import { checkReplayGuard, type ReplayGuardApi } from "./grading/12-security/replay-guard";

gradeExercise<TokenServerApi>("12.1", checkTokenServer);
gradeExercise<ReplayGuardApi>("12.2", checkReplayGuard);
