// Perfect (reliable) point-to-point links: retransmit until acknowledged, acknowledge every copy,
// deliver each message once. Cachin, Guerraoui & Rodrigues (2nd ed.), §2.4.4, Module 2.3; the book
// builds it on a stubborn link (Algorithm 2.2 "Eliminate Duplicates"); here the sender stops once
// an acknowledgement arrives, as TCP does, which the book discusses as the practical variant.
import type { Node } from "../node/node";
import { channelError, checkDeliver, checkDest, checkFree, checkPositive, checkTag } from "./errors";

/** Options of {@link openPerfectLink}. */
export interface PerfectLinkOptions<P = unknown> {
  /** Called exactly once per message (`pl-deliver`), whatever the network does to its copies. */
  deliver: (src: string, payload: P) => void;
  /**
   * Resend a message not acknowledged after this long. Choose it above the round trip (twice the
   * largest one-way latency), or copies are sent while an acknowledgement is still on its way.
   * Default 50 ms.
   */
  retransmitMs?: number;
  /** Prefix of the wire types: `${tag}_data` and `${tag}_ack`. Default `"pl"`. */
  tag?: string;
  /**
   * Keep what must survive a crash in `node.storage`: the (sender, id) pairs already delivered (so
   * a receiver that crashes and restarts does not deliver a retransmitted message twice) and the
   * sender's epoch (so ids stay unique across the sender's restarts). Default false: both live in
   * memory, correct only while no node restarts.
   */
  durable?: boolean;
}

/** What a perfect link has done so far (counted at this node, this incarnation). */
export interface PerfectLinkCounters {
  /** Distinct messages given to `send`. */
  messages: number;
  /** `${tag}_data` messages sent: first sends plus retransmissions. */
  dataSent: number;
  /** `${tag}_ack` messages sent (one per data copy received, duplicates included). */
  acksSent: number;
  /** Messages handed to `deliver` (each once). */
  delivered: number;
  /** Data copies received for a message already delivered (dropped, but acknowledged again). */
  duplicates: number;
}

/** A perfect link endpoint on one node. */
export interface PerfectLink<P = unknown> {
  /** `pl-send`: deliver `payload` to `dest` exactly once (if both stay up). Returns the message id. */
  send(dest: string, payload: P): number | string;
  /** Messages sent by this node that no acknowledgement has confirmed yet. */
  readonly pending: number;
  /** Stop retransmitting and forget the pending messages (lets a run with a crashed peer end). */
  stop(): void;
  /** Counters, updated in place. */
  readonly counters: PerfectLinkCounters;
  /** The prefix of its wire types. */
  readonly tag: string;
}

/** The wire format. `id` is unique per sender (a number, or `"epoch.seq"` when durable). */
type PlData<P> = { type: string; id: number | string; payload: P };
type PlAck = { type: string; id: number | string };

/** Half a microsecond, the simulator's time resolution: closer due times count as reached. */
const DUE_SLACK_MS = 0.0005;

/** A message waiting for its acknowledgement. */
interface Outgoing<P> {
  dest: string;
  payload: P;
  /** When it is due for retransmission. */
  dueMs: number;
}

/**
 * Open a perfect link on `node`. A `send` gives the message an id unique to this sender and
 * transmits `{ type: "pl_data", id, payload }`; it is sent again every `retransmitMs` until a
 * `{ type: "pl_ack", id }` comes back. The receiver acknowledges every copy it gets (an
 * acknowledgement may be lost too) and delivers a message only the first time it sees its
 * (sender, id). Properties (Module 2.3), for a sender and a receiver that do not crash:
 *
 * - **PL1 Reliable delivery**: a message sent is eventually delivered — it is retransmitted until
 *   acknowledged, and each copy has a chance of getting through (fair loss).
 * - **PL2 No duplication**: no message is delivered more than once — the (sender, id) set.
 * - **PL3 No creation**: only sent messages are delivered — inherited from the network.
 *
 * With `durable: true` the delivered set and the sender's epoch live in `node.storage`, so PL2
 * also holds across a receiver's crash and restart, and a restarted sender never reuses an id (ids
 * are `"epoch.seq"`). Messages still pending when their sender crashes are not resent by the next
 * incarnation: a crashed sender is not correct, and PL1 only promises delivery for correct ones.
 * The delivered set grows by one entry per message (the book's algorithm keeps it forever too).
 *
 * A link whose peer crashed for good retransmits forever; bound the run (`sim.runFor`,
 * `sim.runUntil(() => link.pending === 0)`) or call `stop()`.
 *
 * @example
 * const sim = new Simulation({ seed: 3, network: { lossProbability: 0.3, duplicationProbability: 0.1, ordering: "unordered" } });
 * const got: number[] = [];
 * sim.spawn("b", (node) => openPerfectLink<number>(node, { deliver: (src, n) => got.push(n) }));
 * const a = sim.spawn("a");
 * const link = openPerfectLink<number>(a, { deliver: () => {} });
 * for (let n = 0; n < 20; n++) link.send("b", n);
 * await sim.runUntil(() => link.pending === 0);
 * got.length; // 20: every message once, in some order
 */
