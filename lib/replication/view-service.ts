// The view service of primary–backup replication (lecture 000 "about failover"; the design of
// MIT 6.824's 2014 lab 2 and of DSLabs' lab 2). One node decides which server is primary and which
// is backup, as a numbered *view*; servers ping it periodically and so both acknowledge the view
// they know and prove that they are alive. The service is itself a single point of failure — the
// lesson is the failover rules, not the service's own availability (Paxos/Raft fix that later).
import type { Message, Node } from "../node/index";
import { ConfigError, SimulationError } from "../sim/index";

/** A numbered view: who is primary and who is backup (`null` when there is none). */
export type View = { viewNum: number; primary: string | null; backup: string | null };

/** Options of {@link viewService}. */
export interface ViewServiceOptions {
  /** How often servers are expected to ping; the service checks liveness at this period. Default 100. */
  pingIntervalMs?: number;
  /** A server that has not pinged for more than this many ping intervals is dead. Default 3. */
  deadPings?: number;
}

/** What a running view service exposes to a test, a grader or a notebook (read-only). */
export interface ViewServiceHandle {
  /** The current view (a copy). */
  view(): View;
  /** Whether the primary of the current view has acknowledged it (pinged with its number). */
  acknowledged(): boolean;
  /** Every view so far, oldest first, starting with view 0 (copies). */
  views(): View[];
  /** When each view began (virtual ms), indexed by view number. */
  viewStartMs(): number[];
}

/**
 * Run the view service on `node`. Wire (every reply uses `node.reply`, so both `send` and `rpc`
 * work): a server sends `{ type: "ping", viewNum }` — the number of the latest view it knows, 0
 * when it knows none — and gets `{ type: "view", view: { viewNum, primary, backup } }`; anyone
 * may send `{ type: "get_view" }` and gets the same `view` reply without counting as a ping.
 *
 * The rules (6.824 2014 lab 2; DSLabs lab 2):
 * - View 0 is empty. The first server to ping becomes primary of view 1 (no backup).
 * - The service moves to view n+1 only after the primary of view n has *acknowledged* view n by
 *   pinging with n. Until then it stays in view n whatever happens — even if the primary dies; a
 *   primary of view n+1 therefore always comes from view n and has the state.
 * - A server that has not pinged for more than `deadPings` × `pingIntervalMs` is dead.
 * - A primary or backup of the current view that pings with viewNum 0 although it had pinged with
 *   a later view before has restarted (lost its state): it is treated as dead. (A server that has
 *   only ever pinged 0 — e.g. its reply was lost — is not, so a lost reply is no restart.)
 * - When the view is acknowledged: a dead or restarted primary is replaced by the backup (never
 *   by an idle server — with no backup the service is stuck); a dead or restarted backup is
 *   dropped; a view without backup takes a live idle server (the longest known) as backup.
 *   Every such change is one new view.
 *
 * Declares node state `pending` (a view not yet acknowledged) or `acknowledged`, with the view
 * in the cause, so the state diagram stays two states.
 *
 * @example
 * sim.spawn("vs", (node) => viewService(node, { pingIntervalMs: 100, deadPings: 3 }));
 * // a server: node.setPeriodic(100, async () => {
 * //   const r = await node.rpc("vs", { type: "ping", viewNum: known.viewNum }, { timeoutMs: 100 });
 * //   known = r.body.view; });
 */
