/**
 * The error a circuit breaker throws while it is open (exercise 05.2): the call failed fast, and no
 * request was sent. Not an exercise: the stub and the reference both import it from here (the file
 * is the same in exercises/ and solutions/), and the grader recognises it by its name,
 * `"CircuitOpenError"`.
 *
 * @example
 * throw new CircuitOpenError(`circuit to "inventory" is open: failing fast`);
 */
export class CircuitOpenError extends Error {
  constructor(message = "the circuit is open: failing fast without sending") {
    super(message);
    this.name = "CircuitOpenError";
  }
}
