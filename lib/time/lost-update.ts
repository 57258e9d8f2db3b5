// The lost update: two clients increment one register by read-modify-write, both read the same
// value, and one increment overwrites the other. A lock (the central mutex) or a compare-and-set
// fixes it. Lecture 003 (concurrency); Gray & Reuter, "Transaction Processing" (1993), §7.1, the
// lost-update anomaly; Herlihy, "Wait-Free Synchronization", TOPLAS 13(1), 1991, for compare-and-set.
import { Simulation } from "../simulation/simulation";
import { latency as latencies, type Latency } from "../net/latency";
import { ConfigError } from "../sim/errors";
import type { Message } from "../node/message";
import type { Node } from "../node/node";
import { openCentralMutex } from "./mutex-central";

/** How the clients update the register. */
export type LostUpdateVariant = "read-modify-write" | "lock" | "compare-and-set";

const VARIANTS: readonly LostUpdateVariant[] = ["read-modify-write", "lock", "compare-and-set"];

/** Options of {@link lostUpdate}. */
export interface LostUpdateOptions {
  /**
   * `"read-modify-write"`: read, then write value + 1 (loses updates); `"lock"`: the same inside
   * the central mutex (coordinator node `lock`); `"compare-and-set"`: read, then
   * `cas(expected, expected + 1)`, and on failure retry from the value the register returns.
   */
  variant: LostUpdateVariant;
  /** Clients c1…ck updating the register at the same time. Default 2. */
  clients?: number;
  /** Increments each client makes, one after another. Default 1. */
  incrementsPerClient?: number;
  /** Seed of the run. Default 1. */
  seed?: number;
  /** One-way latency. Default `latency.constant(5)` (the clients' reads meet at the register together). */
  latency?: Latency;
}

/** What {@link lostUpdate} found. */
export interface LostUpdateResult {
  variant: LostUpdateVariant;
  /** clients × incrementsPerClient: the value if no update is lost. */
  expected: number;
  /** The register's value when every client has finished. */
  finalValue: number;
  /** `expected − finalValue`. */
  lostUpdates: number;
  /** Failed compare-and-sets that were retried (0 for the other variants). */
  casRetries: number;
  /** Messages sent (register and lock traffic). */
  messages: number;
  /** Virtual time until the last client finished. */
  durationMs: number;
  /** The run, for its trace (`sequenceDiagram(result.simulation.trace)`). */
  simulation: Simulation;
}

/**
 * Run k clients that each add 1 to a register server `incrementsPerClient` times, and return the
 * final value against the expected one. The register answers `read` (`read_ok { value }`),
 * `write { value }` and `cas { expected, value }` (`cas_ok { ok, value }`: set only if the
 * register still holds `expected`; the current value either way).
 *
 * With plain read-modify-write both clients read 0 and both write 1: **one update is lost**
 * (final 1, expected 2). Holding the central mutex around read and write serialises them (3
 * extra messages per increment); compare-and-set lets the second write fail and retry, with no
 * lock and no lock server to crash.
 *
 * @example
 * (await lostUpdate({ variant: "read-modify-write" })).finalValue; // 1 (expected 2)
 * (await lostUpdate({ variant: "lock" })).finalValue;              // 2
 * (await lostUpdate({ variant: "compare-and-set" })).casRetries;   // 1
 */
export async function lostUpdate(options: LostUpdateOptions): Promise<LostUpdateResult> {
  const variant = options?.variant;
  if (!VARIANTS.includes(variant)) throw new ConfigError("lostUpdate: variant", variant, `one of ${VARIANTS.join(", ")}`);
  const clients = options.clients ?? 2;
  if (!Number.isInteger(clients) || clients < 1) throw new ConfigError("lostUpdate: clients", clients, "a whole number ≥ 1");
  const increments = options.incrementsPerClient ?? 1;
  if (!Number.isInteger(increments) || increments < 1) throw new ConfigError("lostUpdate: incrementsPerClient", increments, "a whole number ≥ 1");
  const sim = new Simulation({ seed: options.seed ?? 1, network: { latency: options.latency ?? latencies.constant(5) } });

  let value = 0;
  sim.spawn(
    "register",
    (node) => {
      node.on("read", (m: Message) => node.reply(m, { type: "read_ok", value }));
      node.on("write", (m: Message) => {
        value = m.body.value as number;
        node.reply(m, { type: "write_ok" });
      });
      node.on("cas", (m: Message) => {
        const ok = value === m.body.expected;
        if (ok) value = m.body.value as number;
        node.reply(m, { type: "cas_ok", ok, value });
      });
    },
    { role: "register" },
  );
  if (variant === "lock") sim.spawn("lock", (node) => void openCentralMutex(node, { coordinator: "lock" }), { role: "lock" });

  const ids = Array.from({ length: clients }, (_, i) => `c${i + 1}`);
  let finished = 0;
  let casRetries = 0;
  const read = async (node: Node): Promise<number> => (await node.rpc("register", { type: "read" })).body.value as number;
  sim.spawnMany(
    ids,
    async (node) => {
      const mutex = variant === "lock" ? openCentralMutex(node, { coordinator: "lock" }) : undefined;
      await node.sleep(0); // the register and the lock are spawned
      for (let k = 0; k < increments; k++) {
        if (variant === "compare-and-set") {
          let current = await read(node);
          for (;;) {
            const reply = await node.rpc("register", { type: "cas", expected: current, value: current + 1 });
            if (reply.body.ok) break;
            casRetries++;
            current = reply.body.value as number;
          }
        } else {
          if (mutex) await mutex.request();
          const current = await read(node);
          await node.rpc("register", { type: "write", value: current + 1 });
          mutex?.release();
        }
      }
      finished++;
    },
    { role: "client" },
  );
  await sim.runUntil(() => finished === clients, { withinMs: 600_000, description: `all ${clients} clients finished (${variant})` });
  const durationMs = sim.now();
  await sim.run(); // the last lock release
  const expected = clients * increments;
  return { variant, expected, finalValue: value, lostUpdates: expected - value, casRetries, messages: sim.counters.sent, durationMs, simulation: sim };
}

/**
 * Run {@link lostUpdate} for every variant with the same options: the notebook's table of final
 * value against expected.
 *
 * @example
 * (await compareLostUpdate()).map((r) => `${r.variant}: ${r.finalValue}/${r.expected}`);
 * // ["read-modify-write: 1/2", "lock: 2/2", "compare-and-set: 2/2"]
 */
export async function compareLostUpdate(options: Omit<LostUpdateOptions, "variant"> = {}): Promise<LostUpdateResult[]> {
  const results: LostUpdateResult[] = [];
  for (const variant of VARIANTS) results.push(await lostUpdate({ ...options, variant }));
  return results;
}
