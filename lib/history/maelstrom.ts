// Maelstrom's error replies and what each means for a history: a definite error means the
// operation certainly did not happen (`fail`); an indefinite one means it may have (`info`).
// Source: Maelstrom's protocol documentation, "Errors" (doc/protocol.md).
import type { Completion } from "./history";

/** One of Maelstrom's error codes: its name and whether it is definite. */
export interface MaelstromError {
  code: number;
  name: string;
  /** True when the operation certainly did not take effect. */
  definite: boolean;
}

/**
 * Maelstrom's standard error codes. A reply `{ type: "error", code, text }` with a definite code
 * ends the operation `fail`; with an indefinite code (0 timeout, 13 crash) or a code not listed
 * here, `info` — an unknown error might hide an effect, so it is never taken as "did not happen".
 *
 * @example
 * MAELSTROM_ERRORS[22]; // { code: 22, name: "precondition-failed", definite: true }
 */
export const MAELSTROM_ERRORS: Readonly<Record<number, MaelstromError>> = Object.freeze(
  Object.fromEntries(
    (
      [
        [0, "timeout", false],
        [1, "node-not-found", true],
        [10, "not-supported", true],
        [11, "temporarily-unavailable", true],
        [12, "malformed-request", true],
        [13, "crash", false],
        [14, "abort", true],
        [20, "key-does-not-exist", true],
        [21, "key-already-exists", true],
        [22, "precondition-failed", true],
        [30, "txn-conflict", true],
      ] as Array<[number, string, boolean]>
    ).map(([code, name, definite]) => [code, Object.freeze({ code, name, definite })]),
  ),
);

/**
 * The completion an error reply gives an operation: `fail` for a definite Maelstrom code,
 * `info` for an indefinite or unknown one.
 *
 * @example
 * completionOfError(22); // "fail" (precondition-failed: the cas did not happen)
 * completionOfError(13); // "info" (crash: it may have happened)
 * completionOfError(1234); // "info" (unknown code: maybe)
 */
export function completionOfError(code: unknown): Extract<Completion, "fail" | "info"> {
  const known = typeof code === "number" ? MAELSTROM_ERRORS[code] : undefined;
  return known?.definite ? "fail" : "info";
}

/**
 * An error reply body, as a server sends it.
 *
 * @example
 * node.reply(req, errorBody(20, "key x does not exist"));
 * // { type: "error", code: 20, text: "key x does not exist" }
 */
export function errorBody(code: number, text: string): { type: "error"; code: number; text: string } {
  return { type: "error", code, text };
}
