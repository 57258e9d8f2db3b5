// Every exporter's Mermaid text is accepted by the REAL Mermaid 11 (lib/render's MermaidRenderer:
// one headless Chromium for the whole file) and shows names exactly, however nasty they are.
// Without Chromium, `npm test` skips these (and says so at the end) unless CI is set: see
// browserTestsSkipped in lib/render/paths.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MermaidRenderer, MermaidRenderError, browserTestsSkipped } from "../../lib/render";
import { Simulation } from "../../lib/simulation";
import type { Node } from "../../lib/node";
import { SEQUENCE_CHARS_MAX, toMessageFlowGraph, toSequenceDiagram, toStateDiagram, type TraceEvent } from "../../lib/trace";
import { NASTY_NAMES, fixtureTrace, nastyEvents } from "./fixtures";

const TIMEOUT_MS = 60_000;
let renderer: MermaidRenderer;

beforeAll(async () => {
  if (!browserTestsSkipped()) renderer = await MermaidRenderer.launch({ timeoutMs: TIMEOUT_MS });
}, TIMEOUT_MS);

afterAll(async () => {
  await renderer?.close();
}, TIMEOUT_MS);

/** Renders or fails the test with Mermaid's own parse error. */
async function render(text: string): Promise<string> {
  const svg = await renderer.renderSvg(text);
  expect(svg).toContain("<svg");
  return svg;
}

/** The text an SVG shows: text nodes, entities decoded, whitespace collapsed. */
function shownTexts(svg: string): string[] {
  const decode = (s: string) =>
    s
      .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
      .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'")
      .replace(/&nbsp;/g, " ")
      .replace(/&amp;/g, "&");
  return [...svg.matchAll(/>([^<>]+)</g)].map((m) => normalize(decode(m[1])));
}

/** How a name should look once drawn: controls and line breaks as spaces, trimmed, spaces collapsed. */
function normalize(text: string): string {
  return text
    .replace(/\u2060/g, "") // the invisible word joiner kept between Mermaid's placeholder pairs
    .replace(/[\p{Cc}\u2028\u2029\s]+/gu, " ")
    .trim();
}

function expectShown(svg: string, names: readonly string[], decorate: (name: string) => string): void {
  const texts = shownTexts(svg);
  const missing = names.filter((n) => normalize(n) !== "").filter((n) => !texts.some((t) => t.includes(normalize(decorate(n)))));
  expect(missing).toEqual([]);
}

describe.skipIf(browserTestsSkipped())("the renderer rejects what Mermaid draws instead of a diagram", () => {
  it("rejects a text over Mermaid's maxTextSize (Mermaid would draw \"Maximum text size in diagram exceeded\")", async () => {
    const oversize = "sequenceDiagram\n" + "  a->>b: ping\n".repeat(4000);
    expect(oversize.length).toBeGreaterThan(50_000);
    const error = await renderer.renderSvg(oversize).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MermaidRenderError);
    expect((error as Error).message).toMatch(/^Maximum text size in diagram exceeded: .* of 56016 characters \(its maxTextSize is 50000\)/);
    // the same text with the diagram's own words in it is still a real diagram
    await render("graph LR\n  a[Maximum text size in diagram exceeded]");
  }, TIMEOUT_MS);

  it("rejects Mermaid's \"Syntax error in text\" diagram", async () => {
    await expect(renderer.renderSvg("error")).rejects.toThrow(/^Syntax error in text: Mermaid drew its error diagram/);
    await render("sequenceDiagram\n  a->>b: Syntax error in text");
  }, TIMEOUT_MS);

  it("renders the default sequence diagram of 3000 state changes, cut under the limit", async () => {
    const events: TraceEvent[] = [];
    for (let t = 1; t <= 1000; t++) for (const node of ["n1", "n2", "n3"]) events.push({ kind: "state", timeMs: t, node, role: "r", to: t % 2 ? "up" : "down", cause: `tick ${t}` });
    const text = toSequenceDiagram(events, { showTime: true });
    expect(text.length).toBeLessThanOrEqual(SEQUENCE_CHARS_MAX);
    expect(shownTexts(await render(text))).toContain("… 2750 more notes not shown");
  }, TIMEOUT_MS);
});

