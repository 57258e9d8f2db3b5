// Graders of notebook 09 (consensus with Raft). Each exercise runs its check with every seed of
// the registry (test/grading/exercises.ts) against exercises/ (default) or solutions/ (DISTLAB_TARGET).
import { gradeExercise } from "./grading";
import { checkRaftElection, type RaftApi } from "./grading/09-consensus-raft/raft-election";
import { checkRaftReplication } from "./grading/09-consensus-raft/raft-replication";
import { checkPersistence } from "./grading/09-consensus-raft/raft-persistence";
import { checkKv, type KvApi } from "./grading/09-consensus-raft/kv";
import { checkSnapshots } from "./grading/09-consensus-raft/raft-snapshot";

gradeExercise<RaftApi>("09A", checkRaftElection);
gradeExercise<RaftApi>("09B", checkRaftReplication);
gradeExercise<RaftApi>("09C", checkPersistence);
gradeExercise<KvApi>("09D", checkKv);
gradeExercise<RaftApi>("09E", checkSnapshots);
