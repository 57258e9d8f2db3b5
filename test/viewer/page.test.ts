// The viewer's page without a browser: one self-contained HTML file (inline style, script and data;
// nothing fetched, no CDN, no address at all), its packed data carries the whole playback model,
// the message bodies cannot break out of it, and the page stays small: a run of 1,000 messages
// makes a page under PAGE_BYTES_MAX_1000 (the measured size is printed).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { Simulation, latency } from "../../lib";
import { VIEWER_SCRIPT, showRun, frameAt, playbackModel, viewerFragment, viewerHtml, type PlaybackFrame, type PlaybackModel } from "../../lib/viewer";
import { VIEWER_EVENTS } from "./fixtures";

/** The bound on the page of a 1,000-message run (measured: 121,903 bytes, of which an empty run's page, script and style, is 22 KB). */
const PAGE_BYTES_MAX_1000 = 140_000;

/** The JSON data inside a page or fragment. */
function pageData(html: string): Record<string, unknown> {
  const m = /<script type="application\/json" class="dv-data">([^<]*)<\/script>/.exec(html);
  if (!m) throw new Error("no data in the page");
  return JSON.parse(m[1]);
}

/** `messages` messages among five nodes (each sends one every 5 ms until there are enough), with loss, duplicates and a crash. */
async function busyRun(messages: number): Promise<Simulation> {
  const sim = new Simulation({ seed: 3, network: { latency: latency.uniform(2, 12), lossProbability: 0.05, duplicationProbability: 0.02 } });
  const ids = ["n1", "n2", "n3", "n4", "n5"];
  let sent = 0;
  for (const id of ids) {
    sim.spawn(id, (node) => {
      node.on("gossip", () => {});
      node.setPeriodic(5, () => {
        if (sent >= messages) return;
        sent++;
        node.send(ids[(ids.indexOf(id) + 1 + (sent % 4)) % 5], { type: "gossip", n: sent, rumour: "r" + (sent % 17) });
      }, "gossip");
    });
  }
  sim.at(100, () => sim.crash("n3"));
  await sim.runFor(2_000);
  return sim;
}

/** The page script's own sums, run in Node (where it has no document, it returns them instead of starting). */
const pageScript = new Function(`return (${VIEWER_SCRIPT})("none");`)() as {
  unpack(data: unknown): unknown;
  frameAt(model: unknown, timeMs: number): PlaybackFrame;
};

/** The page's frames at every step and halfway between steps equal playback.ts's. */
function expectSameFrames(html: string, model: PlaybackModel): number {
  const unpacked = pageScript.unpack(pageData(html));
  const times = model.times.flatMap((t, i) => [t, i + 1 < model.times.length ? (t + model.times[i + 1]) / 2 : t + 1]);
  // JSON as the page's state() returns it (-Infinity, the first network state's time, becomes null)
  const json = (f: PlaybackFrame) => JSON.stringify(f);
  for (const t of times) expect(json(pageScript.frameAt(unpacked, t)), `t=${t}`).toBe(json(frameAt(model, t)));
  return times.length;
}

