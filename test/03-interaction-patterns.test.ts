// Graders of notebook 03 (interaction patterns). Each exercise runs its check with every seed of the
// registry (test/grading/exercises.ts) against exercises/ (default) or solutions/ (DISTLAB_TARGET).
import { gradeExercise } from "./grading";
import { checkTopicBroker, type TopicBrokerApi } from "./grading/03-interaction-patterns/topic-broker";
import { checkContractNet, type ContractNetApi } from "./grading/03-interaction-patterns/contract-net";
import { checkReliableBroadcast, type ReliableBroadcastApi } from "./grading/03-interaction-patterns/reliable-broadcast";

gradeExercise<TopicBrokerApi>("03.1", checkTopicBroker);
gradeExercise<ContractNetApi>("03.2", checkContractNet);
gradeExercise<ReliableBroadcastApi>("03.3", checkReliableBroadcast);
