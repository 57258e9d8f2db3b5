/**
 * Reference solution of exercise 12.2 — replay protection with nonces, timestamps and a cache of
 * replies (lecture file 002, Security: replay attacks; the idempotent-retry pattern of notebook
 * 03). Remembered requests and their replies live in `node.storage`, one key per (client, nonce),
 * so a restart neither forgets them nor breaks a retry. The wire and the rules are in
 * exercises/12-security/replay-guard.ts.
 */
import type { Message, Node } from "../../lib/node";
import { verifyEnvelope } from "../../lib/security/index";

/** Options of {@link replayGuardedServer}. */
export interface ReplayGuardOptions {
  keys: Record<string, Uint8Array>;
  windowMs: number;
  execute(client: string, payload: unknown): unknown;
}

/** What the grader asks a running server. */
export interface ReplayGuardedServer {
  rememberedNonces(): number;
}

/** One remembered request: its MAC, its timestamp (when to forget it) and the reply it got. */
interface Remembered {
  mac: string;
  timestampMs: number;
  reply: { type: string; [field: string]: unknown };
}

const PREFIX = "replay-guard/";

/**
 * Serve `signed_request`s on `node`, executing each fresh request once.
 *
 * @example
 * sim.spawn("bank", (node) => replayGuardedServer(node, { keys, windowMs: 500, execute }));
 */
export function replayGuardedServer(node: Node, options: ReplayGuardOptions): ReplayGuardedServer {
  const remembered = new Map<string, Remembered>();
  for (const key of node.storage.keys()) {
    if (key.startsWith(PREFIX)) remembered.set(key, node.storage.get<Remembered>(key)!);
  }

  const forgetOld = (nowMs: number): void => {
    for (const [key, entry] of remembered) {
      if (entry.timestampMs < nowMs - options.windowMs) {
        remembered.delete(key);
        node.storage.delete(key);
      }
    }
  };

  const refuse = (m: Message, code: number, text: string): void => {
    node.reply(m, { type: "error", code, text });
  };

  node.on("signed_request", (m) => {
    const body = m.body as Record<string, unknown>;
    const { client, nonce, timestampMs, mac } = body;
    if (typeof client !== "string" || typeof nonce !== "string" || typeof mac !== "string" || typeof timestampMs !== "number" || !Number.isFinite(timestampMs)) {
      return refuse(m, 400, "client, nonce and mac must be strings and timestampMs a number");
    }
    if (!Object.prototype.hasOwnProperty.call(options.keys, client)) return refuse(m, 401, `unknown client ${JSON.stringify(client)}`);
    if (!verifyEnvelope(body, options.keys[client])) return refuse(m, 401, "the MAC does not verify");
    const now = node.clock();
    if (Math.abs(now - timestampMs) > options.windowMs) return refuse(m, 401, `timestamp ${timestampMs} is outside ${now} ± ${options.windowMs} ms`);
    forgetOld(now);
    const key = `${PREFIX}${JSON.stringify([client, nonce])}`;
    const seen = remembered.get(key);
    if (seen !== undefined) {
      if (seen.mac !== mac) return refuse(m, 409, `nonce ${JSON.stringify(nonce)} was already used for another request`);
      return node.reply(m, { ...seen.reply }); // a retry or a replay: the same answer, nothing run again
    }
    const reply = { type: "signed_request_ok", nonce, result: options.execute(client, body.payload) };
    const entry: Remembered = { mac, timestampMs, reply };
    remembered.set(key, entry);
    node.storage.set(key, entry);
    node.reply(m, { ...reply });
  });

  return { rememberedNonces: () => remembered.size };
}
