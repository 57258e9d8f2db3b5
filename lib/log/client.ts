// How a client of the broker (consumer, tests) sends one request: to the broker it believes leads,
// moving on to the next broker of its list on a timeout or a "not the leader" answer.
import type { Node } from "../node/index";
import { LOG_ERRORS, type BrokerReply, type LogErrorBody } from "./wire";

/** A client's view of a broker cluster. */
export interface BrokerClient {
  /** The reply to `body`, or undefined when no broker answered usefully within `rounds` passes over the list. */
  call(body: { type: string; [field: string]: unknown }): Promise<BrokerReply | undefined>;
  /** The broker tried first now. */
  current(): string;
}

/**
 * A client that follows the leader among `brokers`.
 *
 * @example
 * const client = brokerClient(node, ["b1", "b2"], { timeoutMs: 50 });
 * const reply = await client.call({ type: "fetch_committed", group: "g", topic: "t", partition: 0 });
 */
export function brokerClient(node: Node, brokers: readonly string[], options: { timeoutMs: number; rounds?: number }): BrokerClient {
  let current = 0;
  const rounds = options.rounds ?? 2;
  return {
    current: () => brokers[current],
    async call(body) {
      for (let attempt = 0; attempt < rounds * brokers.length; attempt++) {
        try {
          const { body: reply } = await node.rpc(brokers[current], body, { timeoutMs: options.timeoutMs });
          if (reply.type === "error") {
            const err = reply as unknown as LogErrorBody;
            if (err.code === LOG_ERRORS.notLeader) {
              const i = err.leader === undefined ? -1 : brokers.indexOf(err.leader);
              current = i >= 0 ? i : (current + 1) % brokers.length;
              continue;
            }
            if (err.code === LOG_ERRORS.temporarilyUnavailable) {
              current = (current + 1) % brokers.length;
              await node.sleep(options.timeoutMs);
              continue;
            }
          }
          return reply as unknown as BrokerReply;
        } catch (e) {
          if (!(e instanceof Error && e.name === "RpcTimeoutError")) throw e;
          current = (current + 1) % brokers.length;
        }
      }
      return undefined;
    },
  };
}
