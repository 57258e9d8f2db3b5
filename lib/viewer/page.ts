/**
 * The viewer as HTML: one self-contained page — inline CSS, the browser script (page-script.ts)
 * and the run's playback model packed as JSON. Nothing is fetched: the page works offline, from a
 * file, on a projector. The controls are made by the script, so without it only the fallback shows. {@link viewerFragment} is the same view as a fragment for a notebook
 * output, with a static fallback shown until (and unless) the script runs.
 *
 * The DOM, for tests and styling: the root `.distlab-viewer`; nodes `[data-node="n1"]` with the
 * classes `crashed`, `left`, `absent`, `isolated` and `data-state` (the label is `.dv-state`);
 * copies in flight `.dv-msg[data-message-id][data-copy]` (`.dv-dup` for a duplicate), drop marks
 * `.dv-drop[data-reason]`; a partition's cut lines `.dv-partition` and one-way cuts `.dv-cut`;
 * controls `.dv-play`, `.dv-prev`, `.dv-next`, `.dv-speed`, `.dv-slider`, `.dv-time`; the hover or
 * click details `.dv-info`, the events of the current step `.dv-log`.
 */
import { escapeHtml } from "../render/index";
import { VIEWER_SCRIPT } from "./page-script";
import { playbackModel, type PlaybackModel, type PlaybackOptions } from "./playback";
import type { ViewerSource } from "./trace-file";

/** Options of {@link viewerHtml}. */
export interface ViewerOptions extends PlaybackOptions {
  /** Show only messages involving these nodes at first (the page's node filter). */
  nodes?: readonly string[];
  /** Show only messages of these types at first (the page's type filter). */
  types?: readonly string[];
  /** Start at this virtual time (default: the start). */
  atMs?: number;
  /** Playback speed at first: 0.25, 0.5, 1, 2, 4 or 8 (default 1: one median flight a second). */
  speed?: number;
}

const CSS = `
.distlab-viewer{font:13px/1.35 system-ui,sans-serif;color:#222;max-width:900px}
.distlab-viewer .dv-title{font-weight:bold;margin:2px 0 6px}
.distlab-viewer .dv-note{margin:-2px 0 6px;color:#c92a2a}
.distlab-viewer .dv-controls{display:flex;gap:6px;align-items:center;flex-wrap:wrap}
.distlab-viewer .dv-controls button{min-width:32px;font-size:15px}
.distlab-viewer .dv-slider{flex:1;min-width:160px}
.distlab-viewer .dv-time{font-family:monospace;min-width:150px}
.distlab-viewer .dv-main{display:flex;gap:10px;align-items:flex-start;flex-wrap:wrap}
.distlab-viewer .dv-svg{width:560px;max-width:100%;height:auto;border:1px solid #ddd;background:#fcfcfc}
.distlab-viewer .dv-side{flex:1;min-width:220px;max-width:320px}
.distlab-viewer .dv-info,.distlab-viewer .dv-log{border:1px solid #eee;padding:4px;margin-bottom:6px;min-height:40px;max-height:220px;overflow:auto;font-size:12px}
.distlab-viewer .dv-info pre{margin:4px 0 0;white-space:pre-wrap;word-break:break-all}
.distlab-viewer .dv-body{fill:#dee2e6;stroke:#495057;stroke-width:1.5}
.distlab-viewer .dv-name{text-anchor:middle;font-size:12px;font-weight:bold;pointer-events:none}
.distlab-viewer .dv-state{text-anchor:middle;font-size:11px;fill:#333}
.distlab-viewer .dv-timer{fill:none;stroke:none}
.distlab-viewer .dv-timer-fired .dv-timer{stroke:#6c757d;stroke-dasharray:3 3}
.distlab-viewer .dv-node.crashed .dv-body,.distlab-viewer .dv-node.left .dv-body{fill:#adb5bd!important;stroke:#868e96;stroke-dasharray:4 3}
.distlab-viewer .dv-node.crashed text,.distlab-viewer .dv-node.left text{fill:#868e96}
.distlab-viewer .dv-node.absent{opacity:.25}
.distlab-viewer .dv-node.isolated .dv-body{stroke:#d62828;stroke-width:3}
.distlab-viewer [data-partition="0"] .dv-body{stroke:#1971c2;stroke-width:3}
.distlab-viewer [data-partition="1"] .dv-body{stroke:#e8590c;stroke-width:3}
.distlab-viewer [data-partition="2"] .dv-body{stroke:#2f9e44;stroke-width:3}
.distlab-viewer [data-partition="3"] .dv-body{stroke:#9c36b5;stroke-width:3}
.distlab-viewer .dv-dim{opacity:.35}
.distlab-viewer .dv-group{text-anchor:middle;font-size:12px;fill:#6c757d;font-style:italic}
.distlab-viewer .dv-partition{stroke:#d62828;stroke-width:2.5;stroke-dasharray:8 5}
.distlab-viewer .dv-cut{stroke:#d62828;stroke-width:1.5;stroke-dasharray:2 4}
.distlab-viewer .dv-track{stroke:#1971c2;stroke-opacity:.18;stroke-width:1.5}
.distlab-viewer .dv-msg circle{fill:#1971c2;stroke:#fff;stroke-width:1}
.distlab-viewer .dv-msg.dv-dup circle{fill:#9c36b5}
.distlab-viewer .dv-drop path{stroke:#d62828;stroke-width:3}
.distlab-viewer .dv-msg,.distlab-viewer .dv-drop,.distlab-viewer .dv-node{cursor:pointer}
.distlab-viewer .dv-filters label{white-space:nowrap;margin-right:6px}
`;

