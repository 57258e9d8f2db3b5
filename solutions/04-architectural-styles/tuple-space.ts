/**
 * Reference solution of exercise 04.1 — tuple space (see exercises/04-architectural-styles/tuple-space.ts).
 *
 * The space is a list of tuples; the blocked requests wait in a FIFO list. A pattern matches a
 * tuple of the same length whose every non-null field equals the tuple's field (compared as JSON).
 * A new tuple is offered to the waiting requests in arrival order: each matching rd gets a copy,
 * and the first matching in takes it (Gelernter 1985, "Generative communication in Linda").
 */
import type { Message, Node } from "../../lib/node";

type Field = string | number | boolean | null;

/** True if `pattern` matches `tuple`: same length, every non-null field equal. */
function matches(pattern: readonly Field[], tuple: readonly Field[]): boolean {
  return pattern.length === tuple.length && pattern.every((p, i) => p === null || JSON.stringify(p) === JSON.stringify(tuple[i]));
}

/**
 * A tuple-space server: out, rd and in, with blocked rd/in served when a matching tuple arrives.
 *
 * @example
 * sim.spawn("space", (node) => tupleSpace(node));
 */
export function tupleSpace(node: Node): void {
  const space: Field[][] = [];
  const waiting: Message[] = [];

  const answer = (request: Message, tuple: Field[]): void => {
    node.reply(request, { type: request.body.type === "in" ? "in_ok" : "rd_ok", tuple });
  };

  node.on("out", (request) => {
    const tuple = request.body.tuple as Field[];
    node.reply(request, { type: "out_ok" });
    for (let i = 0; i < waiting.length; i++) {
      const w = waiting[i];
      if (!matches(w.body.pattern, tuple)) continue;
      waiting.splice(i--, 1);
      answer(w, tuple);
      if (w.body.type === "in") return; // taken: the tuple never enters the space
    }
    space.push(tuple);
  });

  const lookup = (request: Message): void => {
    const i = space.findIndex((t) => matches(request.body.pattern, t));
    if (i < 0) {
      waiting.push(request);
      return;
    }
    const tuple = space[i];
    if (request.body.type === "in") space.splice(i, 1);
    answer(request, tuple);
  };
  node.on("rd", lookup);
  node.on("in", lookup);
}
