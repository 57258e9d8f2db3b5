// Quorum replication in Dynamo's style (DeCandia et al., SOSP 2007, §4.5) on Gifford's weighted
// voting (SOSP 1979): each key lives on N replicas; a read waits for R of them and a write for W.
// When R + W > N every read quorum meets every write quorum, so a read sees the latest completed
// write; when R + W ≤ N it may miss it (a stale read).
//
// A version is a pair { counter, writer } compared by counter, then by writer id: a Lamport
// timestamp (Lamport 1978) that orders every two writes, so replicas keep the larger one —
// last-writer-wins. We do not keep siblings (Dynamo's vector clocks keep concurrent versions and
// let the application merge them); LWW is simpler and it is what Cassandra does, at the price that
// of two writes made on both sides of a partition, one is silently dropped when they meet.
//
// Wire (replica side; the exercise 08.4 uses other names):
//   { type: "quorum_read", key }                  → { type: "quorum_read_ok", key, version, value }
//   { type: "quorum_write", key, version, value } → { type: "quorum_write_ok", key, applied }
//   { type: "quorum_digest", digest }             → { type: "quorum_digest_ok", entries, want }
//   { type: "quorum_sync", entries }              (one-way; anti-entropy's second half)
// `version` is `{ counter, writer }` or null (key never written); `digest` maps key → version;
// `entries` maps key → { version, value }; `want` lists keys the asker holds newer.
//
// The client (`quorumStoreClient`) has two modes:
// - "consistent" (CP): an operation that cannot gather its quorum within timeoutMs rejects, so the
//   minority side of a partition refuses. With readRepair a read writes the newest version back
//   until W replicas hold it before returning (ABD, Attiya, Bar-Noy & Dolev 1995): linearizable.
// - "available" (AP, a sloppy quorum): an operation succeeds if any replica answers; both sides of
//   a partition accept writes and diverge until anti-entropy or read repair reconciles them (LWW).
import type { Node } from "../node/index";
import type { Message } from "../node/index";
import { ConfigError, SimulationError } from "../sim/index";
import { fnv1a32 } from "../partitioning/hash";

/** A write's version: a Lamport timestamp, ordered by `counter`, then `writer`. */
export interface QuorumVersion {
  counter: number;
  writer: string;
}

/** What a replica stores for one key. */
export interface QuorumEntry {
  version: QuorumVersion;
  value: string;
}

/**
 * Compare two versions (null = never written, below every version): negative, 0 or positive.
 *
 * @example
 * compareVersions({ counter: 2, writer: "a" }, { counter: 1, writer: "z" }); // > 0
 * compareVersions(null, { counter: 1, writer: "a" });                        // < 0
 */
export function compareVersions(a: QuorumVersion | null | undefined, b: QuorumVersion | null | undefined): number {
  if (!a || !b) return (a ? 1 : 0) - (b ? 1 : 0);
  if (a.counter !== b.counter) return a.counter - b.counter;
  return a.writer < b.writer ? -1 : a.writer > b.writer ? 1 : 0;
}

/** Options of {@link quorumReplica}. */
export interface QuorumReplicaOptions {
  /** Prefix of this replica's keys in `node.storage`. Default `"quorum/"`. */
  storagePrefix?: string;
}

/** A handle on one replica's store (for runners and tests; the wire is the real interface). */
export interface QuorumReplica {
  /** The stored entry of `key`, or undefined. */
  read(key: string): QuorumEntry | undefined;
  /** Keep `entry` if it is newer than what is stored; true if it was kept. */
  apply(key: string, entry: QuorumEntry): boolean;
  /** Every stored key. */
  keys(): string[];
  /** key → version of every stored key. */
  digest(): Record<string, QuorumVersion>;
}

/**
 * Make `node` a quorum replica: a key–value store of versioned entries, durable in `node.storage`
 * (it survives crash and restart), that keeps the entry with the larger version (last-writer-wins).
 * It answers `quorum_read`, `quorum_write`, and the anti-entropy messages `quorum_digest` and
 * `quorum_sync` (see the file header).
 *
 * @example
 * sim.spawnMany(["r1", "r2", "r3"], (node) => { quorumReplica(node); });
 */
