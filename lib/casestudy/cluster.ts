// The whole chat service in one simulation: every role of the capstone's design, built from the
// course's parts, with handles for the acceptance scenarios.
//   auth      token authority (lib/security): clients log in, get an HS256 token for audience "chat"
//   reg       service registry (lib/services): front-ends register under "chat" with a lease
//   gw        chat gateway (gateway.ts): load balancer over the registry's live front-ends, minus
//             the ones its heartbeat failure detector suspects
//   f1..fK    stateless front-ends (frontend.ts + post.ts), each joined to the gateway
//   b1..bB    log brokers (lib/log), replicated, acks=all, topic "rooms", room → partition by key
//   h1..hS    history store (lib/replication quorum replicas; N=3, R=2, W=2)
//   m1        history materializer (materializer.ts): folds the log, the store's single writer
//   c1..cN    clients (client.ts), recorded in one HistoryRecorder
import type { Simulation } from "../simulation/index";
import { logBroker, type LogBrokerHandle } from "../log/index";
import { HistoryRecorder } from "../history/index";
import { quorumReplica, compareVersions, type QuorumEntry, type QuorumReplica } from "../replication/index";
import { registryServer } from "../services/index";
import { hs256Key, keySet, secretFromLabel, tokenAuthority, userRecord, type SigningKey, type UserRecord } from "../security/index";
import { chatClient, type ChatClient } from "./client";
import { chatFrontEnd, type ChatFrontEnd } from "./frontend";
import { chatGateway, joinChatGateway, type ChatGateway } from "./gateway";
import { historyMaterializer, type HistoryMaterializer } from "./materializer";
import { answerAppendedOffset, handlePost, type PostHandler } from "./post";
import type { AckedPost, ChatMessage, RoomHistories } from "./rooms";
import { decodeHistory } from "./store";

/**
 * The designs of the notebook's story: `"first"` — the materializer keeps every record and a post
 * is answered with the offset it was appended at; `"dedup-only"` — the materializer drops a
 * retried id, the answer is still the appended offset; `"fixed"` — dedup, and a post is answered
 * with the seq the history holds for its id (`handlePost`).
 *
 * @example
 * const design: ChatDesign = "fixed";
 */
export type ChatDesign = "first" | "dedup-only" | "fixed";

/** Options of {@link spawnChat}. Times are virtual ms. */
export interface ChatClusterOptions {
  /** Default "fixed". */
  design?: ChatDesign;
  /** The front-ends' post path; default: the design's. */
  handlePost?: PostHandler;
  /** Front-ends f1..fK. Default 3. */
  frontEnds?: number;
  /** Log brokers b1..bB. Default 3. */
  brokers?: number;
  /** Store replicas h1..hS. Default 3. */
  stores?: number;
  /** Clients c1..cN. Default 6. */
  clients?: number;
  /** Default ["r1", "r2", "r3", "r4"]. */
  rooms?: readonly string[];
  /** Partitions of topic "rooms". Default 3. */
  partitions?: number;
  /** Posts per client. Default 10. */
  postsPerClient?: number;
  /** A read after every this-many posts (0: never). Default 0. */
  readEvery?: number;
  /** Think time between a client's operations. Default [5, 40]. */
  thinkMs?: readonly [number, number];
  /** When clients start (after the gateway has found the front-ends). Default 250. */
  clientStartMs?: number;
  /** A front-end's service time per `post`/`read` (the simulator's service queue, one at a time). Default 0. */
  serviceMs?: number;
  /** Session token lifetime. Default 60 000. */
  tokenTtlMs?: number;
  /** Client attempt timeout. Default 400. */
  requestTimeoutMs?: number;
  /** How long the gateway waits for a front-end. Default 300. */
  gatewayTimeoutMs?: number;
}

