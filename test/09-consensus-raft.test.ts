// Graders of notebook 09 (consensus with Raft). Each exercise runs its check with every seed of
// the registry (test/grading/exercises.ts) against exercises/ (default) or solutions/ (DISTLAB_TARGET).
import { gradeExercise } from "./grading";
import { checkRaftElection, type RaftApi } from "./grading/09-consensus-raft/raft-election";
gradeExercise<RaftApi>("09A", checkRaftElection);
// <09A grader line here>
import { checkRaftReplication } from "./grading/09-consensus-raft/raft-replication";
gradeExercise<RaftApi>("09B", checkRaftReplication);
// <09B grader line here>
import { checkPersistence } from "./grading/09-consensus-raft/raft-persistence";
gradeExercise<RaftApi>("09C", checkPersistence);
// <09C grader line here>
import { checkKv, type KvApi } from "./grading/09-consensus-raft/kv";
gradeExercise<KvApi>("09D", checkKv);
// <09D grader line here>
import { checkSnapshots } from "./grading/09-consensus-raft/raft-snapshot";
gradeExercise<RaftApi>("09E", checkSnapshots);
// <09E grader line here>