export function quorumReplica(node: Node, options: QuorumReplicaOptions = {}): QuorumReplica {
  const prefix = options.storagePrefix ?? "quorum/";
  if (typeof prefix !== "string") throw new ConfigError("quorumReplica: storagePrefix", prefix, "a string", { node: node.id, timeMs: node.now() });
  const replica: QuorumReplica = {
    read: (key) => node.storage.get<QuorumEntry>(prefix + key),
    apply(key, entry) {
      checkEntry(node, key, entry);
      if (compareVersions(entry.version, replica.read(key)?.version) <= 0) return false;
      node.storage.set(prefix + key, { version: entry.version, value: entry.value });
      return true;
    },
    keys: () =>
      node.storage
        .keys()
        .filter((k) => k.startsWith(prefix))
        .map((k) => k.slice(prefix.length)),
    digest() {
      const digest: Record<string, QuorumVersion> = {};
      for (const key of replica.keys()) digest[key] = replica.read(key)!.version;
      return digest;
    },
  };

  node.on("quorum_read", (m: Message<any>) => {
    const key = checkKey(node, m.body.key, "quorum_read");
    const entry = replica.read(key);
    node.reply(m, { type: "quorum_read_ok", key, version: entry?.version ?? null, value: entry?.value ?? null });
  });
  node.on("quorum_write", (m: Message<any>) => {
    const key = checkKey(node, m.body.key, "quorum_write");
    const applied = replica.apply(key, { version: m.body.version, value: m.body.value });
    node.reply(m, { type: "quorum_write_ok", key, applied });
  });
  // Anti-entropy, push–pull: the asker sends its digest; we answer with our newer entries and the
  // keys it holds newer, which it then pushes with quorum_sync.
  node.on("quorum_digest", (m: Message<any>) => {
    const theirs = (m.body.digest ?? {}) as Record<string, QuorumVersion>;
    const entries: Record<string, QuorumEntry> = {};
    const want: string[] = [];
    for (const key of replica.keys()) {
      if (compareVersions(replica.read(key)!.version, theirs[key]) > 0) entries[key] = replica.read(key)!;
    }
    for (const key of Object.keys(theirs)) {
      if (compareVersions(theirs[key], replica.read(key)?.version) > 0) want.push(key);
    }
    node.reply(m, { type: "quorum_digest_ok", entries, want });
  });
  node.on("quorum_sync", (m: Message<any>) => {
    const entries = (m.body.entries ?? {}) as Record<string, QuorumEntry>;
    for (const key of Object.keys(entries)) replica.apply(key, entries[key]);
  });
  return replica;
}

function checkKey(node: Node, key: unknown, what: string): string {
  if (typeof key !== "string") throw new SimulationError(`${what}: key must be a string, got ${JSON.stringify(key)}`, { node: node.id, timeMs: node.now() });
  return key;
}

function checkEntry(node: Node, key: string, entry: QuorumEntry): void {
  const v = entry?.version;
  if (!v || typeof v.counter !== "number" || typeof v.writer !== "string" || typeof entry.value !== "string") {
    throw new SimulationError(`quorum replica: entry for key "${key}" needs { version: { counter, writer }, value: string }, got ${JSON.stringify(entry)}`, {
      node: node.id,
      timeMs: node.now(),
    });
  }
}

/** Options of {@link quorumStoreClient}. */
export interface QuorumStoreOptions {
  /** Every replica; each key lives on `n` of them (its preference list). */
  replicas: string[];
  /** Replicas per key (N). */
  n: number;
  /** Replies a read waits for (R). */
  r: number;
  /** Acknowledgements a write waits for (W). */
  w: number;
  /** How long each phase waits for replies. */
  timeoutMs: number;
  /** Write the newest version back to replicas that answered a read with an older one. */
  readRepair: boolean;
  /** `"consistent"`: reject without a quorum (CP). `"available"`: succeed if any replica answers (AP). */
  mode: "consistent" | "available";
}

/** A quorum store's client: `get` resolves to the value (null if never written), `put` when written. */
export interface QuorumStoreClient {
  get(key: string): Promise<string | null>;
  put(key: string, value: string): Promise<void>;
  /** Operations rejected so far for want of a quorum. */
  readonly refused: number;
}

