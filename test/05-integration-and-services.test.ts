// Graders of notebook 05 (integration and services). Each exercise runs its check with every seed of
// the registry (test/grading/exercises.ts) against exercises/ (default) or solutions/ (DISTLAB_TARGET).
import { gradeExercise } from "./grading";
import { checkServiceRegistry, type RegistryApi } from "./grading/05-integration-and-services/registry";
import { checkCircuitBreaker, type CircuitBreakerApi } from "./grading/05-integration-and-services/circuit-breaker";

gradeExercise<RegistryApi>("05.1", checkServiceRegistry);
gradeExercise<CircuitBreakerApi>("05.2", checkCircuitBreaker);
