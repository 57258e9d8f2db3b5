// The threats of a network you do not own, run (file 002, Security; Coulouris et al.,
// "Distributed Systems", §11.1.1: eavesdropping, masquerading, message tampering, replaying).
// Alice pays Bob through a bank; her requests cross a relay, "mallory", that she does not control
// (a Wi-Fi hotspot, a proxy, a compromised router). Mallory forwards honestly except for its attack:
//   eavesdrop — it logs every body it forwards;
//   tamper    — it alters the first transfer (to → "mallory", amount → 50);
//   replay    — it re-sends a captured transfer 600 ms later, and again at 20 s;
//   impostor  — it sends its own transfer straight to the bank, claiming to be Alice.
// Against each, one defence at a time:
//   none      — the bank trusts the body's `from`;
//   mac       — HMAC-SHA-256 over (client, nonce, timestamp, payload) with a key Alice shares with the bank;
//   nonce     — the same MAC, plus a nonce cache and a ±5 s timestamp window;
//   token     — a bearer token (HS256 JWS, 10 s expiry) from a token authority; the body is NOT covered;
//   signature — Alice signs each request with her Ed25519 key; the bank holds her public key;
//   encrypt   — AES-256-GCM (authenticated encryption, as inside TLS) with a key shared with the bank.
// Each defence stops some attacks and not others — the table in notebook 12.
//
// Wire: alice → mallory → bank { type: "transfer", ...defence fields } → { type: "transfer_ok", balance }
//       or { type: "error", code: 400 | 401 | 403 | 409, text }.
import { createCipheriv, createDecipheriv } from "node:crypto";
import type { Node } from "../node/index";
import { latency } from "../net/latency";
import { Simulation } from "../simulation/simulation";
import { ConfigError } from "../sim/errors";
import { base64urlDecode, base64urlEncode, toHex } from "./base64url";
import { randomBytesFrom, secretFromLabel } from "./hmac";
import { ed25519KeyPair } from "./ed25519";
import { hs256Key, keySet, signToken } from "./jws";
import { authorize } from "./authorize";
import { NonceCache, macEnvelope, verifyEnvelope, type MacEnvelope } from "./replay";
import { signServiceRequest, verifyServiceRequest } from "./service-trust";
import { login, tokenAuthority, userRecord } from "./token-authority";
import { verifyToken } from "./jws";
import { guardedHandler } from "./validate";

/** The attacks on a network you do not own. */
export type Threat = "eavesdrop" | "tamper" | "replay" | "impostor";

/** The defence the client and server use. */
export type Defence = "none" | "mac" | "nonce" | "token" | "signature" | "encrypt";

/** Options for {@link runThreatScenario}. */
export interface ThreatScenarioOptions {
  seed: number;
  threat: Threat;
  defence: Defence;
  /** Legitimate transfers the client sends. Default 3. */
  requests?: number;
  /** Record the trace (for diagrams). Default true. */
  trace?: boolean;
}

/** One request the server received. */
export interface ThreatRow {
  atMs: number;
  /** Who really sent it: the honest client, or the attacker (forged, altered, replayed). */
  origin: "client" | "attacker";
  /** What it asked for, e.g. "alice → bob 10". */
  request: string;
  verdict: "accepted" | "refused";
  /** The refusal reason, or "" when accepted. */
  reason: string;
}

/** What {@link runThreatScenario} returns. */
export interface ThreatScenarioResult {
  threat: Threat;
  defence: Defence;
  /** What the attacker observed (bodies logged by the relay, shortened). */
  attackerSaw: string[];
  /** Whether the attack succeeded (secret read, altered or replayed or forged request accepted). */
  attackerAchieved: boolean;
  /** One sentence for the notebook. */
  outcome: string;
  /** Requests the server accepted / refused in total. */
  accepted: number;
  refused: number;
  /** Of them, those the attacker sent or altered. */
  attackerAccepted: number;
  attackerRefused: number;
  /** Final balances at the bank. */
  balances: Record<string, number>;
  rows: ThreatRow[];
  sim: Simulation;
}