export function openPerfectLink<P = unknown>(node: Node, options: PerfectLinkOptions<P>): PerfectLink<P> {
  const where = "openPerfectLink";
  checkDeliver(node, where, options?.deliver);
  const retransmitMs = options.retransmitMs ?? 50;
  checkPositive(node, where, "retransmitMs", retransmitMs);
  const tag = options.tag ?? "pl";
  checkTag(node, where, tag);
  const durable = options.durable ?? false;
  if (typeof durable !== "boolean") throw channelError(node, `${where}: durable must be true or false, got ${JSON.stringify(durable)}`);
  const deliver = options.deliver;
  const dataType = `${tag}_data`;
  const ackType = `${tag}_ack`;
  checkFree(node, where, [dataType, ackType]);
  const counters: PerfectLinkCounters = { messages: 0, dataSent: 0, acksSent: 0, delivered: 0, duplicates: 0 };

  // ---- state ----------------------------------------------------------------------------------
  const deliveredKeyPrefix = `${tag}:delivered:`;
  /** Delivered message ids per sender. */
  const delivered = new Map<string, Set<number | string>>();
  let epoch: number | undefined;
  if (durable) {
    for (const key of node.storage.keys()) {
      if (!key.startsWith(deliveredKeyPrefix)) continue;
      const [src, id] = JSON.parse(key.slice(deliveredKeyPrefix.length)) as [string, number | string];
      deliveredFrom(src).add(id);
    }
    epoch = (node.storage.get<number>(`${tag}:epoch`) ?? 0) + 1;
    node.storage.set(`${tag}:epoch`, epoch);
    syncIfBuffered();
  }
  let seq = 0;
  /** Unacknowledged messages by id, in order of due time (a resent one moves to the end). */
  const outgoing = new Map<number | string, Outgoing<P>>();
  let timer: number | undefined;

  /** On a buffered disk (`spawn(…, { disk: "buffered" })`) a write needs a sync to survive a crash. */
  function syncIfBuffered(): void {
    if (node.storage.mode === "buffered") node.storage.sync();
  }

  function deliveredFrom(src: string): Set<number | string> {
    let ids = delivered.get(src);
    if (ids === undefined) delivered.set(src, (ids = new Set()));
    return ids;
  }

  // ---- sending --------------------------------------------------------------------------------
  function transmit(id: number | string, dest: string, payload: P): void {
    counters.dataSent++;
    node.send(dest, { type: dataType, id, payload } satisfies PlData<P>);
  }

  /** Arm the retransmission timer for the earliest due message, if any and not armed. */
  function arm(): void {
    if (timer !== undefined || outgoing.size === 0) return;
    const first = outgoing.values().next().value as Outgoing<P>;
    timer = node.setTimer(Math.max(0, first.dueMs - node.now()), retransmitDue, `${tag} retransmit`);
  }

  function retransmitDue(): void {
    timer = undefined;
    const now = node.now();
    const due: Array<[number | string, Outgoing<P>]> = [];
    for (const entry of outgoing) {
      // Timers fire on whole microseconds: a due time a rounding error ahead is due now.
      if (entry[1].dueMs - now > DUE_SLACK_MS) break;
      due.push(entry);
    }
    for (const [id, out] of due) {
      outgoing.delete(id); // re-inserted at the end: due times stay sorted
      out.dueMs = now + retransmitMs;
      outgoing.set(id, out);
      transmit(id, out.dest, out.payload);
    }
    arm();
  }

  node.on(ackType, (message) => {
    const { id } = message.body as PlAck;
    const out = outgoing.get(id);
    if (out !== undefined && out.dest === message.src) outgoing.delete(id);
    // An ack for a message no longer pending (a duplicate, or one for a former epoch) changes nothing.
  });

  // ---- receiving ------------------------------------------------------------------------------
  node.on(dataType, (message) => {
    const { id, payload } = message.body as PlData<P>;
    const ids = deliveredFrom(message.src);
    if (ids.has(id)) {
      counters.duplicates++;
    } else {
      ids.add(id);
      if (durable) {
        node.storage.set(deliveredKeyPrefix + JSON.stringify([message.src, id]), true);
        syncIfBuffered(); // on disk before the ack goes out: write-ahead
      }
      counters.delivered++;
      deliver(message.src, payload);
    }
    counters.acksSent++;
    node.reply(message, { type: ackType, id } satisfies PlAck);
  });

  return {
    tag,
    counters,
    get pending(): number {
      return outgoing.size;
    },
    send(dest: string, payload: P): number | string {
      checkDest(node, `perfect link "${tag}" send`, dest);
      seq++;
      const id = epoch === undefined ? seq : `${epoch}.${seq}`;
      if (!node.isAlive()) return id;
      counters.messages++;
      outgoing.set(id, { dest, payload, dueMs: node.now() + retransmitMs });
      transmit(id, dest, payload);
      arm();
      return id;
    },
    stop(): void {
      if (timer !== undefined) node.cancelTimer(timer);
      timer = undefined;
      outgoing.clear();
    },
  };
}