export function viewService(node: Node, options: ViewServiceOptions = {}): ViewServiceHandle {
  const context = () => ({ node: node.id, timeMs: node.now() });
  const pingIntervalMs = options.pingIntervalMs ?? 100;
  const deadPings = options.deadPings ?? 3;
  if (typeof pingIntervalMs !== "number" || !Number.isFinite(pingIntervalMs) || !(pingIntervalMs > 0)) {
    throw new ConfigError("viewService: pingIntervalMs", pingIntervalMs, "a finite number > 0", context());
  }
  if (typeof deadPings !== "number" || !Number.isInteger(deadPings) || deadPings < 1) {
    throw new ConfigError("viewService: deadPings", deadPings, "a whole number ≥ 1", context());
  }
  const deadAfterMs = deadPings * pingIntervalMs;

  let current: View = { viewNum: 0, primary: null, backup: null };
  let acked = false;
  const history: View[] = [{ ...current }];
  const startMs: number[] = [node.now()];
  /** Per server, in order of first ping: when it last pinged and with which view number. */
  const servers = new Map<string, { lastPingMs: number; lastViewNum: number }>();
  /** Members of the current view that restarted (pinged 0); treated as dead. */
  const restarted = new Set<string>();

  const alive = (id: string): boolean => {
    const s = servers.get(id);
    return s !== undefined && node.now() - s.lastPingMs <= deadAfterMs;
  };
  const gone = (id: string | null): boolean => id !== null && (restarted.has(id) || !alive(id));

  const describe = (v: View): string => `view ${v.viewNum}: primary ${v.primary ?? "none"}, backup ${v.backup ?? "none"}`;

  const moveTo = (primary: string | null, backup: string | null, why: string): void => {
    current = { viewNum: current.viewNum + 1, primary, backup };
    acked = false;
    restarted.clear();
    history.push({ ...current });
    startMs.push(node.now());
    node.setState("pending", `${why} → ${describe(current)}`);
  };

  const idleServer = (): string | null => {
    for (const id of servers.keys()) {
      if (id !== current.primary && id !== current.backup && alive(id)) return id;
    }
    return null;
  };

  /** Apply the rules once; at most one view change (a new view waits for its acknowledgement). */
  const decide = (): void => {
    if (!acked) return;
    const { primary, backup } = current;
    if (gone(primary)) {
      if (backup === null || gone(backup)) return; // nobody has the state: stuck, by design
      const why = restarted.has(primary!) ? `primary ${primary} restarted` : `primary ${primary} dead`;
      moveTo(backup, idleServer(), why);
    } else if (gone(backup)) {
      const why = restarted.has(backup!) ? `backup ${backup} restarted` : `backup ${backup} dead`;
      moveTo(primary, idleServer(), why);
    } else if (backup === null) {
      const idle = idleServer();
      if (idle !== null) moveTo(primary, idle, `${idle} idle`);
    }
  };

  const reply = (msg: Message): void => {
    node.reply(msg, { type: "view", view: { ...current } });
  };

  node.on("ping", (msg) => {
    const viewNum = msg.body.viewNum;
    if (typeof viewNum !== "number" || !Number.isInteger(viewNum) || viewNum < 0) {
      throw new SimulationError(`viewService: ping from ${msg.src} has viewNum ${JSON.stringify(viewNum)}; expected a whole number ≥ 0`, context());
    }
    if (viewNum > current.viewNum) {
      throw new SimulationError(`viewService: ping from ${msg.src} with viewNum ${viewNum}, but the newest view is ${current.viewNum}`, context());
    }
    const id = msg.src;
    const before = servers.get(id);
    servers.set(id, { lastPingMs: node.now(), lastViewNum: viewNum });

    if (current.viewNum === 0) {
      moveTo(id, null, `first ping from ${id}`);
    } else {
      const member = id === current.primary || id === current.backup;
      if (member && viewNum === 0 && before !== undefined && before.lastViewNum > 0) restarted.add(id);
      if (id === current.primary && viewNum === current.viewNum && !acked && !restarted.has(id)) {
        acked = true;
        node.setState("acknowledged", `${id} acknowledged ${describe(current)}`);
      }
      decide();
    }
    reply(msg);
  });

  node.on("get_view", (msg) => reply(msg));

  node.setPeriodic(pingIntervalMs, decide, "view-check");

  return {
    view: () => ({ ...current }),
    acknowledged: () => acked,
    views: () => history.map((v) => ({ ...v })),
    viewStartMs: () => startMs.slice(),
  };
}
