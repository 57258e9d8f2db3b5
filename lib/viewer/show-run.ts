/**
 * The viewer in a notebook cell: one output whose HTML holds the interactive view (it runs in a
 * trusted notebook: Jupyter Notebook 6, JupyterLab, the exported HTML) and a static fallback that
 * shows where scripts do not run (an untrusted notebook, a viewer that strips scripts): the run as a
 * sequence diagram, with a note saying how to see it move.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { displayBundle, escapeHtml, isTslabKernel, kernelRenderer, repoPath } from "../render/index";
import { toSequenceDiagram } from "../trace/index";
import { viewerFragment, viewerHtml, type ViewerOptions } from "./page";
import { savedTraceOf, type ViewerSource } from "./trace-file";

/** Options of {@link showRun}. */
export interface ShowRunOptions extends ViewerOptions {
  /** Also write the standalone page here (relative to the repository root), e.g. "build/viewer/00-rpc.html". */
  file?: string;
  /** What an untrusted notebook shows instead: the run as a sequence diagram (default) or only a note. */
  fallback?: "diagram" | "note";
  /** Arrows in the fallback diagram (default 60). */
  fallbackMessagesMax?: number;
}

/**
 * Shows the run in the viewer as the output of the current notebook cell (see the module comment);
 * with `file`, also writes the standalone page there. Outside a notebook it only writes the file.
 * Outside a notebook it returns the page's absolute path when it wrote one; in a notebook it
 * returns nothing (a returned path would be printed under the view, and differ between clones).
 * Always `await` it, so the output lands in the right cell.
 *
 * @example
 * await showRun(sim.trace, { title: "rpc under loss", file: "build/viewer/00-rpc.html" });
 * await showRun(loadTrace("build/failures/00.1-ping-pong-seed-7.trace.json"));
 */
export async function showRun(source: ViewerSource, options: ShowRunOptions = {}): Promise<string | undefined> {
  const saved = savedTraceOf(source, options.title !== undefined ? { title: options.title } : {});
  let written: string | undefined;
  if (options.file) {
    written = repoPath(options.file);
    fs.mkdirSync(path.dirname(written), { recursive: true });
    fs.writeFileSync(written, viewerHtml(saved, options));
  }
  if (!isTslabKernel()) return written;
  const where = options.file ? ` or open ${escapeHtml(options.file)} in a browser` : "";
  let fallback =
    `<p style="font-style:italic;color:#555">The interactive run viewer needs this notebook to be trusted ` +
    `(File → Trust Notebook, then run the cell again)${where}.</p>`;
  if ((options.fallback ?? "diagram") === "diagram") {
    try {
      const text = toSequenceDiagram(saved.events, { nodes: options.nodes, types: options.types, maxMessages: options.fallbackMessagesMax ?? 60, title: saved.meta.title });
      const diagram = await kernelRenderer().render(text, { png: false });
      const url = "data:image/svg+xml;base64," + Buffer.from(diagram.svg).toString("base64");
      fallback += `<img src="${url}" alt="the run as a sequence diagram" width="${Math.ceil(diagram.width)}" style="max-width:100%;height:auto"/>`;
    } catch (error) {
      fallback += `<p>(no diagram: ${escapeHtml(error instanceof Error ? error.message : String(error))})</p>`;
    }
  }
  const copies = saved.events.filter((e) => e.kind === "send").length;
  const plain = `[distlab run viewer${saved.meta.title ? ": " + saved.meta.title : ""}: ${saved.meta.nodes.length} nodes, ${copies} messages${options.file ? " (" + options.file + ")" : ""}]`;
  displayBundle({ "text/plain": plain, "text/html": viewerFragment(saved, options, fallback) });
  return undefined;
}
