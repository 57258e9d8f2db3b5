/**
 * Exercise 03.3 — reliable broadcast (15 points). Graded by `npm test` (test/03-interaction-patterns.test.ts),
 * or alone with `npm run grade -- 03.3`.
 *
 * Best-effort broadcast — the sender sends its message to every member — breaks when the sender
 * crashes halfway through its loop of sends: some members got the message, the others never will.
 * Reliable broadcast repairs that (Cachin, Guerraoui & Rodrigues, *Introduction to Reliable and
 * Secure Distributed Programming*, §3.3, "eager reliable broadcast"): every member that receives
 * a message for the first time delivers it and **relays** it to every other member, so if any
 * correct member has it, all of them get it.
 *
 * `reliableBroadcast(node, group, deliver)` runs once on every member; `group` lists all members,
 * this node included. `broadcast(payload)` sends `payload` to the group; `deliver(origin, payload)`
 * is how you hand a message to the application (call it yourself, exactly once per message).
 *
 * Wire format (the grader's own members send and expect exactly this):
 *   `{ type: "rb", origin: "n2", seq: 7, payload: … }`
 * `origin` is the node that broadcast it, `seq` a number the origin chose (a counter: unique per
 * origin, but other origins use the same numbers). A message is identified by (origin, seq) —
 * not by its payload (one origin may broadcast the same payload twice: two messages) and not by
 * seq alone. A relay copies origin, seq and payload unchanged.
 *
 * Model: crash-stop nodes; links lose nothing, duplicate nothing and may reorder (latency
 * 5–15 ms). A *correct* node is one that never crashes in the run. The grader checks:
 * - validity: a message broadcast by a correct node is delivered by every correct member — the
 *   origin included (it delivers its own message when it broadcasts; no need to send to itself);
 * - agreement: a message that one correct member delivers, every correct member delivers — even
 *   when its origin crashed after sending it to just one member;
 * - no duplication, no creation: each member delivers a message at most once, and only messages
 *   that were broadcast;
 * - economy: a node sends a given message to a given member at most once (links are reliable,
 *   so one relay per message is enough; relaying every copy you receive floods the network), and
 *   sends only to members of `group` (other nodes are spawned first, so never use `node.peers()`).
 * Deliver-then-relay or relay-then-deliver: both are accepted. A node that crashes between the two
 * is not correct, and regular reliable broadcast promises nothing about what it delivered (the
 * stronger *uniform* variant does, and needs acknowledgements before delivering).
 *
 * The grader crashes a node right after its k-th `node.send` (so in the middle of a broadcast or
 * a relay). It runs your nodes as a whole group of 4–6 (3–6 broadcasts), and your node among the
 * grader's members, some of which relay and some of which do not (they only deliver what reaches
 * them directly): when the grader's origin sends only to you and crashes, your relay alone
 * carries its message to the others. Names drawn per run, 27 runs for each of 5 seeds per setting,
 * 500 ms past the last broadcast. Use `node.rng` / `node.now()` if you need them, never
 * `Math.random` or `Date.now`.
 */
import type { Node } from "../../lib/node";
import { NotImplementedError } from "../not-implemented";

/** What a member can do: broadcast a payload to the whole group. */
export interface ReliableBroadcast {
  broadcast(payload: unknown): void;
}

/**
 * Join `group` as a reliable-broadcast member: relay every new message once, deliver it once.
 *
 * @example
 * const group = ["n1", "n2", "n3", "n4"];
 * const rb = new Map<string, ReliableBroadcast>();
 * for (const id of group) sim.spawn(id, (node) => void rb.set(id, reliableBroadcast(node, group, (origin, payload) => node.log(`${origin}: ${payload}`))));
 * sim.at(10, () => rb.get("n1")!.broadcast("hello"));
 */
export function reliableBroadcast(node: Node, group: readonly string[], deliver: (origin: string, payload: unknown) => void): ReliableBroadcast {
  // Your code here (03.3)
  throw new NotImplementedError("03.3 reliable-broadcast", "exercises/03-interaction-patterns/reliable-broadcast.ts");
}
