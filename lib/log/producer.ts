// A producer of the log (Kafka's producer, simplified: one record per request). It picks a
// partition by key hash, retries on timeouts and on "not the leader", and — when idempotent — sends a
// producerId and a per-partition sequence number so that the broker answers a retried record with
// the offset it already has instead of appending it again (Kafka's idempotent producer, KIP-98).
// Records of one partition go out one at a time, in order, so sequence numbers never skip.
import type { Node } from "../node/index";
import { makePartitioner, type LogPartitioner } from "./partitioner";
import { LOG_ERRORS, type LogErrorBody, type MetadataOk, type ProduceOk, type ProduceRequest } from "./wire";

/** Options of {@link logProducer}. Times are virtual ms. */
export interface LogProducerOptions {
  /** The broker(s) to try, in order (the producer moves on when one is down or does not lead). */
  broker: string | string[];
  topic: string;
  /** Send producerId + seq so the broker drops retried duplicates. Default false. */
  idempotent?: boolean;
  /** Extra attempts after a timeout or a retriable error. Default 5. */
  retries?: number;
  /** How long one attempt waits for its reply. Default 100 (an `acks: "all"` reply takes about two round trips). */
  timeoutMs?: number;
  /** Default "key-hash". */
  partitioner?: LogPartitioner;
  /** Partitions of the topic; default: asked of the broker (metadata). */
  partitions?: number;
  /** Default "all". */
  acks?: "all" | 1;
}

/** Where a record was written. */
export interface ProducedRecord {
  partition: number;
  offset: number;
  /** True if the broker recognised a retry (idempotent producer). */
  duplicate: boolean;
  /** Attempts it took. */
  attempts: number;
}

/** A producer. */
export interface LogProducer {
  /** Append one record; rejects after every attempt failed. */
  send(key: string, value: unknown, options?: { partition?: number }): Promise<ProducedRecord>;
  /** This producer's id (idempotent producers only). */
  readonly producerId: string | undefined;
  /** Records acknowledged so far. */
  acknowledged(): number;
}

/**
 * A producer on `node`. Without `idempotent`, a retry after a lost reply appends the record again
 * (at least once); with it, the broker keeps the last sequence numbers of this producer per
 * partition and answers a retry with the first offset (exactly once in the log). A producer that
 * gives up on a record takes a new producerId (Kafka bumps the producer epoch), since the broker may
 * or may not have that record.
 *
 * @example
 * sim.spawn("p", async (node) => {
 *   const producer = logProducer(node, { broker: ["b1", "b2"], topic: "orders", idempotent: true, retries: 5, timeoutMs: 40 });
 *   const { partition, offset } = await producer.send("user-7", { amount: 5 });
 * });
 */
export function logProducer(node: Node, options: LogProducerOptions): LogProducer {
  const brokers = Array.isArray(options.broker) ? [...options.broker] : [options.broker];
  const where = () => `(producer ${node.id}, t=${node.now()}ms)`;
  if (brokers.length === 0 || brokers.some((b) => typeof b !== "string")) throw new Error(`logProducer ${where()}: broker must be a node id or a list of them, got ${JSON.stringify(options.broker)}`);
  if (typeof options.topic !== "string") throw new Error(`logProducer ${where()}: topic must be a string, got ${JSON.stringify(options.topic)}`);
  const retries = options.retries ?? 5;
  const timeoutMs = options.timeoutMs ?? 100;
  const acks = options.acks ?? "all";
  let current = 0;
  let acknowledged = 0;
  let producerId: string | undefined;
  const newProducerId = () => {
    const key = `logProducer/epoch/${options.topic}`;
    const epoch = (node.storage.get<number>(key) ?? 0) + 1;
    node.storage.set(key, epoch); // a restarted producer never reuses an id (its sequence numbers start again)
    producerId = `${node.id}.${epoch}`;
    nextSeq.clear();
  };
  const nextSeq = new Map<number, number>();
  if (options.idempotent) newProducerId();
  const queues = new Map<number, Promise<unknown>>();
  let pick: ((key: string) => number) | undefined;
  let partitions: Promise<number> | undefined;

  async function partitionCount(): Promise<number> {
    if (options.partitions !== undefined) return options.partitions;
    partitions ??= (async () => {
      for (let attempt = 0; attempt <= retries; attempt++) {
        try {
          const { body } = await node.rpc(brokers[current], { type: "metadata", topic: options.topic }, { timeoutMs });
          if (body.type === "metadata_ok") return (body as unknown as MetadataOk).topics[0].partitions;
          throw new Error(`logProducer ${where()}: ${(body as unknown as LogErrorBody).text}`);
        } catch (e) {
          if (!(e instanceof Error && e.name === "RpcTimeoutError")) throw e;
          current = (current + 1) % brokers.length;
        }
      }
      throw new Error(`logProducer ${where()}: no broker of ${JSON.stringify(brokers)} answered metadata for topic "${options.topic}"`);
    })();
    return partitions;
  }

  async function sendOne(partition: number, key: string, value: unknown): Promise<ProducedRecord> {
    const id = producerId;
    let seq: number | undefined;
    if (id !== undefined) {
      seq = nextSeq.get(partition) ?? 0;
      nextSeq.set(partition, seq + 1);
    }
    const body: ProduceRequest = { type: "produce", topic: options.topic, partition, key, value, acks, ...(id !== undefined ? { producerId: id, seq } : {}) };
    let last = "";
    for (let attempt = 1; attempt <= retries + 1; attempt++) {
      try {
        const { body: reply } = await node.rpc(brokers[current], body, { timeoutMs });
        if (reply.type === "produce_ok") {
          acknowledged++;
          const ok = reply as unknown as ProduceOk;
          return { partition: ok.partition, offset: ok.offset, duplicate: ok.duplicate === true, attempts: attempt };
        }
        const err = reply as unknown as LogErrorBody;
        last = err.text;
        if (err.code === LOG_ERRORS.notLeader) {
          const i = err.leader === undefined ? -1 : brokers.indexOf(err.leader);
          current = i >= 0 ? i : (current + 1) % brokers.length;
        } else if (err.code === LOG_ERRORS.temporarilyUnavailable) {
          current = (current + 1) % brokers.length;
          await node.sleep(timeoutMs);
        } else {
          throw new Error(`logProducer ${where()}: ${err.text}`);
        }
      } catch (e) {
        if (!(e instanceof Error && e.name === "RpcTimeoutError")) throw e;
        last = `no reply from ${brokers[current]} within ${timeoutMs} ms`;
        current = (current + 1) % brokers.length;
      }
    }
    if (id !== undefined && producerId === id) newProducerId();
    throw new Error(`logProducer ${where()}: gave up on record "${key}" for ${options.topic}-${partition} after ${retries + 1} attempt(s): ${last}`);
  }

  return {
    get producerId() {
      return producerId;
    },
    acknowledged: () => acknowledged,
    async send(key, value, sendOptions = {}) {
      if (typeof key !== "string") throw new Error(`logProducer ${where()}: key must be a string, got ${typeof key}`);
      const n = await partitionCount();
      pick ??= makePartitioner(options.partitioner ?? "key-hash", n);
      const partition = sendOptions.partition ?? pick(key);
      if (!(Number.isInteger(partition) && partition >= 0 && partition < n)) throw new Error(`logProducer ${where()}: partition ${partition} is not in 0..${n - 1} of topic "${options.topic}"`);
      const before = queues.get(partition) ?? Promise.resolve();
      const mine = before.then(() => sendOne(partition, key, value));
      queues.set(partition, mine.catch(() => undefined));
      return mine;
    },
  };
}
