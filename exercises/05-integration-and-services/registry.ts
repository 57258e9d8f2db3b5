/**
 * Exercise 05.1 — service registry (15 points). Graded by `npm test` (test/05-integration-and-services.test.ts),
 * or alone with `npm run grade -- 05.1`.
 *
 * Service discovery with leases: instances of a service register with the registry and keep
 * renewing their lease with heartbeats; clients ask the registry which instances of a service are
 * alive. An instance that stops heartbeating (it crashed) is dropped when its lease runs out, so
 * clients stop being sent to it. Write `serviceRegistry(node, { leaseMs })`, the registry.
 *
 * Messages (the grader's instances and clients send and expect exactly these):
 * - instance → registry `{ type: "register", service: "orders", instance: "n3:8123" }` and
 *   `{ type: "heartbeat", service: "orders", instance: "n3:8123" }`. Both do the same thing:
 *   they (re)start the lease of that instance of that service at the moment the message reaches
 *   you. A heartbeat for an instance you do not know registers it (its register may have been
 *   lost). Answer every copy with `node.reply(message, { type: "ok" })`.
 *   The `instance` is an address chosen by the instance: it is not the sender's node id.
 * - client → registry `{ type: "lookup", service: "orders" }` → answer with
 *   `node.reply(lookup, { type: "lookup_ok", instances: [...] })`: the instances of that service
 *   whose lease is running, as strings, sorted (`.sort()`), each once; `[]` for an unknown service.
 *
 * The lease rule the grader checks on every lookup_ok, at the virtual time T you send it, where
 * `last` is when the last register or heartbeat of that (service, instance) reached you:
 * - T − last < leaseMs → the instance must be in the answer (it is alive: never drop it early);
 * - T − last > leaseMs + 50 ms → it must not be (its lease ran out; the 50 ms of slack let you
 *   purge with a periodic sweep, at least every 50 ms, instead of filtering on each lookup);
 * - an instance that registered and never sent a heartbeat gets one lease from its register.
 * The lease runs from the **last** renewal, not from the registration; it counts time, not
 * lookups.
 *
 * The grader runs 27 trials for each of 5 seeds: leaseMs drawn per trial (300–800 ms), 2 services,
 * 4–6 instances that start at random times in the first 300 ms (some heartbeat every leaseMs/3;
 * some do too, but a slow network delays each heartbeat by up to 0.4 × leaseMs, so they arrive up to
 * about 0.75 × leaseMs apart; some crash; some crash and register again after a restart; some
 * register and never heartbeat), 2 clients that look up every 10–80 ms with `msg_id`s they choose
 * (the two clients use the same numbers), other nodes spawned first (`node.peers()` is no list of
 * anything); 5% loss, 5% duplication, unordered links, latency 5–15 ms, 3 s per trial. Use
 * `node.now()` for time, never `Date.now` (the grader fails it: it breaks replay by seed).
 */
import type { Node } from "../../lib/node";
import { NotImplementedError } from "../not-implemented";

/**
 * The registry: keep a lease per (service, instance), renewed by register and heartbeat, and
 * answer lookups with the instances whose lease is running.
 *
 * @example
 * sim.spawn("registry", (node) => serviceRegistry(node, { leaseMs: 500 }));
 */
export function serviceRegistry(node: Node, options: { leaseMs: number }): void {
  // Your code here (05.1)
  throw new NotImplementedError("05.1 service-registry", "exercises/05-integration-and-services/registry.ts");
}
