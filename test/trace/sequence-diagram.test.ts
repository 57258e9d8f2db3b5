// toSequenceDiagram: one arrow per delivered or dropped message, drawn at delivery/drop time,
// faults and state changes as notes, filters, elision, and escaping of nasty names.
import { describe, expect, it } from "vitest";
import { SEQUENCE_CHARS_MAX, SEQUENCE_NOTES_MAX, toSequenceDiagram, type TraceEvent } from "../../lib/trace";
import { EVENTS, fixtureTrace } from "./fixtures";

const lines = (...xs: string[]): string => xs.join("\n");

describe("toSequenceDiagram", () => {
  it("draws the whole fixture run: arrows, a duplicate, drops with reasons, notes", () => {
    expect(toSequenceDiagram(fixtureTrace())).toBe(
      lines(
        "sequenceDiagram",
        "  participant n1",
        "  participant n2",
        "  participant c1",
        "  Note over n1: state follower",
        "  Note over n2: state follower",
        "  c1->>n1: write #35;1",
        "  n1->>n2: append #35;1",
        "  n2->>n1: append_ok #35;1 ↩1",
        "  n2-->>n1: append_ok #35;1 ↩1 (duplicate)",
        "  Note over n1,c1: partition n1 c1 #124; n2",
        "  n1->>c1: write_ok #35;2 ↩1",
        "  c1->>n1: read #35;2",
        "  n1-xn2: append #35;3 (dropped#58; partition)",
        "  Note over n2: follower → candidate (election timeout)",
        "  n1-xc1: read_ok #35;4 ↩2 (dropped#58; loss)",
        "  Note over n1,c1: healed",
        "  Note over c1: rpc read #35;2 to n1 timed out after 1 attempt",
        "  Note over n2: crashed",
        "  Note over n2: restarted (incarnation 2)",
        "  Note over n2: state follower",
        "  Note over n1: error in read#58; boom",
        "  c1->>n2: bogus #35;3",
        "  Note over n2: no handler for bogus #35;3 from c1",
      ),
    );
  });

  it("takes lanes from spawn events when given a plain event list", () => {
    expect(toSequenceDiagram(EVENTS)).toBe(toSequenceDiagram(fixtureTrace()));
  });

  it("puts the requested nodes first, then their peers in spawn order, and keeps only their events", () => {
    const text = toSequenceDiagram(fixtureTrace(), { nodes: ["c1"], showStates: false });
    expect(text).toBe(
      lines(
        "sequenceDiagram",
        "  participant c1",
        "  participant n1",
        "  participant n2",
        "  c1->>n1: write #35;1",
        "  Note over c1,n2: partition n1 c1 #124; n2",
        "  n1->>c1: write_ok #35;2 ↩1",
        "  c1->>n1: read #35;2",
        "  n1-xc1: read_ok #35;4 ↩2 (dropped#58; loss)",
        "  Note over c1,n2: healed",
        "  Note over c1: rpc read #35;2 to n1 timed out after 1 attempt",
        "  c1->>n2: bogus #35;3",
        "  Note over n2: no handler for bogus #35;3 from c1",
      ),
    );
  });

  it("filters by message type and time window", () => {
    const text = toSequenceDiagram(fixtureTrace(), { types: ["append", "append_ok"], fromMs: 5, toMs: 16, showStates: false });
    expect(text.split("\n").slice(4)).toEqual([
      "  n1->>n2: append #35;1",
      "  n2->>n1: append_ok #35;1 ↩1",
      "  n2-->>n1: append_ok #35;1 ↩1 (duplicate)",
      "  Note over n1,c1: partition n1 c1 #124; n2",
      "  n1-xn2: append #35;3 (dropped#58; partition)",
    ]);
  });

  it("elides messages past maxMessages with one explicit note", () => {
    const text = toSequenceDiagram(fixtureTrace(), { maxMessages: 2, showStates: false });
    expect(text.split("\n").slice(4)).toEqual([
      "  c1->>n1: write #35;1",
      "  n1->>n2: append #35;1",
      "  Note over n1,c1: … 7 more messages and 7 notes not shown",
    ]);
    const many: TraceEvent[] = [];
    for (let i = 0; i < 1236; i++) many.push({ kind: "deliver", timeMs: i, id: i, src: "a", dest: "b", type: "ping", sentMs: i, duplicate: false });
    expect(toSequenceDiagram(many, { maxMessages: 2 }).split("\n").pop()).toBe("  Note over a,b: … 1234 more messages not shown");
    expect(toSequenceDiagram(many).split("\n").filter((l) => l.includes("->>"))).toHaveLength(250);
  });

  it("elides notes past maxNotes: the diagram ends at the first limit reached", () => {
    const text = toSequenceDiagram(fixtureTrace(), { maxNotes: 2 });
    expect(text.split("\n").slice(4)).toEqual([
      "  Note over n1: state follower",
      "  Note over n2: state follower",
      "  Note over n1,c1: … 9 more messages and 9 notes not shown",
    ]);
    const notesOnly: TraceEvent[] = [];
    for (let i = 0; i < 5; i++) notesOnly.push({ kind: "crash", timeMs: i, node: "a" });
    expect(toSequenceDiagram(notesOnly, { maxNotes: 2 }).split("\n").slice(-1)).toEqual(["  Note over a: … 3 more notes not shown"]);
  });

  it("keeps a run of constant state changes under Mermaid's 50 000 characters by default", () => {
    // Three nodes changing state every 1 ms for 1 s (and pinging each other): 3000 notes.
    const events: TraceEvent[] = ["n1", "n2", "n3"].map((node) => ({ kind: "spawn", timeMs: 0, node, role: "r" }));
    let id = 0;
    for (let t = 1; t <= 1000; t++) {
      for (const node of ["n1", "n2", "n3"]) {
        events.push({ kind: "state", timeMs: t, node, role: "r", from: t % 2 ? "a" : "b", to: t % 2 ? "b" : "a", cause: `tick ${t}` });
      }
      if (t % 10 === 0) events.push({ kind: "deliver", timeMs: t, id: ++id, src: "n1", dest: "n2", type: "ping", msgId: id, sentMs: t - 1, duplicate: false });
    }
    const text = toSequenceDiagram(events, { showTime: true });
    expect(text.length).toBeLessThanOrEqual(SEQUENCE_CHARS_MAX);
    const drawn = text.split("\n");
    expect(drawn.filter((l) => l.startsWith("  Note over n") && !l.includes("not shown"))).toHaveLength(SEQUENCE_NOTES_MAX);
    expect(drawn.pop()).toBe("  Note over n1,n3: … 92 more messages and 2750 notes not shown");
    expect(toSequenceDiagram(events, { maxNotes: Infinity, maxChars: Infinity }).length).toBeGreaterThan(100_000);
  });

  it("stops at maxChars with an explicit note, whatever the labels, lanes and title", () => {
    const long = "x;".repeat(1000); // "#59;" for every ";"
    const events: TraceEvent[] = [];
    for (let i = 0; i < 3000; i++) events.push({ kind: "spawn", timeMs: 0, node: `node ${i} ${long}`, role: "r" });
    for (let i = 0; i < 3000; i++) {
      events.push({ kind: "deliver", timeMs: i, id: i, src: `node ${i} ${long}`, dest: `node ${(i + 1) % 3000} ${long}`, type: long, sentMs: i, duplicate: false });
      events.push({ kind: "log", timeMs: i, node: `node ${i} ${long}`, text: long });
    }
    const text = toSequenceDiagram(events, { title: long, showLogs: true, label: (_, base) => base + long });
    expect(text.length).toBeLessThanOrEqual(SEQUENCE_CHARS_MAX);
    const last = text.split("\n").pop() as string;
    expect(last).toMatch(/^  Note over p0,p\d+: … \d+ more lanes, \d+ messages and \d+ notes not shown \(diagram text limit, 45000 characters\)$/);
    expect(text.split("\n").some((l) => l.includes("->>"))).toBe(true);

    const few = toSequenceDiagram(fixtureTrace(), { maxChars: 400 });
    expect(few.length).toBeLessThanOrEqual(400);
    expect(few.split("\n").pop()).toMatch(/^  Note over n1,c1: … \d+ more messages and \d+ notes not shown \(diagram text limit, 400 characters\)$/);
  });

  it("numbers arrows, shows virtual time and adds a key field through the label callback", () => {
    const text = toSequenceDiagram(fixtureTrace(), {
      types: ["write", "write_ok"],
      autonumber: true,
      showTime: true,
      showStates: false,
      toMs: 10,
      title: "Write path",
      label: (m, base) => (m.type === "write" ? `${base} ${(m.body as { key: string }).key}=${(m.body as { value: number }).value}` : base),
    });
    expect(text).toBe(
      lines(
        "sequenceDiagram",
        "  title Write path",
        "  autonumber",
        "  participant n1",
        "  participant n2",
        "  participant c1",
        "  c1->>n1: t=3ms write #35;1 x=3",
        "  Note over n1,c1: t=10ms partition n1 c1 #124; n2",
        "  n1->>c1: t=10ms write_ok #35;2 ↩1",
      ),
    );
  });

  it("shows timers and log lines only when asked", () => {
    const plain = toSequenceDiagram(fixtureTrace());
    expect(plain).not.toContain("heartbeat");
    expect(plain).not.toContain("hello");
    const verbose = toSequenceDiagram(fixtureTrace(), { showTimers: true, showLogs: true });
    expect(verbose).toContain("  Note over n1: periodic timer heartbeat fired");
    expect(verbose).toContain("  Note over n1: hello#59; world");
  });

  it("gives nodes that are not plain identifiers an alias and escapes every label", () => {
    const events: TraceEvent[] = [
      { kind: "spawn", timeMs: 0, node: "end", role: "x" },
      { kind: "spawn", timeMs: 0, node: 'node "1"; #2', role: "x" },
      { kind: "spawn", timeMs: 0, node: "中文 🚀", role: "x" },
      { kind: "deliver", timeMs: 1, id: 1, src: "end", dest: 'node "1"; #2', type: "a-->b: {x}", sentMs: 0, duplicate: false },
      { kind: "drop", timeMs: 2, id: 2, src: "中文 🚀", dest: "end", type: "<b>%%", sentMs: 0, reason: "crashed", duplicate: false },
      { kind: "cut", timeMs: 3, from: "end", to: "中文 🚀" },
    ];
    expect(toSequenceDiagram(events)).toBe(
      lines(
        "sequenceDiagram",
        "  participant p0 as end",
        "  participant p1 as node #34;1#34;#59; #35;2",
        "  participant p2 as 中文 🚀",
        "  p0->>p1: a--#62;b#58; #123;x#125;",
        "  p2-xp0: #60;b#62;#37;#37; (dropped#58; crashed)",
        "  Note over p0,p2: cut end → 中文 🚀",
      ),
    );
  });

  it("explains its notation in a legend note when asked: arrow time, #N and ↩N", () => {
    const legend = (options: Parameters<typeof toSequenceDiagram>[1]) => toSequenceDiagram(fixtureTrace(), { ...options, types: ["write"], showStates: false }).split("\n")[4];
    // beside the first lane, one part per line (a note over several lanes would not grow with its text)
    expect(legend({ legend: true })).toBe(
      "  Note right of n1: arrows are drawn when the message arrived (or was dropped)<br/>#35;N = msg_id<br/>↩N = in reply to msg_id N",
    );
    expect(legend({ legend: true, showTime: true })).toBe("  Note right of n1: t= arrival (or drop) time<br/>#35;N = msg_id<br/>↩N = in reply to msg_id N");
    expect(legend({ legend: true, showSentTime: true })).toBe("  Note right of n1: t=sent→arrival (or drop) time<br/>#35;N = msg_id<br/>↩N = in reply to msg_id N");
    // without the option the diagram is as before: no legend
    expect(toSequenceDiagram(fixtureTrace())).not.toContain("msg_id");
  });

  it("shows the send time next to the arrival time with showSentTime", () => {
    const text = toSequenceDiagram(fixtureTrace(), { types: ["read", "read_ok"], showStates: false, showSentTime: true });
    expect(text.split("\n").filter((l) => !l.includes("Note") && l.includes(": "))).toEqual([
      "  c1->>n1: t=11→15ms read #35;2",
      "  n1-xc1: t=15→18ms read_ok #35;4 ↩2 (dropped#58; loss)",
    ]);
    // notes have one time only
    expect(text).toContain("  Note over n1,c1: t=20ms healed");
  });

  it("draws an empty trace as an empty diagram", () => {
    expect(toSequenceDiagram([])).toBe("sequenceDiagram");
  });
});
