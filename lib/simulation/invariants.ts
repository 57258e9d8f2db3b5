// Invariants: properties that must hold in every state of a run ("at most one leader per term"),
// checked after every event. They are kept apart from the systems they check, as TigerBeetle and
// 6.5840's harness keep their checkers apart: a system never calls its own invariants.
import { SimulationError } from "../sim/errors";
import { failureDiagram, wrapText } from "../trace/failure-diagram";
import type { TraceEvent } from "../trace/events";

/**
 * An invariant's check: `true` or nothing when it holds; `false`, or a string saying what is wrong,
 * when it is violated (a throw counts as a violation too).
 */
export type InvariantCheck = () => boolean | string | void;

/** What the violation's diagram is drawn from. */
export interface InvariantContext {
  events(): readonly TraceEvent[];
  nodeOrder(): readonly string[];
  now(): number;
  seed: number;
}

/**
 * The first violation of an invariant: its name, what was wrong, the virtual time and the seed,
 * and `diagram`, a Mermaid sequence diagram of the messages before it (show it with
 * `await showMermaid(err.diagram)`, or save it with `{ file: "build/failures/….mmd" }`).
 *
 * @example
 * try { await sim.runFor(5000); } catch (e) { if (e instanceof InvariantViolation) await showMermaid(e.diagram); }
 */
export class InvariantViolation extends SimulationError {
  constructor(
    /** The invariant's name. */
    readonly invariant: string,
    /** What was wrong (the check's words, or "the check returned false"). */
    readonly problem: string,
    /** Mermaid text of the last messages before the violation, with the finding as a note. */
    readonly diagram: string,
    context: { timeMs: number; seed: number },
  ) {
    super(`invariant "${invariant}" violated: ${problem}`, context);
    this.name = "InvariantViolation";
  }
}

/**
 * The invariants of one simulation. `check()` runs them all (after every event) and returns the
 * first violation, if any.
 *
 * @example
 * const invariants = new Invariants(context);
 * invariants.add("at most one leader", () => leaders().length <= 1);
 * invariants.check(); // undefined, or an InvariantViolation
 */
export class Invariants {
  private readonly list: Array<{ name: string; check: InvariantCheck }> = [];

  constructor(private readonly context: InvariantContext) {}

  /** How many are registered. @example invariants.size */
  get size(): number {
    return this.list.length;
  }

  /**
   * Register an invariant; returns a function that removes it.
   *
   * @example
   * const remove = invariants.add("x ≥ 0", () => x >= 0 || `x is ${x}`);
   */
  add(name: string, check: InvariantCheck): () => void {
    if (typeof name !== "string" || name === "") throw new SimulationError(`invariant: the name must be a non-empty string, got ${JSON.stringify(name)}`, { timeMs: this.context.now(), seed: this.context.seed });
    if (typeof check !== "function") throw new SimulationError(`invariant "${name}": the check must be a function () => boolean | string`, { timeMs: this.context.now(), seed: this.context.seed });
    if (this.list.some((i) => i.name === name)) throw new SimulationError(`invariant "${name}" is already registered`, { timeMs: this.context.now(), seed: this.context.seed });
    const entry = { name, check };
    this.list.push(entry);
    return () => {
      const i = this.list.indexOf(entry);
      if (i >= 0) this.list.splice(i, 1);
    };
  }

  /**
   * Run every check; the first violation, or undefined when all hold.
   *
   * @example
   * const violation = invariants.check();
   */
  check(): InvariantViolation | undefined {
    for (const { name, check } of this.list) {
      let problem: string | undefined;
      try {
        const verdict = check();
        if (verdict === false) problem = "the check returned false";
        else if (typeof verdict === "string") problem = verdict;
      } catch (err) {
        problem = `the check threw: ${err instanceof Error ? err.message : String(err)}`;
      }
      if (problem !== undefined) return this.violation(name, problem);
    }
    return undefined;
  }

  private violation(name: string, problem: string): InvariantViolation {
    const { context } = this;
    const timeMs = context.now();
    const diagram = failureDiagram({
      events: context.events(),
      nodeOrder: context.nodeOrder(),
      atMs: timeMs,
      title: `invariant "${name}" violated, seed ${context.seed}`,
      findingLines: wrapText(`invariant "${name}" violated at t=${timeMs}ms: ${problem}`),
    });
    return new InvariantViolation(name, problem, diagram, { timeMs, seed: context.seed });
  }
}
