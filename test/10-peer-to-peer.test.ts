// Graders of notebook 10 (peer-to-peer). Each exercise runs its check with every seed of the
// registry (test/grading/exercises.ts) against exercises/ (default) or solutions/ (DISTLAB_TARGET).
import { gradeExercise } from "./grading";
import { checkRingStorage, type RingStorageApi } from "./grading/10-peer-to-peer/ring-storage";
import { checkChordLookup, type ChordLookupApi } from "./grading/10-peer-to-peer/chord-lookup";
import { checkFlooding, type FloodingApi } from "./grading/10-peer-to-peer/flooding";
import { checkChordStabilize, type ChordStabilizeApi } from "./grading/10-peer-to-peer/chord-stabilize";

gradeExercise<RingStorageApi>("10.1", checkRingStorage);
gradeExercise<ChordLookupApi>("10.2", checkChordLookup);
gradeExercise<FloodingApi>("10.3", checkFlooding);
gradeExercise<ChordStabilizeApi>("10.4", checkChordStabilize);
