// The whole chat service (spawnChat) and its smaller parts: the post handler against a fake
// context, the history store's encoding and merge, the materializer as the store's single writer,
// and the client's retry with the same id.
import { describe, expect, it } from "vitest";
import {
  answerAppendedOffset, chatClient, checkRoomHistories, decodeHistory, encodeHistory, handlePost, historyKey, mergeHistories, spawnChat,
  type AckedPost, type ChatMessage, type PostContext,
} from "../../lib/casestudy/index";
import { HistoryRecorder } from "../../lib/history/index";
import { latency } from "../../lib/net/index";
import type { Node } from "../../lib/node/index";
import { hs256Key, keySet, secretFromLabel, signToken } from "../../lib/security/index";
import { Simulation } from "../../lib/simulation/index";

const msg = (seq: number, id: string): ChatMessage => ({ seq, id, user: "ada", text: "hi" });

describe("spawnChat: every role of the design, wired together", () => {
  it("serves posts through the gateway and settles with every acked post stored once, in order", async () => {
    const sim = new Simulation({ seed: 1, network: { latency: latency.uniform(1, 5) } });
    const chat = spawnChat(sim, { clients: 3, postsPerClient: 4, readEvery: 2 });
    await sim.runUntil(() => chat.settled(), { withinMs: 5000 });
    expect(chat.acked).toHaveLength(12);
    expect(checkRoomHistories(chat.storedHistories(), chat.acked)).toEqual([]);
    const ops = chat.recorder.history().operations;
    expect(ops.filter((op) => op.f === "read" && op.completion === "ok")).toHaveLength(6);
    expect(chat.gateway()!.live()).toEqual(["f1", "f2", "f3"]);
    // the registry and the gateway spread the posts over all front-ends
    expect(Object.keys(chat.gateway()!.counters.forwarded).sort()).toEqual(["f1", "f2", "f3"]);
    expect(chat.materializer()!.pending()).toEqual([]);
  });

  it("a read through the gateway returns the room's history in seq order; a bad token gets 14", async () => {
    const sim = new Simulation({ seed: 2, network: { latency: latency.uniform(1, 5) } });
    const chat = spawnChat(sim, { clients: 2, postsPerClient: 3, rooms: ["r1"] });
    await sim.runUntil(() => chat.settled(), { withinMs: 5000 });
    const replies: Array<Record<string, unknown>> = [];
    sim.spawn("reader", async (node) => {
      const good = signToken({ sub: "ada", aud: "chat", exp: 60_000 }, chat.key);
      const bad = signToken({ sub: "ada", aud: "chat" }, hs256Key("k1", secretFromLabel("wrong")));
      for (const token of [good, bad]) replies.push((await node.rpc("gw", { type: "read", token, room: "r1", after: -1 }, { timeoutMs: 500 })).body);
    });
    await sim.runFor(300);
    const messages = replies[0].messages as ChatMessage[];
    expect(replies[0].type).toBe("read_ok");
    expect(messages.map((m) => m.id).sort()).toEqual(["c1:1", "c1:2", "c1:3", "c2:1", "c2:2", "c2:3"]);
    expect(messages.map((m) => m.seq)).toEqual([...messages.map((m) => m.seq)].sort((a, b) => a - b));
    expect(replies[1]).toMatchObject({ type: "error", code: 14 });
  });

  it("a restarted materializer replays the log from offset 0 and rewrites the same histories", async () => {
    const sim = new Simulation({ seed: 3, network: { latency: latency.uniform(1, 5) } });
    const chat = spawnChat(sim, { clients: 3, postsPerClient: 4 });
    await sim.runUntil(() => chat.settled(), { withinMs: 5000 });
    const before = chat.storedHistories();
    const first = chat.materializer()!;
    sim.crash("m1");
    await sim.runFor(50);
    sim.restart("m1");
    await sim.runUntil(() => chat.settled() && chat.materializer()!.writes.ok > 0, { withinMs: 3000 });
    expect(chat.materializer()).not.toBe(first);
    expect(chat.storedHistories()).toEqual(before);
    expect(checkRoomHistories(chat.storedHistories(), chat.acked)).toEqual([]);
  });

  it("rejects bad options with a sentence", () => {
    const sim = new Simulation({ seed: 1 });
    expect(() => spawnChat(sim, { frontEnds: 0 })).toThrow(/frontEnds must be a whole number ≥ 1/);
    expect(() => spawnChat(sim, { design: "best" as "fixed" })).toThrow(/design must be "first", "dedup-only" or "fixed"/);
  });
});

