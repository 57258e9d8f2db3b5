// Graders of notebook 00 (getting started). Each exercise runs its check with every seed of the
// registry (test/grading/exercises.ts) against exercises/ (default) or solutions/ (DISTLAB_TARGET).
import { gradeExercise } from "./grading";
import { checkPingPong, type PingPongApi } from "./grading/00-getting-started/ping-pong";
import { checkEcho, type EchoApi } from "./grading/00-getting-started/echo";

gradeExercise<PingPongApi>("00.1", checkPingPong);
gradeExercise<EchoApi>("00.2", checkEcho);
