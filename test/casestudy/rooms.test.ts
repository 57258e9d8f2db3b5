import { describe, expect, it } from "vitest";
import { applyMessage, checkRoomHistories, messagesAfter, parsePost, parseRead, CHAT_ERRORS, type ChatMessage, type RoomHistories } from "../../lib/casestudy/index";

const msg = (seq: number, id: string, text = "hi"): ChatMessage => ({ seq, id, user: "ada", text });

describe("room histories: apply with deduplication", () => {
  it("appends in seq order, drops a retried id and a redelivered seq", () => {
    let rooms: RoomHistories = {};
    const outcomes: string[] = [];
    for (const [room, m] of [["r1", msg(0, "c1:1")], ["r1", msg(1, "c1:1")], ["r2", msg(0, "c2:1")], ["r1", msg(2, "c2:2")], ["r1", msg(2, "c2:2")], ["r1", msg(1, "c3:1")]] as const) {
      const result = applyMessage(rooms, room, m);
      rooms = result.rooms;
      outcomes.push(result.outcome);
    }
    expect(outcomes).toEqual(["appended", "duplicate", "appended", "appended", "duplicate", "stale"]);
    expect(rooms.r1.map((m) => m.id)).toEqual(["c1:1", "c2:2"]);
    expect(messagesAfter(rooms, "r1", 0).map((m) => m.seq)).toEqual([2]);
    expect(messagesAfter(rooms, "nowhere")).toEqual([]);
  });

  it("does not change the value it was given", () => {
    const rooms: RoomHistories = { r1: [msg(0, "a")] };
    applyMessage(rooms, "r1", msg(1, "b"));
    expect(rooms.r1).toHaveLength(1);
  });

  it("rejects a malformed message with a sentence", () => {
    expect(() => applyMessage({}, "r1", { seq: -1, id: "x", user: "u", text: "" })).toThrow(/seq must be an integer ≥ 0/);
    expect(() => applyMessage({}, "r1", { seq: 0, id: "", user: "u", text: "" })).toThrow(/id must be a non-empty string/);
  });
});

describe("checkRoomHistories: the acceptance suite's safety check", () => {
  it("passes a history that holds every acked post once, in order", () => {
    const rooms = { r1: [msg(0, "c1:1"), msg(3, "c2:1")], r2: [msg(1, "c1:2")] };
    expect(checkRoomHistories(rooms, [{ room: "r1", id: "c2:1", seq: 3 }, { room: "r2", id: "c1:2", seq: 1 }])).toEqual([]);
  });

  it("names duplicates, order breaks, lost and moved posts", () => {
    const rooms = { r1: [msg(0, "c1:1"), msg(1, "c1:1"), msg(1, "c2:1")] };
    expect(checkRoomHistories(rooms, [{ room: "r1", id: "c9:9", seq: 5 }, { room: "r1", id: "c2:1", seq: 2 }])).toEqual([
      "room r1: message c1:1 appears twice (seq 0 and seq 1)",
      "room r1: seq 1 follows seq 1 (order per room broken)",
      "room r1: acked message c9:9 (seq 5) is missing",
      "room r1: message c2:1 was acked with seq 2 but is stored at seq 1",
    ]);
  });
});

describe("the client wire", () => {
  it("parses a post and a read", () => {
    expect(parsePost({ type: "post", token: "t", room: "r1", id: "c1:1", text: "hi" })).toEqual({ ok: true, request: { type: "post", token: "t", room: "r1", id: "c1:1", text: "hi" } });
    expect(parseRead({ type: "read", token: "t", room: "r1" })).toEqual({ ok: true, request: { type: "read", token: "t", room: "r1", after: -1 } });
  });

  it("answers a malformed request with code 12 and the field's name", () => {
    expect(parsePost({ type: "post", token: "t", room: "", id: "c1:1", text: "hi" })).toEqual({ ok: false, code: CHAT_ERRORS.malformed, text: "post: room must be a non-empty string" });
    expect(parsePost({ type: "post", token: "t", room: "r", id: "i", text: "xx" }, 1)).toMatchObject({ ok: false, code: 12 });
    expect(parsePost(undefined)).toMatchObject({ ok: false, code: 12 });
    expect(parseRead({ token: "t", room: "r", after: 1.5 })).toMatchObject({ ok: false, text: "read: after must be an integer ≥ −1" });
  });
});