describe("the history store's values", () => {
  it("encodes a room's history as JSON and decodes it", () => {
    expect(historyKey("r1")).toBe("room/r1");
    const h = [msg(0, "a"), msg(3, "b")];
    expect(decodeHistory(encodeHistory(h))).toEqual(h);
    expect(decodeHistory(null)).toEqual([]);
    expect(() => decodeHistory('{"x":1}')).toThrow(/JSON list of messages/);
  });

  it("merges by seq, and with dedup keeps the first copy of an id", () => {
    expect(mergeHistories([msg(0, "a"), msg(2, "b")], [msg(2, "b"), msg(5, "a"), msg(7, "c")], false).map((m) => m.seq)).toEqual([0, 2, 5, 7]);
    expect(mergeHistories([msg(0, "a"), msg(2, "b")], [msg(2, "b"), msg(5, "a"), msg(7, "c")], true).map((m) => m.seq)).toEqual([0, 2, 7]);
  });
});

describe("handlePost: the post path against a fake context", () => {
  const key = hs256Key("k1", secretFromLabel("chat-post"));
  const token = signToken({ sub: "ada", aud: "chat" }, key);

  /** Run `handler` once on a node with a fake log and history; `storedAfterMs` is when the history holds the id. */
  async function post(body: Record<string, unknown>, fake: { appendFails?: boolean; storedSeq?: number; storedAfterMs?: number; handler?: typeof handlePost }) {
    const sim = new Simulation({ seed: 1 });
    const appended: Array<{ key: string; id: string }> = [];
    let reply: Record<string, unknown> | undefined;
    sim.spawn("f1", async (node: Node) => {
      const ctx: PostContext = {
        node, keys: keySet([key]), audience: "chat", catchUpMs: 100,
        append: async (k, value) => {
          if (fake.appendFails) throw new Error("no broker answered");
          appended.push({ key: k, id: value.id });
          return { partition: 0, offset: 42 };
        },
        lookup: async () => (node.now() >= (fake.storedAfterMs ?? 0) ? fake.storedSeq : undefined),
      };
      reply = await (fake.handler ?? handlePost)(ctx, { type: "post", token, room: "r1", id: "c1:1", text: "hi", ...body });
    });
    await sim.runFor(500);
    return { reply, appended };
  }

  it("answers the seq the history holds for the id, not the appended offset", async () => {
    const { reply, appended } = await post({}, { storedSeq: 7, storedAfterMs: 30 });
    expect(reply).toEqual({ type: "post_ok", room: "r1", seq: 7 });
    expect(appended).toEqual([{ key: "r1", id: "c1:1" }]);
  });

  it("the first design's handler answers the appended offset", async () => {
    const { reply } = await post({}, { storedSeq: 7, handler: answerAppendedOffset });
    expect(reply).toEqual({ type: "post_ok", room: "r1", seq: 42 });
  });

  it("12 for a malformed post, 14 for a bad token, 11 when the log or the history is not there", async () => {
    expect((await post({ room: "" }, {})).reply).toMatchObject({ type: "error", code: 12 });
    const foreign = await post({ token: signToken({ sub: "ada", aud: "billing" }, key) }, {});
    expect(foreign.reply).toMatchObject({ type: "error", code: 14 });
    expect(foreign.appended).toEqual([]);
    expect((await post({}, { appendFails: true })).reply).toMatchObject({ type: "error", code: 11, text: "log unavailable: no broker answered" });
    expect((await post({}, { storedSeq: undefined })).reply).toMatchObject({ type: "error", code: 11 });
  });
});

describe("chatClient: a retry reuses the post's id", () => {
  it("retries after a lost reply with the same id and records one ok operation", async () => {
    const sim = new Simulation({ seed: 1, network: { latency: latency.constant(1) } });
    const seen: string[] = [];
    sim.spawn("gw", (node) => {
      node.on("post", (m) => {
        seen.push(m.body.id as string);
        if (seen.length === 1) return; // the first reply is "lost"
        node.reply(m, { type: "post_ok", room: m.body.room as string, seq: seen.length });
      });
    });
    const recorder = new HistoryRecorder();
    const acked: AckedPost[] = [];
    let state: { done: boolean } | undefined;
    sim.spawn("c1", (node) => void (state = chatClient(node, { gateway: "gw", authority: "auth", user: "ada", password: "", token: "t", rooms: ["r1"], posts: 1, requestTimeoutMs: 50, recorder, acked }).state));
    await sim.runFor(500);
    expect(seen).toEqual(["c1:1", "c1:1"]);
    expect(state!.done).toBe(true);
    expect(acked).toEqual([{ room: "r1", id: "c1:1", seq: 2 }]);
    expect(recorder.history().operations.map((op) => [op.f, op.completion])).toEqual([["post", "ok"]]);
  });
});
