// Checks that a machine's functions are pure: they get deep-frozen inputs (so a write to the state
// or the message throws), and each call is made twice and must give the same result.
import type { InitContext, Machine, MachineBody, Ready } from "./machine";

/**
 * Freeze a value and everything reachable from it, and return it. In strict code (every ES module
 * and every TypeScript module) a write, push or in-place sort of a frozen object throws.
 *
 * @example
 * const s = deepFreeze({ votes: { p1: "yes" } });
 * s.votes.p1 = "no"; // TypeError: Cannot assign to read only property 'p1'
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[key]);
  }
  return value;
}

/** Thrown when a machine's function is not pure or not well-formed. */
export class MachinePurityError extends Error {
  override name = "MachinePurityError";
}

/**
 * Call `fn(...)` twice on deep-frozen arguments; throw `MachinePurityError` if it writes to them or
 * if the two results differ (hidden state, a clock, global randomness). Returns the first result,
 * deep-frozen.
 *
 * @example
 * const ready = callPure("p1: step(prepare)", () => machine.step(state, message), [state, message]);
 */
export function callPure<R>(what: string, fn: () => R, inputs: readonly unknown[]): R {
  for (const input of inputs) deepFreeze(input);
  const first = attempt(what, fn);
  const second = attempt(what, fn);
  const a = stableJson(first);
  const b = stableJson(second);
  if (a !== b) {
    throw new MachinePurityError(`${what} is not pure: two calls with the same input gave different results:\n  ${a}\n  ${b}`);
  }
  return deepFreeze(first);
}

function attempt<R>(what: string, fn: () => R): R {
  try {
    return fn();
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    if (err instanceof TypeError && /read.only|not extensible|frozen|Cannot (add|delete|assign)/i.test(text)) {
      throw new MachinePurityError(`${what} changed its input (inputs are frozen; return a new state instead): ${text}`);
    }
    throw err;
  }
}

/** JSON text with `undefined` fields dropped, for comparing two results. */
function stableJson(value: unknown): string {
  return JSON.stringify(value) ?? "undefined";
}

/**
 * The machine with every function wrapped by `callPure` (for tests: a hosted machine that breaks the
 * rules then fails loudly).
 *
 * @example
 * sim.spawn("p1", hostMachine(checkedMachine(twoPhaseCommit), { tickMs: 10, config }));
 */
export function checkedMachine<S, M extends MachineBody, P extends object, C>(machine: Machine<S, M, P, C>): Machine<S, M, P, C> {
  const restore = machine.restore;
  const describe = machine.describe;
  return {
    name: machine.name,
    messageTypes: machine.messageTypes,
    init: (ctx: InitContext<C>) => callPure(`${ctx.id}: init`, () => machine.init(ctx), [ctx]),
    restore: restore && ((ctx: InitContext<C>, persisted) => callPure(`${ctx.id}: restore`, () => restore.call(machine, ctx, persisted), [ctx, persisted])),
    step: (state: S, message) => callPure(`step(${message.body.type} from ${message.src})`, () => machine.step(state, message), [state, message]) as Ready<S, M, P>,
    tick: (state: S) => callPure("tick", () => machine.tick(state), [state]) as Ready<S, M, P>,
    describe: describe && ((state: S) => callPure("describe", () => describe.call(machine, state), [state])),
  };
}