/** The running cluster: node ids, the shared records, and views for checks. */
export interface ChatCluster {
  readonly sim: Simulation;
  readonly design: ChatDesign;
  readonly frontEnds: readonly string[];
  readonly brokers: readonly string[];
  readonly stores: readonly string[];
  readonly clients: readonly string[];
  readonly rooms: readonly string[];
  readonly partitions: number;
  /** The token signing key (shared by auth and the front-ends). */
  readonly key: SigningKey;
  /** Every client operation. */
  readonly recorder: HistoryRecorder;
  /** Every post a client saw acknowledged, with the seq it was told. */
  readonly acked: AckedPost[];
  /** Sentences about misbehaving parts (a post handler that threw), each naming node and time. */
  readonly problems: string[];
  /** Clients that finished all their operations. */
  clientsDone(): number;
  client(id: string): ChatClient | undefined;
  /** The current incarnations' handles (undefined while down). */
  gateway(): ChatGateway | undefined;
  frontEnd(id: string): ChatFrontEnd | undefined;
  materializer(): HistoryMaterializer | undefined;
  broker(id: string): LogBrokerHandle | undefined;
  /** What a quorum read would return for every room: the newest version among the up replicas. */
  storedHistories(): RoomHistories;
  /** The message ids of every record any broker's log holds, committed or not. */
  loggedIds(): Set<string>;
  /** The log end (high watermark) of each partition at the leader. */
  logEnds(): number[];
  /**
   * Every client finished, and the materializer has folded everything the log committed and
   * written it to the store: the moment to check histories.
   */
  settled(): boolean;
}

const userCache = new Map<string, UserRecord>();
function chatUser(user: string): UserRecord {
  let record = userCache.get(user);
  if (record === undefined) userCache.set(user, (record = userRecord(user, `pw-${user}`, ["member"])));
  return record;
}
const ids = (prefix: string, n: number): string[] => Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);

/**
 * Spawn the chat service's roles on `sim` (see the file header) and its clients, which start at
 * `clientStartMs`. Run it with `sim.runFor`, `runPhases`, or the acceptance scenarios.
 *
 * @example
 * const sim = new Simulation({ seed: 1, network: { latency: latency.uniform(1, 5) } });
 * const chat = spawnChat(sim, { design: "fixed", clients: 4, postsPerClient: 5 });
 * await sim.runUntil(() => chat.settled(), { withinMs: 5000 });
 * checkRoomHistories(chat.storedHistories(), chat.acked); // []
 */
