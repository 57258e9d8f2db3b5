/**
 * Reference solution of exercise 10.1 — storage nodes of a consistent-hashing DHT that hand off
 * exactly the keys whose owner changed (Karger et al., STOC 1997; Chord, SIGCOMM 2001, §6.1).
 * The wire and the rules are in exercises/10-peer-to-peer/ring-storage.ts.
 */
import { ringOwnerOf } from "../../lib/dht/index";
import type { Body, Message, Node } from "../../lib/node";

/** A storage node, as the grader inspects it. */
export interface RingStorage {
  /** This node's store now: key → value (every key it holds, owned or not yet handed off). */
  stored(): Record<string, string>;
}

/** Options of {@link ringStorageNode}. */
export interface RingStorageOptions {
  /** Points per node on the ring (give it to ringOwnerOf). */
  virtualNodes: number;
  /** The ring's members now (this node included). */
  ring: string[];
}

/** One attempt of a forwarded request or a hand-off waits this long for its answer. */
const ATTEMPT_MS = 60;
/** Attempts after the first: 0.1^31 — a message lost 31 times in a row does not happen. */
const RETRIES = 30;

/**
 * Run one storage node of a consistent-hashing DHT on `node`.
 *
 * @example
 * sim.spawn("s1", (node) => {
 *   const storage = ringStorageNode(node, { virtualNodes: 16, ring: ["s1", "s2", "s3"] });
 *   node.setTimer(500, () => node.log(JSON.stringify(storage.stored())));
 * });
 */
export function ringStorageNode(node: Node, options: RingStorageOptions): RingStorage {
  const { virtualNodes } = options;
  if (!Number.isInteger(virtualNodes) || virtualNodes < 1) throw new Error(`${node.id} at t=${node.now()}ms: virtualNodes must be an integer ≥ 1, got ${virtualNodes}`);
  let ring = [...options.ring];
  let ringKey = [...ring].sort().join(",");
  const store = new Map<string, string>();
  const owner = (key: string): string => ringOwnerOf(key, ring, virtualNodes);

  /** Serve a client request here if this node owns the key, else forward it to the owner. */
  const serve = async (request: Message, local: () => Body): Promise<void> => {
    const to = owner(String(request.body.key));
    if (to === node.id) {
      node.reply(request, local());
      return;
    }
    const { type, key, value } = request.body;
    const answer = await node.rpc(to, value === undefined ? { type, key } : { type, key, value }, { timeoutMs: ATTEMPT_MS, retries: RETRIES });
    const { msg_id: _id, in_reply_to: _to, ...rest } = answer.body;
    node.reply(request, rest);
  };

  node.on("put", (m) =>
    serve(m, () => {
      store.set(String(m.body.key), String(m.body.value));
      return { type: "put_ok", key: m.body.key };
    }),
  );
  node.on("get", (m) => serve(m, () => ({ type: "get_ok", key: m.body.key, value: store.get(String(m.body.key)) ?? null })));

  /** Send `keys` to their new owner until it acknowledges; delete each only then. */
  const handOff = async (to: string, keys: string[]): Promise<void> => {
    const entries = keys.map((k) => [k, store.get(k)!]);
    const ack = await node.rpc(to, { type: "handoff", entries }, { timeoutMs: ATTEMPT_MS, retries: RETRIES });
    for (const k of ack.body.keys as string[]) store.delete(k);
  };

  node.on("ring_change", (m) => {
    const next = (m.body.ring as string[]).map(String);
    const nextKey = [...next].sort().join(",");
    node.reply(m, { type: "ring_change_ok" });
    if (nextKey === ringKey) return; // a copy of a change already made
    ring = next;
    ringKey = nextKey;
    const byOwner = new Map<string, string[]>();
    for (const key of store.keys()) {
      const to = owner(key);
      if (to !== node.id) byOwner.set(to, [...(byOwner.get(to) ?? []), key]);
    }
    for (const [to, keys] of byOwner) void handOff(to, keys);
  });

  node.on("handoff", (m) => {
    const entries = m.body.entries as Array<[string, string]>;
    for (const [key, value] of entries) store.set(key, value);
    node.reply(m, { type: "handoff_ok", keys: entries.map(([key]) => key) });
  });

  return { stored: () => Object.fromEntries(store) };
}