describe("viewerHtml", () => {
  it("is one self-contained page: inline style, script and data; no address, no fetch, no external resource", () => {
    const html = viewerHtml(VIEWER_EVENTS, { title: "hand-built" });
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(html).not.toMatch(/https?:|\/\/[a-z]/i); // no URL at all, so nothing on a CDN
    expect(html).not.toMatch(/<link|<img|<iframe|\ssrc=|@import|url\(/i);
    expect(html).not.toMatch(/\bfetch\(|XMLHttpRequest|import\(|WebSocket|EventSource|sendBeacon/);
    expect(html.match(/<script/g)?.length).toBe(2); // the data and the viewer, both inline
    expect(html).toContain('<div id="distlab-viewer" class="distlab-viewer">');
    expect(html).toContain("<title>hand-built</title>");
    expect(VIEWER_SCRIPT).toContain("window.distlabViewer = api");
  });

  it("packs the whole model: copies, crashes, partitions, states, timers, bodies", () => {
    const data = pageData(viewerHtml(VIEWER_EVENTS, { nodes: ["a"], types: ["ping"], atMs: 13, speed: 2 }));
    const model = playbackModel(VIEWER_EVENTS);
    expect(data.nodes).toEqual(model.nodes);
    expect(data.times).toEqual(model.times);
    expect(data.copies).toEqual([
      [1, 0, 1, 0, 1, 5, 0, 0, -1],
      [2, 0, 2, 0, 2, 2, 1, 0, 0],
      [3, 1, 2, 0, 3, 7, 0, 0, -1],
      [3, 1, 2, 0, 3, 9, 0, 1, -1],
      [4, 0, 2, 0, 11, 15, 1, 0, 1],
      [5, 0, 1, 0, 21, 24, 1, 0, 2],
      [6, 1, 0, 0, 40, null, 2, 0, -1],
    ]);
    expect(data.reasons).toEqual(["loss", "crashed", "partition"]);
    expect(data.down).toEqual([[2, 0, 10, 30, 14]]);
    expect(data.network).toEqual([[null, [], [], []], [20, [[0], [1, 2]], [], []], [30, [], [], []]]);
    expect(data.names).toEqual(["raft", "follower", "leader", "election"]);
    expect(data.states).toEqual([[0, 0, 0, 1, 3], [0, 1, 0, 1, 4], [0, 2, 0, 1, 5], [12, 0, 0, 2, 17], [31, 2, 0, 1, 24]]);
    expect(data.timers).toEqual([[12, 0, 3]]);
    expect((data.bodies as Record<string, unknown>)["3"]).toEqual({ n: 3, msg_id: 3 }); // the type goes back in from the copy
    expect([data.showNodes, data.showTypes, data.atMs, data.speed]).toEqual([["a"], ["ping"], 13, 2]);
  });

  it("the page's script computes the same frames as playbackModel and frameAt (and puts each body's type back)", async () => {
    expect(expectSameFrames(viewerHtml(VIEWER_EVENTS), playbackModel(VIEWER_EVENTS))).toBe(34);
    const unpacked = pageScript.unpack(pageData(viewerHtml(VIEWER_EVENTS))) as { copies: Array<{ key: string; body: unknown }> };
    expect(unpacked.copies.find((c) => c.key === "3.2")?.body).toEqual({ type: "ping", n: 3, msg_id: 3 });
    const sim = await busyRun(200);
    expect(expectSameFrames(viewerHtml(sim.trace), playbackModel(sim.trace))).toBeGreaterThan(400);
  });

  it("keeps message bodies and titles inside the data: no </script>, no address", () => {
    const events = VIEWER_EVENTS.map((e) =>
      e.kind === "send" && e.id === 1 ? { ...e, json: JSON.stringify({ type: "ping", text: "</script><script>alert(1)</script> https://example.com/x & <b>", msg_id: 1 }) } : e,
    );
    const html = viewerHtml(events, { title: "</title><script>alert(2)</script>" });
    expect(html).not.toContain("alert(1)</script>");
    expect(html).not.toContain("<script>alert(2)");
    expect(html).not.toContain("https://");
    expect((pageData(html).bodies as Record<string, { text: string }>)["1"].text).toBe("</script><script>alert(1)</script> https://example.com/x & <b>");
  });

  it("as a fragment for a notebook: a root id of its own, the fallback shown until the script runs", () => {
    const a = viewerFragment(VIEWER_EVENTS, {}, "<p>trust me</p>");
    const b = viewerFragment(VIEWER_EVENTS, {}, "<p>trust me</p>");
    const id = (html: string) => /^<div id="([^"]+)"/.exec(html)?.[1];
    expect(id(a)).toMatch(/^distlab-viewer-[0-9a-f]+-\d+$/);
    expect(id(a)).not.toBe(id(b));
    expect(a).toContain('<div class="dv-fallback"><p>trust me</p></div><div class="dv-app"></div>');
    expect(a).toContain(`)(${JSON.stringify(id(a))});</script>`);
  });

  it("showRun outside a notebook only writes the standalone page (with `file`)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "distlab-showrun-"));
    try {
      const file = path.join(dir, "run.html");
      expect(await showRun(VIEWER_EVENTS, { title: "hand-built", file })).toBe(file);
      expect(fs.readFileSync(file, "utf8")).toBe(viewerHtml(VIEWER_EVENTS, { title: "hand-built" }));
      expect(await showRun(VIEWER_EVENTS)).toBeUndefined();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it(`a run of 1,000 messages makes a page under ${PAGE_BYTES_MAX_1000} bytes`, async () => {
    const sim = await busyRun(1_000);
    const sends = sim.trace.countsByKind().send ?? 0;
    expect(sends).toBe(1_000);
    const bytes = Buffer.byteLength(viewerHtml(sim.trace));
    const empty = Buffer.byteLength(viewerHtml([]));
    console.log(`viewer page: ${sends} messages → ${bytes} bytes (${(bytes / 1024).toFixed(1)} KB; an empty run: ${empty} bytes)`);
    expect(bytes).toBeLessThan(PAGE_BYTES_MAX_1000);
  });
});
