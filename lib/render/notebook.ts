// determinism allow-list: rendering only, never affects a simulation run
/**
 * Notebook helpers: show a Mermaid diagram in the tslab kernel and keep its source as a .mmd file
 * under diagrams/. In the kernel one renderer process (render-process.ts) serves every call; it
 * exits with the kernel. Outside a kernel one shared in-process browser does, which never keeps
 * Node's event loop alive while idle.
 */

import * as fs from "node:fs";
import * as path from "node:path";
import { MermaidRenderer } from "./mermaid-renderer";
import { RenderProcess } from "./render-process";
import { displayBundle, escapeHtml, isTslabKernel } from "./display";
import { repoPath } from "./paths";

let shared: MermaidRenderer | undefined;
let launching: Promise<MermaidRenderer> | undefined;

/**
 * The process-wide renderer used by {@link showMermaid}, launched on first use and relaunched
 * if its browser died.
 *
 * @example
 * const svg = await (await sharedRenderer()).renderSvg("graph LR\n  a --> b");
 */
export function sharedRenderer(): Promise<MermaidRenderer> {
  if (shared && shared.connected) return Promise.resolve(shared);
  if (!launching) {
    const previous = shared;
    shared = undefined;
    if (previous) void previous.close();
    launching = MermaidRenderer.launch().then(
      (renderer) => {
        shared = renderer;
        launching = undefined;
        return renderer;
      },
      (error: unknown) => {
        launching = undefined;
        throw error;
      },
    );
  }
  return launching;
}

let kernelProcess: RenderProcess | undefined;

/**
 * The renderer of the notebook kernel: a {@link RenderProcess}, a child process with its own
 * browser, started on first use — or before the kernel itself, by `scripts/tslab-kernel`, so that
 * its few seconds of start-up overlap the kernel's — and started again if it died.
 *
 * @example
 * const { svg } = await kernelRenderer().render("graph LR\n  a --> b");
 */
export function kernelRenderer(): RenderProcess {
  if (!kernelProcess || !kernelProcess.running) kernelProcess = RenderProcess.start();
  return kernelProcess;
}

// In a notebook kernel, start the renderer as soon as the library is loaded (if the kernel's
// launcher has not already).
if (isTslabKernel()) kernelRenderer();

/**
 * Closes the shared renderer, if any (a script may call it to end at once; not needed in notebooks).
 *
 * @example
 * await closeSharedRenderer();
 */
export async function closeSharedRenderer(): Promise<void> {
  const pending = launching;
  const current = shared;
  shared = undefined;
  launching = undefined;
  if (current) await current.close();
  if (pending) await pending.then((r) => r.close(), () => undefined);
}

/**
 * Tidies diagram text: removes the common indentation (so an indented template literal works),
 * leading blank lines and trailing spaces, and ends it with one newline.
 *
 * @example
 * normalizeDiagramText(`
 *     sequenceDiagram
 *       A->>B: hi
 * `); // "sequenceDiagram\n  A->>B: hi\n"
 */
export function normalizeDiagramText(text: string): string {
  const lines = text.replace(/\r\n?/g, "\n").split("\n").map((line) => line.replace(/\s+$/, ""));
  while (lines.length > 0 && lines[0] === "") lines.shift();
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  let indent = Infinity;
  for (const line of lines) {
    if (line === "") continue;
    const m = /^[ \t]*/.exec(line);
    indent = Math.min(indent, m ? m[0].length : 0);
  }
  if (!Number.isFinite(indent)) indent = 0;
  return lines.map((line) => line.slice(indent)).join("\n") + "\n";
}

/**
 * Writes diagram text (tidied by {@link normalizeDiagramText}) to a .mmd file, creating folders
 * as needed. A relative path is taken from the repository root, whatever the current directory.
 * The file is left untouched when its content is already the same. Does not render or validate:
 * use {@link showMermaid} or `MermaidRenderer.renderSvg` for that. Returns the absolute path.
 *
 * @example
 * writeDiagram("diagrams/00-getting-started/ping.mmd", "sequenceDiagram\n  A->>B: ping");
 */
export function writeDiagram(file: string, text: string): string {
  const target = repoPath(file);
  const content = normalizeDiagramText(text);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  let same = false;
  try {
    same = fs.readFileSync(target, "utf8") === content;
  } catch {
    same = false;
  }
  if (!same) fs.writeFileSync(target, content);
  return target;
}

/** Options of {@link showMermaid}. */
export interface ShowMermaidOptions {
  /** Also save the text to this .mmd file, relative to the repository root (e.g. "diagrams/00-getting-started/ping.mmd"). */
  file?: string;
  /** A caption shown above the diagram. */
  title?: string;
  /** PNG pixels per CSS pixel (default 2). */
  scale?: number;
}

/**
 * Renders a Mermaid diagram and shows it as the output of the current notebook cell: one output
 * carrying HTML with the SVG as an image (Jupyter, trusted or not, and nbconvert) and a PNG
 * (for viewers that do not show HTML).
 * With `file`, the text is also saved there (after it rendered without error). Outside a kernel
 * it only renders (and so validates) and saves. Rejects with Mermaid's error when the text is invalid.
 * Always `await` it, so the output lands in the right cell.
 *
 * @example
 * await showMermaid(`
 *   sequenceDiagram
 *     participant A
 *     participant B
 *     A->>B: ping
 *     B-->>A: pong
 * `, { file: "diagrams/00-getting-started/ping.mmd", title: "Ping" });
 */
export async function showMermaid(text: string, options: ShowMermaidOptions = {}): Promise<void> {
  const source = normalizeDiagramText(text);
  const inKernel = isTslabKernel();
  const renderer = inKernel ? kernelRenderer() : await sharedRenderer();
  const diagram = await renderer.render(source, { png: inKernel, scale: options.scale ?? 2 });
  if (options.file) writeDiagram(options.file, source);
  if (!inKernel) return;
  const caption = options.title
    ? `<div style="font-weight:bold;margin:0 0 4px 0">${escapeHtml(options.title)}</div>`
    : "";
  // The SVG goes in as an <img> data URL: it survives the HTML sanitizer of untrusted notebooks
  // (inline <svg> does not) and keeps each diagram's CSS and ids apart from the page's.
  const alt = escapeHtml(options.title ?? "Mermaid diagram");
  const svgUrl = "data:image/svg+xml;base64," + Buffer.from(diagram.svg).toString("base64");
  const width = Math.ceil(diagram.width);
  const html =
    `<div class="distlab-diagram">${caption}` +
    `<img src="${svgUrl}" alt="${alt}" width="${width}" style="max-width:100%;height:auto"/></div>`;
  const plain = `[Mermaid diagram${options.title ? ": " + options.title : ""}${options.file ? " (" + options.file + ")" : ""}]`;
  displayBundle(
    {
      "text/plain": plain,
      "text/html": html,
      ...(diagram.png ? { "image/png": diagram.png.toString("base64") } : {}),
    },
    { "image/png": { width, height: Math.ceil(diagram.height) } },
  );
}