/** The run as packed for the page: short arrays instead of objects, node and type names by index. */
function pack(model: PlaybackModel, options: ViewerOptions, app: string): string {
  const node = new Map(model.nodes.map((n, i) => [n, i]));
  const idx = (n: string): number => {
    if (!node.has(n)) throw new Error(`viewer: node ${n} is not in the model`);
    return node.get(n)!;
  };
  const type = new Map(model.types.map((t, i) => [t, i]));
  const reasons: string[] = [];
  /** Timer names, roles and states, each once. */
  const names: string[] = [];
  const nameIdx = new Map<string, number>();
  const name = (n: string): number => {
    if (!nameIdx.has(n)) nameIdx.set(n, names.push(n) - 1);
    return nameIdx.get(n)!;
  };
  const fin = (x: number): number | null => (Number.isFinite(x) ? x : null);
  const bodies: string[] = [];
  const bodyDone = new Set<number>();
  const copies = model.copies.map((c) => {
    if (!bodyDone.has(c.id)) {
      bodyDone.add(c.id);
      // Without its `"type":…` (the copy has it): the script puts it back first.
      const head = `{"type":${JSON.stringify(c.type)}`;
      const body = c.json === "" ? "null" : c.json.startsWith(head + ",") ? `{${c.json.slice(head.length + 1)}` : c.json.startsWith(head + "}") ? "{}" : c.json;
      bodies.push(`${JSON.stringify(String(c.id))}:${body}`);
    }
    let reason = -1;
    if (c.reason !== undefined) {
      reason = reasons.indexOf(c.reason);
      if (reason < 0) reason = reasons.push(c.reason) - 1;
    }
    return [c.id, idx(c.src), idx(c.dest), type.get(c.type), c.sentMs, fin(c.endMs), ["delivered", "dropped", "pending"].indexOf(c.fate), c.duplicate ? 1 : 0, reason];
  });
  const data = {
    title: model.title,
    seed: model.seed,
    nodes: model.nodes,
    groups: model.groups,
    places: model.nodes.map((n) => [model.places[n].x, model.places[n].y, model.places[n].group]),
    size: [model.size.width, model.size.height],
    types: model.types,
    startMs: model.startMs,
    endMs: model.endMs,
    markMs: model.markMs,
    times: model.times,
    copies,
    reasons,
    down: model.down.map((d) => [idx(d.node), d.kind === "left" ? 1 : 0, d.fromMs, fin(d.toMs), d.seq]),
    joined: model.joinedMs,
    network: model.network.map((n) => [fin(n.atMs), n.groups.map((g) => g.filter((x) => node.has(x)).map(idx)), n.cuts.filter((c) => c.every((x) => node.has(x))).map((c) => c.map(idx)), n.isolated.filter((x) => node.has(x)).map(idx)]),
    states: model.states.map((s) => [s.atMs, idx(s.node), name(s.role), name(s.state), s.seq]),
    timers: model.timers.map((f) => [f.atMs, idx(f.node), name(f.name)]),
    names,
    showNodes: options.nodes,
    showTypes: options.types,
    atMs: options.atMs,
    speed: options.speed,
    app,
  };
  // The bodies go in as the JSON they were sent as (no second escaping); everything as JSON safe
  // inside <script>: no "<", ">", "&" and no "/" (so no "</script>", and no "://" anywhere).
  const json = JSON.stringify(data).replace(/}$/, `,"bodies":{${bodies.join(",")}}}`);
  return json.replace(/[<>&/\u2028\u2029]/g, (c) => (c === "/" ? "\\/" : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`));
}

const SPEEDS = [0.25, 0.5, 1, 2, 4, 8];

/**
 * How many viewers this process has made. A root id is the page's hash and this count, so that
 * viewers stay apart in one notebook, also from outputs kept from an earlier kernel.
 */
let made = 0;

/** A short hash of a text (32-bit FNV-1a, in hex). */
function textHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16);
}

/**
 * The viewer as an HTML fragment (a `<div class="distlab-viewer">` with its style, data and
 * script), for a notebook output; `fallbackHtml` is shown until the script runs (and stays when it
 * does not, as in an untrusted notebook). `rootId` defaults to one unique in this process.
 *
 * @example
 * displayBundle({ "text/plain": "run", "text/html": viewerFragment(sim.trace, {}, "<p>trust the notebook</p>") });
 */
export function viewerFragment(source: ViewerSource, options: ViewerOptions = {}, fallbackHtml = "", rootId?: string): string {
  return fragmentOf(playbackModel(source, options), options, fallbackHtml, rootId);
}

function fragmentOf(model: PlaybackModel, options: ViewerOptions, fallbackHtml: string, rootId: string | undefined): string {
  const caption = [model.title, model.seed !== undefined ? `seed ${model.seed}` : undefined].filter((x) => x !== undefined).join(" · ");
  const speed = options.speed ?? 1;
  const speeds = SPEEDS.map((s) => `<option value="${s}"${s === speed ? " selected" : ""}>${s}×</option>`).join("");
  // The controls go in by the script (from `app` in the data), so that a page or a notebook
  // output whose script does not run (an untrusted notebook) shows only the fallback.
  const app =
    (caption ? `<div class="dv-title">${escapeHtml(caption)}</div>` : "") +
    (model.note ? `<div class="dv-note">${escapeHtml(model.note)}</div>` : "") +
    `<div class="dv-controls">` +
    `<button class="dv-prev" title="previous event">|◀</button>` +
    `<button class="dv-play" title="play / pause" data-playing="false">▶</button>` +
    `<button class="dv-next" title="next event">▶|</button>` +
    `<select class="dv-speed" title="speed">${speeds}</select>` +
    `<input class="dv-slider" type="range" aria-label="time">` +
    `<span class="dv-time"></span></div>` +
    `<div class="dv-main"><svg class="dv-svg" role="img" aria-label="the run"></svg>` +
    `<div class="dv-side"><div class="dv-info">Hover or click a message or a node.</div><div class="dv-log"></div>` +
    `<details class="dv-filters"><summary>Filters</summary><div>nodes: <span class="dv-filter-nodes"></span></div>` +
    `<div>types: <span class="dv-filter-types"></span></div></details></div></div>`;
  const data = pack(model, options, app);
  const id = rootId ?? `distlab-viewer-${textHash(data)}-${++made}`;
  return (
    `<div id="${escapeHtml(id)}" class="distlab-viewer">` +
    `<style>${CSS}</style>` +
    `<div class="dv-fallback">${fallbackHtml}</div>` +
    `<div class="dv-app"></div>` +
    `<script type="application/json" class="dv-data">${data}</script>` +
    `<script>(${VIEWER_SCRIPT})(${JSON.stringify(id)});</script>` +
    `</div>`
  );
}

/**
 * One self-contained HTML page that plays the run: nodes on a circle (or in named groups), each
 * copy of a message travelling over its virtual flight time, drops marked, crashed nodes greyed,
 * partitions as cut lines, states as colour and label, timers as rings; a time slider, play /
 * pause, speed, step to the next or previous event, hover or click for details, filters by node
 * and type. No network access: everything is inline.
 *
 * @example
 * fs.writeFileSync("run.html", viewerHtml(sim.trace, { title: "ping under loss" }));
 * viewerHtml(loadTrace("build/failures/00.1-ping-pong-seed-7.trace.json"));
 */
export function viewerHtml(source: ViewerSource, options: ViewerOptions = {}): string {
  const model = playbackModel(source, options);
  const title = model.title ?? "distlab run";
  const note = `<p>This page plays a distlab run; it needs JavaScript.</p>`;
  return (
    `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>${escapeHtml(title)}</title></head>\n<body>\n` +
    fragmentOf(model, options, note, "distlab-viewer") +
    `\n</body></html>\n`
  );
}