/** One row of {@link threatMatrix}. */
export interface ThreatMatrixRow {
  threat: Threat;
  defence: Defence;
  attackerAchieved: boolean;
  outcome: string;
}

const THREATS: Threat[] = ["eavesdrop", "tamper", "replay", "impostor"];
const DEFENCES: Defence[] = ["none", "mac", "nonce", "token", "signature", "encrypt"];
const MEMO = "rent for flat 3B";
const WINDOW_MS = 5_000;
const TOKEN_TTL_MS = 10_000;
const RUN_MS = 25_000;

interface Transfer {
  to: string;
  amount: number;
  memo: string;
}

/** The world's keys: what each party knows. Mallory knows only its own. */
function keysOf() {
  return {
    macKey: { alice: secretFromLabel("threats/mac/alice"), mallory: secretFromLabel("threats/mac/mallory") } as Record<string, Uint8Array>,
    encKey: { alice: secretFromLabel("threats/aes/alice"), mallory: secretFromLabel("threats/aes/mallory") } as Record<string, Uint8Array>,
    edPair: { alice: ed25519KeyPair("threats/alice"), mallory: ed25519KeyPair("threats/mallory") },
    authKey: hs256Key("auth-k1", secretFromLabel("threats/auth/k1")),
    malloryGuessKey: hs256Key("auth-k1", secretFromLabel("threats/mallory/guess")),
  };
}

function seal(key: Uint8Array, iv: Uint8Array, plain: unknown): { iv: string; ciphertext: string; tag: string } {
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const ct = Buffer.concat([cipher.update(JSON.stringify(plain), "utf8"), cipher.final()]);
  return { iv: base64urlEncode(iv), ciphertext: base64urlEncode(new Uint8Array(ct)), tag: base64urlEncode(new Uint8Array(cipher.getAuthTag())) };
}

function open(key: Uint8Array, box: { iv: string; ciphertext: string; tag: string }): unknown {
  const decipher = createDecipheriv("aes-256-gcm", key, base64urlDecode(box.iv));
  decipher.setAuthTag(base64urlDecode(box.tag));
  const plain = Buffer.concat([decipher.update(base64urlDecode(box.ciphertext)), decipher.final()]);
  return JSON.parse(plain.toString("utf8"));
}

/** Build a transfer body as `client` would under `defence` (Mallory passes its own keys). */
function buildTransfer(
  node: Node,
  defence: Defence,
  client: string,
  transfer: Transfer,
  secrets: { macKey: Uint8Array; encKey: Uint8Array; edPair: ReturnType<typeof ed25519KeyPair>; token?: string },
): Record<string, unknown> {
  const nonce = toHex(randomBytesFrom(node.rng, 8));
  const timestampMs = node.now();
  switch (defence) {
    case "none":
      return { type: "transfer", from: client, ...transfer };
    case "mac":
    case "nonce":
      return { type: "transfer", envelope: macEnvelope({ client, nonce, timestampMs, payload: transfer }, secrets.macKey) };
    case "token":
      return { type: "transfer", token: secrets.token ?? "", ...transfer };
    case "signature":
      return { type: "transfer", signed: signServiceRequest({ service: client, keyPair: secrets.edPair, timestampMs, nonce, body: transfer }) };
    case "encrypt":
      return { type: "transfer", client, ...seal(secrets.encKey, randomBytesFrom(node.rng, 12), transfer) };
  }
}

/** Mallory's alteration of a forwarded body: redirect the money where it can see the fields. */
function tamper(body: Record<string, any>, defence: Defence): Record<string, any> {
  const b = JSON.parse(JSON.stringify(body));
  const redirect = (t: any) => { if (t && typeof t === "object") { t.to = "mallory"; t.amount = 50; } };
  if (defence === "none" || defence === "token") redirect(b);
  else if (defence === "mac" || defence === "nonce") redirect(b.envelope?.payload);
  else if (defence === "signature") redirect(b.signed?.body);
  else if (defence === "encrypt") {
    const bytes = base64urlDecode(b.ciphertext);
    bytes[0] ^= 0x01; // it cannot read the fields; it can only flip bits
    b.ciphertext = base64urlEncode(bytes);
  }
  return b;
}

