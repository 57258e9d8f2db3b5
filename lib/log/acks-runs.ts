// acks=1 against acks=all when the leader crashes (Kafka's producer `acks` setting): with acks=1 the
// leader answers as soon as the record is in its own log, so a record the followers have not yet
// fetched is lost with the leader although the producer was told it was written; with acks=all the
// leader answers only once every in-sync replica has it (the high watermark passed it), so the
// follower that takes over has every acknowledged record.
import { latency } from "../net/index";
import { Simulation } from "../simulation/index";
import { hashEvents } from "../trace/index";
import { logBroker, type LogBrokerHandle } from "./broker";
import { logProducer } from "./producer";

/** Options of {@link runLeaderCrash}. Times are virtual ms. */
export interface LeaderCrashOptions {
  seed: number;
  acks: "all" | 1;
  /** Records produced (spread over 3 partitions, one in flight per partition). Default 30. */
  records?: number;
  /** When the leader crashes. Default 100. */
  crashAtMs?: number;
  /** How often followers fetch (slower followers lose more with acks=1). Default 20. */
  replicaFetchMs?: number;
  /** Stop after this much virtual time. Default 1000. */
  runMs?: number;
}

/** What survived the leader crash. */
export interface LeaderCrashRun {
  acks: "all" | 1;
  /** Records the producer saw acknowledged. */
  acknowledged: number;
  /** Acknowledged records missing from the new leader's log: lost although acknowledged. */
  lostAcknowledged: number;
  /** Their keys. */
  lostKeys: string[];
  newLeader: string | undefined;
  /** One line per acknowledgement and the crash. */
  traceLines: string[];
  traceHash: string;
  simulation: Simulation;
}

/**
 * Three brokers (b1 leads; b2, b3 follow), a producer with the given `acks`, and b1 crashes while
 * records are flowing; b2 takes over. Counts the acknowledged records the new leader lacks.
 *
 * @example
 * (await runLeaderCrash({ seed: 1, acks: 1 })).lostAcknowledged;     // > 0 on most seeds
 * (await runLeaderCrash({ seed: 1, acks: "all" })).lostAcknowledged; // 0
 */
export async function runLeaderCrash(options: LeaderCrashOptions): Promise<LeaderCrashRun> {
  const records = options.records ?? 30;
  const crashAtMs = options.crashAtMs ?? 100;
  const partitions = 3;
  const sim = new Simulation({ seed: options.seed, network: { latency: latency.uniform(5, 15) } });
  const topic = "orders";
  const ids = ["b1", "b2", "b3"];
  const brokers = new Map<string, LogBrokerHandle>();
  for (const id of ids) {
    sim.spawn(id, (node) => {
      brokers.set(id, logBroker(node, { topics: [{ name: topic, partitions }], replicas: ids, replicaFetchMs: options.replicaFetchMs ?? 20 }));
    });
  }
  const lines: string[] = [];
  const acked: string[] = [];
  sim.spawn("producer", (node) => {
    // idempotence needs acks=all (as in Kafka): with acks=1 a lost record would leave a gap in the sequence
    const producer = logProducer(node, { broker: ids, topic, acks: options.acks, idempotent: options.acks === "all", retries: 10, timeoutMs: 100, partitions, partitioner: "round-robin" });
    for (let i = 0; i < records; i++) {
      const key = `r${i}`;
      producer.send(key, i).then(
        (r) => {
          acked.push(key);
          lines.push(`t=${node.now()} ${key} acknowledged: partition ${r.partition}, offset ${r.offset}`);
        },
        (e) => lines.push(`t=${node.now()} ${key} failed: ${String(e)}`),
      );
    }
  });
  sim.at(crashAtMs, () => {
    lines.push(`t=${crashAtMs} leader b1 crashes`);
    sim.crash("b1");
  }, "crash the leader");
  await sim.runFor(options.runMs ?? 1000);

  const survivor = brokers.get("b2")!;
  const leader = survivor.leader();
  const holder = leader !== undefined && leader !== "b1" ? brokers.get(leader)! : survivor;
  const present = new Set<string>();
  for (let p = 0; p < partitions; p++) {
    const log = holder.log(topic, p);
    for (const r of log.read(log.logStartOffset, Number.MAX_SAFE_INTEGER, Infinity)) present.add(r.key);
  }
  const lostKeys = acked.filter((k) => !present.has(k));
  return { acks: options.acks, acknowledged: acked.length, lostAcknowledged: lostKeys.length, lostKeys, newLeader: leader, traceLines: lines, traceHash: hashEvents(sim.trace.events), simulation: sim };
}
