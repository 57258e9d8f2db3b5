// Option checks shared by the channel modules: each error names the node, the virtual time and
// what was wrong, like the simulator's own errors.
import { SimulationError } from "../sim/errors";
import type { Node } from "../node/node";

/**
 * An error about a channel on `node`, with the node and its virtual time appended.
 *
 * @example
 * throw channelError(node, "openPerfectLink: retransmitMs must be > 0, got 0");
 */
export function channelError(node: Node, text: string): SimulationError {
  return new SimulationError(text, { node: node.id, timeMs: node.now() });
}

/**
 * Throw unless `value` is a finite number > 0 (a period or a delay).
 *
 * @example
 * checkPositive(node, "openStubbornLink", "retransmitMs", options.retransmitMs);
 */
export function checkPositive(node: Node, where: string, name: string, value: unknown): void {
  if (typeof value !== "number" || !Number.isFinite(value) || !(value > 0)) {
    throw channelError(node, `${where}: ${name} must be a finite number > 0, got ${JSON.stringify(value)}`);
  }
}

/**
 * Throw unless `deliver` is a function.
 *
 * @example
 * checkDeliver(node, "openFairLossLink", options.deliver);
 */
export function checkDeliver(node: Node, where: string, deliver: unknown): void {
  if (typeof deliver !== "function") throw channelError(node, `${where}: options.deliver must be a function (src, payload) => void, got ${typeof deliver}`);
}

/**
 * Throw unless `tag` is a non-empty string (it names the link's message types).
 *
 * @example
 * checkTag(node, "openPerfectLink", "pl");
 */
export function checkTag(node: Node, where: string, tag: unknown): void {
  if (typeof tag !== "string" || tag === "") throw channelError(node, `${where}: tag must be a non-empty string, got ${JSON.stringify(tag)}`);
}

/**
 * Throw unless `dest` is a string naming a node.
 *
 * @example
 * checkDest(node, "perfect link send", "b");
 */
export function checkDest(node: Node, where: string, dest: unknown): void {
  if (typeof dest !== "string" || dest === "") throw channelError(node, `${where}: dest must be a node id, got ${JSON.stringify(dest)}`);
}

/**
 * Throw unless no handler is registered yet for any of `types` (two links with one tag on a node
 * would steal each other's messages).
 *
 * @example
 * checkFree(node, "openPerfectLink", ["pl_data", "pl_ack"]);
 */
export function checkFree(node: Node, where: string, types: readonly string[]): void {
  const taken = types.filter((t) => node.handledTypes().includes(t));
  if (taken.length > 0) {
    throw channelError(node, `${where}: this node already handles ${taken.map((t) => `"${t}"`).join(", ")} (another link with the same tag?); give this one another tag`);
  }
}