export function spawnChat(sim: Simulation, options: ChatClusterOptions = {}): ChatCluster {
  const design = options.design ?? "fixed";
  if (design !== "first" && design !== "dedup-only" && design !== "fixed") throw new Error(`spawnChat at t=${sim.now()}ms: design must be "first", "dedup-only" or "fixed", got ${JSON.stringify(design)}`);
  const count = (name: string, value: number | undefined, fallback: number, min = 1): number => {
    const n = value ?? fallback;
    if (!Number.isInteger(n) || n < min) throw new Error(`spawnChat at t=${sim.now()}ms: ${name} must be a whole number ≥ ${min}, got ${String(value)}`);
    return n;
  };
  const frontEnds = ids("f", count("frontEnds", options.frontEnds, 3));
  const brokers = ids("b", count("brokers", options.brokers, 3));
  const stores = ids("h", count("stores", options.stores, 3));
  const clients = ids("c", count("clients", options.clients, 6, 0));
  const partitions = count("partitions", options.partitions, 3);
  const postsPerClient = count("postsPerClient", options.postsPerClient, 10, 0);
  const rooms = [...(options.rooms ?? ["r1", "r2", "r3", "r4"])];
  if (rooms.length === 0) throw new Error(`spawnChat at t=${sim.now()}ms: rooms must not be empty`);
  const handler = options.handlePost ?? (design === "fixed" ? handlePost : answerAppendedOffset);
  const key = hs256Key("k1", secretFromLabel("chat"));
  const keys = keySet([key]);
  const users: Record<string, UserRecord> = {};
  for (const c of clients) users[`user-${c}`] = chatUser(`user-${c}`);
  const store = { replicas: stores };

  const recorder = new HistoryRecorder();
  const acked: AckedPost[] = [];
  const problems: string[] = [];
  let gateway: ChatGateway | undefined;
  let materializer: HistoryMaterializer | undefined;
  const frontEndHandles = new Map<string, ChatFrontEnd>();
  const brokerHandles = new Map<string, LogBrokerHandle>();
  const replicaHandles = new Map<string, QuorumReplica>();
  const clientHandles = new Map<string, ChatClient>();
  let done = 0;

  sim.spawn("auth", (node) => void tokenAuthority(node, { key, audience: "chat", users, tokenTtlMs: options.tokenTtlMs ?? 60_000 }), { role: "auth" });
  sim.spawn("reg", (node) => void registryServer(node, { leaseMs: 300 }), { role: "registry" });
  sim.spawn("gw", (node) => void (gateway = chatGateway(node, { registry: "reg", service: "chat", requestTimeoutMs: options.gatewayTimeoutMs ?? 300 })), { role: "gateway" });
  for (const b of brokers) sim.spawn(b, (node) => void brokerHandles.set(b, logBroker(node, { topics: [{ name: "rooms", partitions }], replicas: brokers })), { role: "broker" });
  for (const h of stores) sim.spawn(h, (node) => void replicaHandles.set(h, quorumReplica(node)), { role: "store" });
  sim.spawn("m1", (node) => void (materializer = historyMaterializer(node, { brokers, partitions, dedupById: design !== "first", store })), { role: "materializer" });
  const serviceMs = options.serviceMs ?? 0;
  const service = serviceMs > 0 ? { service: { timeMs: (m: { body: { type: string } }) => (m.body.type === "post" || m.body.type === "read" ? serviceMs : 0) } } : {};
  for (const f of frontEnds) {
    sim.spawn(
      f,
      (node) => {
        frontEndHandles.set(f, chatFrontEnd(node, { brokers, keys, store, handlePost: handler, onProblem: (text) => void problems.push(text) }));
        joinChatGateway(node, { registry: "reg", service: "chat", gateways: ["gw"] });
      },
      { role: "front-end", ...service },
    );
  }
  for (const c of clients) {
    sim.spawn(
      c,
      (node) => {
        node.setTimer(options.clientStartMs ?? 250, () => {
          const user = `user-${c}`;
          clientHandles.set(c, chatClient(node, {
            gateway: "gw", authority: "auth", user, password: `pw-${user}`, rooms, posts: postsPerClient,
            readEvery: options.readEvery ?? 0, thinkMs: options.thinkMs, requestTimeoutMs: options.requestTimeoutMs, recorder, acked,
            onDone: () => void done++,
          }));
        }, "client start");
      },
      { role: "client" },
    );
  }

  const up = (id: string): boolean => sim.isUp(id);
  const leader = (): LogBrokerHandle | undefined => {
    for (const b of brokers) {
      const h = brokerHandles.get(b);
      if (up(b) && h?.isLeader()) return h;
    }
    return undefined;
  };
  const cluster: ChatCluster = {
    sim, design, frontEnds, brokers, stores, clients, rooms, partitions, key, recorder, acked, problems,
    clientsDone: () => done,
    client: (id) => clientHandles.get(id),
    gateway: () => (up("gw") ? gateway : undefined),
    frontEnd: (id) => (up(id) ? frontEndHandles.get(id) : undefined),
    materializer: () => (up("m1") ? materializer : undefined),
    broker: (id) => (up(id) ? brokerHandles.get(id) : undefined),
    storedHistories() {
      const newest = new Map<string, QuorumEntry>();
      for (const h of stores) {
        const replica = replicaHandles.get(h);
        if (!up(h) || replica === undefined) continue;
        for (const k of replica.keys()) {
          if (!k.startsWith("room/")) continue;
          const entry = replica.read(k)!;
          if (compareVersions(entry.version, newest.get(k)?.version) > 0) newest.set(k, entry);
        }
      }
      const result: Record<string, ChatMessage[]> = {};
      for (const [k, entry] of newest) result[k.slice("room/".length)] = decodeHistory(entry.value);
      return result;
    },
    loggedIds() {
      const found = new Set<string>();
      for (const b of brokers) {
        const h = brokerHandles.get(b);
        if (h === undefined) continue;
        for (let p = 0; p < partitions; p++) {
          const log = h.log("rooms", p);
          for (const r of log.read(log.logStartOffset, Number.MAX_SAFE_INTEGER, log.logEndOffset)) found.add((r.value as { id: string }).id);
        }
      }
      return found;
    },
    logEnds() {
      const h = leader();
      return Array.from({ length: partitions }, (_, p) => (h === undefined ? 0 : h.log("rooms", p).highWatermark));
    },
    settled() {
      if (cluster.clientsDone() < clients.length) return false;
      const m = cluster.materializer();
      if (m === undefined || m.pending().length > 0 || leader() === undefined) return false;
      return cluster.logEnds().every((end, p) => end === 0 || m.caughtUp(p, end - 1));
    },
  };
  return cluster;
}
