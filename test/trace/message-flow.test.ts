// toMessageFlowGraph: request → reply edges through in_reply_to (same pair of nodes), and
// optional causal edges "delivered X (or timer T fired), then the handler sent Y".
import { describe, expect, it } from "vitest";
import { messageFlow, toMessageFlowGraph, type TraceEvent } from "../../lib/trace";
import { fixtureTrace } from "./fixtures";

const lines = (...xs: string[]): string => xs.join("\n");

describe("toMessageFlowGraph", () => {
  it("links each request type to its reply type", () => {
    expect(toMessageFlowGraph(fixtureTrace())).toBe(
      lines(
        "flowchart LR",
        '  write["write ×1"]',
        '  append["append ×2"]',
        '  append_ok["append_ok ×1"]',
        '  write_ok["write_ok ×1"]',
        '  read["read ×1"]',
        '  read_ok["read_ok ×1"]',
        '  bogus["bogus ×1"]',
        '  append -->|"×1"| append_ok',
        '  write -->|"×1"| write_ok',
        '  read -->|"×1"| read_ok',
      ),
    );
  });

  it("adds causal edges from deliveries and timers, without repeating replies", () => {
    expect(toMessageFlowGraph(fixtureTrace(), { causal: true, direction: "TB" })).toBe(
      lines(
        "flowchart TB",
        '  write["write ×1"]',
        '  append["append ×2"]',
        '  append_ok["append_ok ×1"]',
        '  write_ok["write_ok ×1"]',
        '  read["read ×1"]',
        '  t0(["timer heartbeat"])',
        '  read_ok["read_ok ×1"]',
        '  bogus["bogus ×1"]',
        '  write -.->|"×1"| append',
        '  append -->|"×1"| append_ok',
        '  write -->|"×1"| write_ok',
        '  append_ok -.->|"×1"| write_ok',
        '  t0 -.->|"×1"| append',
        '  read -->|"×1"| read_ok',
      ),
    );
  });

  it("matches a reply only to a request from the same pair of nodes", () => {
    const events: TraceEvent[] = [
      { kind: "send", timeMs: 0, id: 1, src: "a", dest: "b", type: "get", msgId: 1, bytes: 1, json: "{}" },
      { kind: "send", timeMs: 0, id: 2, src: "c", dest: "b", type: "put", msgId: 1, bytes: 1, json: "{}" },
      { kind: "send", timeMs: 1, id: 3, src: "b", dest: "a", type: "get_ok", inReplyTo: 1, bytes: 1, json: "{}" },
      { kind: "send", timeMs: 1, id: 4, src: "b", dest: "c", type: "put_ok", inReplyTo: 1, bytes: 1, json: "{}" },
      { kind: "send", timeMs: 1, id: 5, src: "b", dest: "d", type: "stray_ok", inReplyTo: 1, bytes: 1, json: "{}" },
      { kind: "send", timeMs: 2, id: 6, src: "a", dest: "b", type: "get", msgId: 2, bytes: 1, json: "{}" },
      { kind: "send", timeMs: 3, id: 7, src: "b", dest: "a", type: "get_ok", inReplyTo: 2, bytes: 1, json: "{}" },
    ];
    expect(messageFlow(events).edges).toEqual([
      { kind: "reply", from: "get", to: "get_ok", count: 2 },
      { kind: "reply", from: "put", to: "put_ok", count: 1 },
    ]);
  });

  it("gives types that are not plain identifiers generated ids and escaped labels", () => {
    const events: TraceEvent[] = [
      { kind: "send", timeMs: 0, id: 1, src: "a", dest: "b", type: "end", msgId: 1, bytes: 1, json: "{}" },
      { kind: "send", timeMs: 1, id: 2, src: "b", dest: "a", type: 'ok "x" --> [y]', inReplyTo: 1, bytes: 1, json: "{}" },
    ];
    expect(toMessageFlowGraph(events)).toBe(
      lines("flowchart LR", '  t0["end ×1"]', '  t1["ok #34;x#34; --#62; #91;y#93; ×1"]', '  t0 -->|"×1"| t1'),
    );
  });

  it("filters by type", () => {
    expect(messageFlow(fixtureTrace(), { types: ["read", "read_ok"] })).toEqual({
      vertices: [
        { kind: "type", name: "read", sent: 1 },
        { kind: "type", name: "read_ok", sent: 1 },
      ],
      edges: [{ kind: "reply", from: "read", to: "read_ok", count: 1 }],
    });
  });
});