/**
 * The reason a quorum operation rejects: too few replicas answered within `timeoutMs`.
 *
 * @example
 * try { await client.put("x", "1"); } catch (e) { if (e instanceof QuorumUnavailableError) e.answered; }
 */
export class QuorumUnavailableError extends SimulationError {
  constructor(
    message: string,
    readonly answered: number,
    readonly needed: number,
    node: string,
    timeMs: number,
  ) {
    super(message, { node, timeMs });
    this.name = "QuorumUnavailableError";
  }
}

/**
 * The `n` replicas of `key`: `n` consecutive replicas of the list, starting at one picked by a
 * hash of the key (when `n` equals the number of replicas, all of them).
 *
 * @example
 * preferenceList("x", ["r1", "r2", "r3"], 3); // all three, in some rotation
 */
export function preferenceList(key: string, replicas: readonly string[], n: number): string[] {
  const start = fnv1a32(key) % replicas.length;
  return Array.from({ length: n }, (_, i) => replicas[(start + i) % replicas.length]);
}

interface Reply {
  from: string;
  body: any;
}

interface Gathered {
  /** Replies in time for the quorum: resolves once `need` have arrived or every request is over. */
  quorum: Promise<Reply[]>;
  /** Every reply: resolves when every request has answered or timed out (late replies included). */
  all: Promise<Reply[]>;
}

/** Send `body` to every target (each request waits at most `timeoutMs`) and collect the replies. */
function gather(node: Node, targets: readonly string[], body: Record<string, unknown>, need: number, timeoutMs: number): Gathered {
  const replies: Reply[] = [];
  let pending = targets.length;
  let quorumDone = false;
  let resolveQuorum!: (replies: Reply[]) => void;
  let resolveAll!: (replies: Reply[]) => void;
  const quorum = new Promise<Reply[]>((resolve) => (resolveQuorum = resolve));
  const all = new Promise<Reply[]>((resolve) => (resolveAll = resolve));
  const settle = (): void => {
    if (!quorumDone && (replies.length >= need || pending === 0)) {
      quorumDone = true;
      resolveQuorum(replies.slice());
    }
    if (pending === 0) resolveAll(replies.slice());
  };
  for (const dest of targets) {
    node.rpc(dest, { ...body, type: body.type as string }, { timeoutMs }).then(
      (m) => {
        pending--;
        replies.push({ from: dest, body: m.body });
        settle();
      },
      () => {
        pending--;
        settle();
      },
    );
  }
  settle();
  return { quorum, all };
}

/**
 * A client of quorum replicas: `get` reads R of a key's N replicas and returns the newest value;
 * `put` reads R versions, then writes the value with version (largest counter seen + 1, its own id)
 * and waits for W acknowledgements. In `"consistent"` mode an operation that cannot gather its
 * quorum rejects with `QuorumUnavailableError` (a put may still have landed on some replicas:
 * its outcome is unknown); in `"available"` mode it succeeds if at least one replica answers.
 * With `readRepair`, a read writes the newest version back to the replicas that answered with an
 * older one (in the background, late answers included); in `"consistent"` mode, if fewer than W
 * replicas are known to hold that version, it first writes it to the others and waits until W do
 * (ABD's second phase), which is what makes reads linearizable. A put's read phase only learns the
 * largest counter; the client also remembers the largest it has seen, so its own writes grow.
 *
 * @example
 * const client = quorumStoreClient(node, { replicas: ["r1", "r2", "r3"], n: 3, r: 2, w: 2, timeoutMs: 100, readRepair: true, mode: "consistent" });
 * await client.put("x", "1");
 * await client.get("x"); // "1"
 */
