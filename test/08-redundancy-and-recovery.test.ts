// Graders of notebook 08 (redundancy and recovery). Each exercise runs its check with every seed of
// the registry (test/grading/exercises.ts) against exercises/ (default) or solutions/ (DISTLAB_TARGET).
import { gradeExercise } from "./grading";
import { checkPrimaryBackup, type PrimaryBackupApi } from "./grading/08-redundancy-and-recovery/primary-backup";
import { checkSnapshot, type SnapshotApi } from "./grading/08-redundancy-and-recovery/snapshot";
import { checkHashRing, type HashRingApi } from "./grading/08-redundancy-and-recovery/hash-ring";
import { checkQuorum, type QuorumApi } from "./grading/08-redundancy-and-recovery/quorum";

gradeExercise<PrimaryBackupApi>("08.1", checkPrimaryBackup);
gradeExercise<SnapshotApi>("08.2", checkSnapshot);
gradeExercise<HashRingApi>("08.3", checkHashRing);
gradeExercise<QuorumApi>("08.4", checkQuorum);