function shorten(text: string, max = 160): string {
  return text.length > max ? text.slice(0, max - 3) + "..." : text;
}

/** A body as the attacker's log shows it: long strings (MACs, tokens, ciphertext) cut to 16 characters. */
function showBody(body: unknown): string {
  return shorten(JSON.stringify(body, (_key, value) => (typeof value === "string" && value.length > 20 ? value.slice(0, 16) + "…" : value)));
}

/**
 * Run one attack against one defence.
 *
 * @example
 * const r = await runThreatScenario({ seed: 1, threat: "replay", defence: "mac" });
 * r.attackerAchieved; // true: a MAC alone does not stop a replay
 */
export async function runThreatScenario(options: ThreatScenarioOptions): Promise<ThreatScenarioResult> {
  const { seed, threat, defence } = options;
  if (!THREATS.includes(threat)) throw new ConfigError("runThreatScenario: threat", threat, THREATS.join(" | "));
  if (!DEFENCES.includes(defence)) throw new ConfigError("runThreatScenario: defence", defence, DEFENCES.join(" | "));
  const requests = options.requests ?? 3;
  if (!Number.isInteger(requests) || requests < 1 || requests > 20) throw new ConfigError("runThreatScenario: requests", requests, "a whole number in [1, 20]");
  const keys = keysOf();
  const sim = new Simulation({ seed, trace: options.trace ?? true, network: { latency: latency.uniform(5, 15) } });
  const balances: Record<string, number> = { alice: 100, bob: 0, mallory: 0 };
  const rows: ThreatRow[] = [];
  const attackerIds = new Set<number>();
  const attackerSaw: string[] = [];
  let leaked = 0;
  let forwardedCount = 0;

  if (defence === "token") {
    sim.spawn("auth", (node) => {
      tokenAuthority(node, { key: keys.authKey, audience: "bank", tokenTtlMs: TOKEN_TTL_MS, users: { alice: userRecord("alice", "wonderland", ["customer"]) } });
    }, { role: "token authority" });
  }

  sim.spawn("bank", (node) => {
    const nonces = new NonceCache({ windowMs: WINDOW_MS });
    const tokenKeys = keySet([keys.authKey]);
    const trusted = { alice: keys.edPair.alice.publicKey, mallory: keys.edPair.mallory.publicKey };
    const refuse = (msg: any, code: number, reason: string, request: string) => {
      rows.push({ atMs: node.now(), origin: originOf(msg), request, verdict: "refused", reason });
      node.reply(msg, { type: "error", code, text: reason });
    };
    const originOf = (msg: any): "client" | "attacker" => (msg.src === "mallory" && attackerIds.has(msg.body.msg_id) ? "attacker" : "client");
    const describe = (payer: string, t: any) => `${payer} → ${t?.to} ${t?.amount}`;
    node.on("transfer", guardedHandler(node, {}, (msg) => {
      const b = msg.body as Record<string, any>;
      let payer: string;
      let t: Transfer;
      switch (defence) {
        case "none":
          payer = b.from; t = b as unknown as Transfer; break;
        case "mac":
        case "nonce": {
          const env = b.envelope as MacEnvelope;
          const key = env && keys.macKey[env.client];
          if (!key) return refuse(msg, 401, "unknown_client", "?");
          if (!verifyEnvelope(env, key)) return refuse(msg, 401, "bad_mac", describe(env.client, env.payload));
          if (defence === "nonce") {
            const v = nonces.check({ client: env.client, nonce: env.nonce, timestampMs: env.timestampMs, nowMs: node.now() });
            if (v.kind !== "fresh") return refuse(msg, 401, v.kind, describe(env.client, env.payload));
          }
          payer = env.client; t = env.payload as Transfer; break;
        }
        case "token": {
          const v = verifyToken(String(b.token), { keys: tokenKeys, now: node.now(), clockSkewMs: 500, issuer: "auth", audience: "bank" });
          if (v.kind === "invalid") return refuse(msg, 401, v.reason, describe("?", b));
          const d = authorize({ principal: v.claims.sub, roles: v.claims.roles, operation: "transfer", resource: "accounts" }, { rbac: { customer: { permissions: ["transfer:accounts"] } } });
          if (d.kind === "deny") return refuse(msg, 403, d.reason, describe(v.claims.sub, b));
          payer = v.claims.sub; t = b as unknown as Transfer; break;
        }
        case "signature": {
          const v = verifyServiceRequest(b.signed, { trusted, now: node.now() });
          if (v.kind === "invalid") return refuse(msg, 401, v.reason, describe(b.signed?.service, b.signed?.body));
          payer = v.service; t = v.body as Transfer; break;
        }
        case "encrypt": {
          const key = keys.encKey[b.client];
          if (!key) return refuse(msg, 401, "unknown_client", "?");
          try {
            t = open(key, b as any) as Transfer;
          } catch {
            return refuse(msg, 401, "decryption_failed", `${b.client} → (unreadable)`);
          }
          payer = b.client; break;
        }
      }
      const request = describe(payer, t);
      if (typeof payer !== "string" || !(payer in balances) || !t || typeof t.to !== "string" || !(t.to in balances) || !Number.isInteger(t.amount) || t.amount <= 0) {
        return refuse(msg, 400, "malformed", request);
      }
      if (balances[payer] < t.amount) return refuse(msg, 409, "insufficient_funds", request);
      balances[payer] -= t.amount;
      balances[t.to] += t.amount;
      rows.push({ atMs: node.now(), origin: originOf(msg), request, verdict: "accepted", reason: "" });
      node.reply(msg, { type: "transfer_ok", balance: balances[payer] });
    }, { allowExtra: true }));
  }, { role: "server" });

  sim.spawn("mallory", (node) => {
    const pending = new Map<number, any>();
    let forwarded = 0;
    let captured: Record<string, any> | undefined;
    const strip = (body: Record<string, any>) => { const { msg_id, in_reply_to, ...rest } = body; return rest; };
    node.on("transfer", (msg) => {
      let body = strip(msg.body as Record<string, any>);
      forwarded++;
      forwardedCount++;
      if (threat === "eavesdrop") {
        if (JSON.stringify(body).includes(MEMO)) leaked++;
        const seen = showBody(body);
        attackerSaw.push(seen);
        node.log(`saw ${seen}`);
      }
      let forged = false;
      if (threat === "tamper" && forwarded === 1) {
        body = tamper(body, defence);
        forged = true;
        attackerSaw.push(`altered request 1 before forwarding`);
      }
      if (threat === "replay" && forwarded === 1) captured = body;
      const id = node.send("bank", body as any);
      if (forged) attackerIds.add(id);
      pending.set(id, msg);
    });
    const back = (msg: any) => {
      const orig = pending.get(msg.body.in_reply_to);
      if (orig) {
        pending.delete(msg.body.in_reply_to);
        node.reply(orig, strip(msg.body) as any);
      } else {
        attackerSaw.push(`bank answered mallory: ${showBody(strip(msg.body))}`);
      }
    };
    node.on("transfer_ok", back);
    node.on("error", back);
    if (threat === "replay") {
      for (const atMs of [700, 20_000]) {
        sim.at(atMs, () => {
          if (!captured) return;
          attackerSaw.push(`replayed request 1 at ${node.now()} ms`);
          attackerIds.add(node.send("bank", { ...captured } as any));
        }, "replay");
      }
    }
    if (threat === "impostor") {
      sim.at(1_500, () => {
        const secrets = { macKey: keys.macKey.mallory, encKey: keys.encKey.mallory, edPair: keys.edPair.mallory,
          token: signToken({ sub: "alice", roles: ["customer"], iss: "auth", aud: "bank", iat: node.now(), exp: node.now() + TOKEN_TTL_MS }, keys.malloryGuessKey) };
        const body = buildTransfer(node, defence, "alice", { to: "mallory", amount: 50, memo: "gift" }, secrets);
        attackerSaw.push(`sent its own transfer claiming to be alice`);
        attackerIds.add(node.send("bank", body as any));
      }, "impostor");
    }
  }, { role: "untrusted relay" });

  sim.spawn("alice", (node) => {
    let token: string | undefined;
    if (defence === "token") {
      sim.at(0, async () => {
        const r = await login(node, { authority: "auth", user: "alice", password: "wonderland" });
        if (r.kind === "ok") token = r.token;
      }, "login");
    }
    for (let i = 0; i < requests; i++) {
      sim.at(100 + 1000 * i, () => {
        const body = buildTransfer(node, defence, "alice", { to: "bob", amount: 10, memo: MEMO }, { macKey: keys.macKey.alice, encKey: keys.encKey.alice, edPair: keys.edPair.alice, token });
        node.rpc("mallory", body as any, { timeoutMs: 1000 }).catch(() => undefined);
      }, `transfer ${i + 1}`);
    }
  }, { role: "client" });

  await sim.runFor(RUN_MS);

  const accepted = rows.filter((r) => r.verdict === "accepted").length;
  const attackerAccepted = rows.filter((r) => r.origin === "attacker" && r.verdict === "accepted").length;
  const attackerRefused = rows.filter((r) => r.origin === "attacker" && r.verdict === "refused").length;
  const attackerAchieved = threat === "eavesdrop" ? leaked > 0 : attackerAccepted > 0;
  const reasons = [...new Set(rows.filter((r) => r.origin === "attacker" && r.verdict === "refused").map((r) => r.reason))].join(", ");
  let outcome: string;
  switch (threat) {
    case "eavesdrop":
      outcome = leaked > 0
        ? `mallory read the memo "${MEMO}" in ${leaked} of ${forwardedCount} requests${defence === "token" ? ", and a bearer token it could reuse" : ""}`
        : `mallory saw only ciphertext in ${forwardedCount} requests`;
      break;
    case "tamper":
      outcome = attackerAccepted > 0 ? `the bank accepted the altered transfer (alice → mallory 50)` : `the bank refused the altered transfer (${reasons || "not delivered"})`;
      break;
    case "replay":
      outcome = `the bank accepted ${attackerAccepted} of ${attackerAccepted + attackerRefused} replays${reasons ? ` (refused: ${reasons})` : ""}`;
      break;
    case "impostor":
      outcome = attackerAccepted > 0 ? `the bank paid mallory 50 from alice's account` : `the bank refused the impostor (${reasons})`;
      break;
  }
  return {
    threat, defence, attackerSaw, attackerAchieved, outcome,
    accepted, refused: rows.length - accepted, attackerAccepted, attackerRefused,
    balances, rows, sim,
  };
}

/**
 * Every threat against every defence: which defence stops which attack.
 *
 * @example
 * console.log(formatTable(await threatMatrix({ seed: 1 })));
 */
export async function threatMatrix(options: { seed: number; threats?: Threat[]; defences?: Defence[] }): Promise<ThreatMatrixRow[]> {
  const rows: ThreatMatrixRow[] = [];
  for (const threat of options.threats ?? THREATS) {
    for (const defence of options.defences ?? DEFENCES) {
      const r = await runThreatScenario({ seed: options.seed, threat, defence, trace: false });
      rows.push({ threat, defence, attackerAchieved: r.attackerAchieved, outcome: r.outcome });
    }
  }
  return rows;
}