export function quorumStoreClient(node: Node, options: QuorumStoreOptions): QuorumStoreClient {
  const context = { node: node.id, timeMs: node.now() };
  const { replicas, n, r, w, timeoutMs, readRepair, mode } = options ?? ({} as QuorumStoreOptions);
  if (!Array.isArray(replicas) || replicas.length === 0) throw new ConfigError("quorumStoreClient: replicas", replicas, "a non-empty list of node ids", context);
  if (!Number.isInteger(n) || n < 1 || n > replicas.length) throw new ConfigError("quorumStoreClient: n", n, `a whole number in 1..${replicas.length} (the number of replicas)`, context);
  if (!Number.isInteger(r) || r < 1 || r > n) throw new ConfigError("quorumStoreClient: r", r, `a whole number in 1..n=${n}`, context);
  if (!Number.isInteger(w) || w < 1 || w > n) throw new ConfigError("quorumStoreClient: w", w, `a whole number in 1..n=${n}`, context);
  if (!(typeof timeoutMs === "number" && timeoutMs > 0)) throw new ConfigError("quorumStoreClient: timeoutMs", timeoutMs, "a number > 0", context);
  if (typeof readRepair !== "boolean") throw new ConfigError("quorumStoreClient: readRepair", readRepair, "true or false", context);
  if (mode !== "consistent" && mode !== "available") throw new ConfigError("quorumStoreClient: mode", mode, '"consistent" or "available"', context);

  /** Largest counter this client has seen per key, so its own successive writes always grow. */
  const seen = new Map<string, number>();
  let refused = 0;
  const enough = (got: number, need: number): boolean => (mode === "consistent" ? got >= need : got >= 1);
  const refuse = (what: string, got: number, need: number): never => {
    refused++;
    throw new QuorumUnavailableError(`${what}: ${got} of ${n} replicas answered within ${timeoutMs}ms, need ${mode === "consistent" ? need : 1} (${mode} mode)`, got, need, node.id, node.now());
  };

  async function readPhase(key: string, what: string): Promise<{ replies: Reply[]; newest: QuorumEntry | null; targets: string[]; all: Promise<Reply[]> }> {
    const targets = preferenceList(key, replicas, n);
    const { quorum, all } = gather(node, targets, { type: "quorum_read", key }, r, timeoutMs);
    const replies = await quorum;
    if (!enough(replies.length, r)) refuse(what, replies.length, r);
    let newest: QuorumEntry | null = null;
    for (const { body } of replies) {
      if (body.version && compareVersions(body.version, newest?.version) > 0) newest = { version: body.version, value: body.value };
    }
    if (newest) seen.set(key, Math.max(seen.get(key) ?? 0, newest.version.counter));
    return { replies, newest, targets, all };
  }

  return {
    get refused() {
      return refused;
    },
    async get(key) {
      const { replies, newest, targets, all } = await readPhase(key, `get("${key}")`);
      if (newest === null) return null;
      if (!readRepair) return newest.value;
      const write = { type: "quorum_write", key, version: newest.version, value: newest.value };
      const holds = (x: Reply): boolean => compareVersions(x.body.version, newest.version) >= 0;
      const holders = replies.filter(holds).length;
      if (mode === "consistent" && holders < w) {
        // ABD's write-back: the value we return must be on a write quorum before we return it.
        const answeredNewest = new Set(replies.filter(holds).map((x) => x.from));
        const others = targets.filter((t) => !answeredNewest.has(t));
        const acks = await gather(node, others, write, w - holders, timeoutMs).quorum;
        if (holders + acks.length < w) refuse(`get("${key}") write-back`, holders + acks.length, w);
      } else {
        // Dynamo's read repair, in the background: every replica that answered (even after the
        // quorum was in) with an older version gets the newest one.
        void all.then((every) => {
          for (const x of every) if (!holds(x)) node.rpc(x.from, write, { timeoutMs }).catch(() => {});
        });
      }
      return newest.value;
    },
    async put(key, value) {
      if (typeof value !== "string") throw new SimulationError(`put("${key}"): value must be a string, got ${JSON.stringify(value)}`, { node: node.id, timeMs: node.now() });
      const { targets } = await readPhase(key, `put("${key}") version read`);
      const version: QuorumVersion = { counter: (seen.get(key) ?? 0) + 1, writer: node.id };
      seen.set(key, version.counter);
      const acks = await gather(node, targets, { type: "quorum_write", key, version, value }, w, timeoutMs).quorum;
      if (!enough(acks.length, w)) refuse(`put("${key}")`, acks.length, w);
    },
  };
}
