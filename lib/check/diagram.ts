/**
 * The picture of a linearizability violation: a Mermaid gantt chart with one section per client
 * and one bar per operation, from its invocation to its completion, so overlapping (concurrent)
 * operations are visible at a glance. The longest linearizable prefix is numbered in its order
 * (grey), the operation that cannot be placed is red and marked ✗, the others that could have gone
 * next are highlighted; an operation of unknown outcome runs to the right edge. Saved like the
 * graders' failure diagrams, under `build/failures/`.
 */
import { writeDiagram } from "../render/index";
import { formatMs } from "../sim/index";
import { mermaidLabel } from "../trace/index";
import type { CheckedOperation, LinearizabilityResult, Violation } from "./check";

/** How many operations the diagram shows at most: the blocked one, the candidates, the concurrent ones, then the end of the prefix. */
export const DIAGRAM_OPERATIONS_MAX = 30;

/** Marks the operation that cannot be placed. */
export const BLOCKED_MARK = "✗";

/** Folder of failure diagrams, from the repository root (the graders' folder). */
export const LINEARIZABILITY_FAILURES_DIR = "build/failures";

/** The operations worth drawing: the evidence first, then the prefix backwards from its end. */
function window(v: Violation, max: number): CheckedOperation[] {
  const chosen = new Set<number>([v.blocked.id]);
  const add = (op: CheckedOperation): void => {
    if (chosen.size < max) chosen.add(op.id);
  };
  v.candidates.forEach(add);
  v.concurrent.forEach(add);
  for (let k = v.prefix.length - 1; k >= 0; k--) add(v.prefix[k]);
  return v.operations.filter((op) => chosen.has(op.id));
}

/**
 * Mermaid text (a gantt chart) of a violation: one section per client, a bar per operation,
 * the prefix numbered, the blocked operation marked ✗ in red. Empty text for a result that is not
 * a violation.
 *
 * @example
 * const result = checkLinearizability(h, casRegisterModel());
 * await showMermaid(linearizabilityDiagram(result), { file: "diagrams/05-linearizability/stale-read.mmd" });
 */
export function linearizabilityDiagram(result: LinearizabilityResult, maxOperations = DIAGRAM_OPERATIONS_MAX): string {
  const v = result.violation;
  if (v === undefined) return "";
  const shown = window(v, Math.max(1, maxOperations));
  const order = new Map(v.prefix.map((op, k) => [op.id, k + 1]));
  const candidates = new Set(v.candidates.map((op) => op.id));

  // Bars need whole numbers: round outwards, and give an instant at least one unit.
  const finite = shown.flatMap((op) => (op.completeMs === undefined ? [op.invokeMs] : [op.invokeMs, op.completeMs]));
  const startMs = Math.floor(Math.min(...finite));
  const lastMs = Math.ceil(Math.max(...finite));
  const openEndMs = lastMs + Math.max(1, Math.ceil((lastMs - startMs) / 10));

  const where = v.key === undefined ? "" : ` on ${JSON.stringify(v.key)}`;
  const lines = [
    "gantt",
    `  title ${mermaidLabel(`Not linearizable${where}: ${BLOCKED_MARK} #${v.blocked.id} cannot be placed after the numbered prefix (${v.prefix.length} of ${v.operations.length} ops)`)}`,
    "  dateFormat x",
    "  axisFormat %Q",
    "  todayMarker off",
  ];
  const processes: string[] = [];
  for (const op of shown) if (!processes.includes(op.process)) processes.push(op.process);
  for (const process of processes) {
    lines.push(`  section ${mermaidLabel(/^\d+$/.test(process) ? `process ${process}` : process)}`);
    for (const op of shown.filter((o) => o.process === process)) {
      const unknown = op.completeMs === undefined ? " (outcome unknown)" : "";
      const when = op.completeMs === undefined ? `${formatMs(op.invokeMs)}–?` : `${formatMs(op.invokeMs)}–${formatMs(op.completeMs)}`;
      let label: string;
      let tags: string;
      if (op.id === v.blocked.id) {
        label = `${BLOCKED_MARK} #${op.id} ${op.text} cannot be placed, ${when}`;
        tags = "crit, ";
      } else if (order.has(op.id)) {
        label = `${order.get(op.id)}. #${op.id} ${op.text}${unknown}, ${when}`;
        tags = "done, ";
      } else if (candidates.has(op.id)) {
        label = `#${op.id} ${op.text}${unknown} does not fit next, ${when}`;
        tags = "active, ";
      } else {
        label = `#${op.id} ${op.text}${unknown}, ${when}`;
        tags = "";
      }
      const from = Math.floor(op.invokeMs);
      const to = op.completeMs === undefined ? openEndMs : Math.max(from + 1, Math.ceil(op.completeMs));
      lines.push(`  ${mermaidLabel(label)} :${tags}op${op.id}, ${from}, ${to}`);
    }
  }
  return lines.join("\n") + "\n";
}

/**
 * The diagram's path from the repository root: `build/failures/<name>.mmd`, the name made safe
 * for a file name.
 *
 * @example
 * linearizabilityDiagramPath("05.2 kv, seed 7"); // "build/failures/05.2-kv-seed-7.mmd"
 */
export function linearizabilityDiagramPath(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "") || "linearizability";
  return `${LINEARIZABILITY_FAILURES_DIR}/${safe}.mmd`;
}

/**
 * Write the violation's diagram to `build/failures/<name>.mmd` and return that path (from the
 * repository root). Render it with `npm run diagrams -- build/failures`. Throws when the result
 * is not a violation.
 *
 * @example
 * writeLinearizabilityDiagram(result, "05.2-kv-seed-7"); // "build/failures/05.2-kv-seed-7.mmd"
 */
export function writeLinearizabilityDiagram(result: LinearizabilityResult, name: string): string {
  if (result.violation === undefined) throw new Error(`writeLinearizabilityDiagram: the result is ${result.verdict}, not a violation: there is nothing to draw`);
  const file = linearizabilityDiagramPath(name);
  writeDiagram(file, linearizabilityDiagram(result));
  return file;
}
