// Small histories written by hand, one operation per line, for the checker's scenario tests:
//   ok("c1", "write", 1, undefined, 0, 10)  — c1 wrote 1 between t=0 and t=10, and saw it complete
//   timedOut("c1", "write", 1, 0)           — c1 invoked write(1) at t=0 and never learned the outcome (info)
//   failed("c1", "cas", [1, 2], 0, 10)      — it certainly did not happen
// plus where the recorded fixtures live (../shared/fixtures/histories beside the clone).
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { History, Operation } from "../../lib/history";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const FIXTURES = path.resolve(ROOT, "../shared/fixtures/histories");

type Spec = Omit<Operation, "id">;

export function ok(process: string, f: string, input: unknown, output: unknown, invokeMs: number, completeMs: number): Spec {
  return { process, f, input, invokeMs, completion: "ok", completeMs, output };
}

export function timedOut(process: string, f: string, input: unknown, invokeMs: number): Spec {
  return { process, f, input, invokeMs, completion: "info" };
}

export function failed(process: string, f: string, input: unknown, invokeMs: number, completeMs: number): Spec {
  return { process, f, input, invokeMs, completion: "fail", completeMs };
}

/** The operations in invocation order, numbered #0, #1, … in that order. */
export function history(...specs: Spec[]): History {
  const sorted = specs.map((s, i) => ({ s, i })).sort((a, b) => a.s.invokeMs - b.s.invokeMs || a.i - b.i);
  return { operations: sorted.map(({ s }, id) => ({ id, ...s })) };
}