describe.skipIf(browserTestsSkipped())("Mermaid accepts the exporters' output (real parser)", () => {
  it("sequence diagrams of the fixture run, with every option", async () => {
    const trace = fixtureTrace();
    await render(toSequenceDiagram(trace));
    await render(toSequenceDiagram(trace, { nodes: ["n2"], maxMessages: 2, autonumber: true, showTime: true, showTimers: true, showLogs: true, title: "Run #1; seed=1" }));
    await render(toSequenceDiagram(trace, { label: (m, base) => `${base} ${JSON.stringify(m.body)}` }));
    await render(toSequenceDiagram([]));
  }, TIMEOUT_MS);

  it("state and message-flow diagrams of the fixture run", async () => {
    const trace = fixtureTrace();
    await render(toStateDiagram(trace, { role: "raft" }));
    await render(toStateDiagram(trace, { role: "raft", showCrashes: true }));
    await render(toMessageFlowGraph(trace));
    await render(toMessageFlowGraph(trace, { causal: true, direction: "TB" }));
    await render(toMessageFlowGraph([]));
  }, TIMEOUT_MS);

  it("a sequence diagram whose nodes, types, notes and label callback use nasty names", async () => {
    const events = nastyEvents(NASTY_NAMES);
    const text = toSequenceDiagram(events, {
      showLogs: true,
      showTimers: true,
      showTime: true,
      autonumber: true,
      maxMessages: 10_000,
      maxNotes: 10_000,
      maxChars: 50_000,
      title: NASTY_NAMES.join(" "),
      label: (m, base) => `${base} ${String((m.body as { type?: string } | undefined)?.type)}`,
    });
    expect(text).not.toContain("not shown");
    const svg = await render(text);
    expectShown(svg, NASTY_NAMES, (n) => n); // participant names
    expectShown(svg, NASTY_NAMES, (n) => `${n} #`); // message types, followed by their msg_id
  }, TIMEOUT_MS);

  it("a state diagram whose states and causes are nasty names", async () => {
    const events = nastyEvents(NASTY_NAMES);
    const svg = await render(toStateDiagram(events, { showCrashes: true }));
    expectShown(svg, NASTY_NAMES, (n) => n);
  }, TIMEOUT_MS);

  it("a message-flow graph whose types and timers are nasty names", async () => {
    const events = nastyEvents(NASTY_NAMES);
    const svg = await render(toMessageFlowGraph(events, { causal: true }));
    expectShown(svg, NASTY_NAMES, (n) => `${n} ×`);
  }, TIMEOUT_MS);

  it("all three diagrams of a real simulated run with loss, duplication, a partition and a crash", async () => {
    const sim = new Simulation({ seed: 7, network: { lossProbability: 0.1, duplicationProbability: 0.1 } });
    const behaviour = (node: Node) => {
      node.setState("follower");
      node.on("ping", (m) => node.reply(m, { type: "pong" }));
      node.on("pong", () => {});
      node.setTimer(60, () => node.setState("candidate", "election timeout"), "election");
      node.setPeriodic(20, () => node.peers().forEach((p) => node.send(p, { type: "ping" })), "heartbeat");
    };
    for (const id of ["n1", "n2", "n3"]) sim.spawn(id, behaviour, { role: "raft" });
    sim.at(100, () => sim.partition([["n1"], ["n2", "n3"]]));
    sim.at(150, () => sim.crash("n3"));
    sim.at(180, () => sim.restart("n3"));
    sim.at(200, () => sim.heal());
    await sim.runUntilTime(300);
    const kinds = new Set(sim.trace.events.map((e) => e.kind));
    expect([...kinds]).toEqual(expect.arrayContaining(["deliver", "drop", "duplicate", "partition", "crash", "restart", "heal", "state"]));
    await render(toSequenceDiagram(sim.trace, { showTime: true, autonumber: true }));
    await render(toStateDiagram(sim.trace, { showCrashes: true }));
    await render(toMessageFlowGraph(sim.trace, { causal: true }));
  }, TIMEOUT_MS);
});
