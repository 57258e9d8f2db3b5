/**
 * Rendering for notebooks and scripts: Mermaid diagrams to SVG/PNG with one headless Chromium,
 * and the notebook helpers built on it. The only part of lib/ that uses a real browser, real
 * timers and the file system; nothing here affects a simulation run.
 *
 *   paths.ts            the repository root, the Chromium binary, Mermaid's bundle
 *   chromium.ts         launch and kill the browser
 *   mermaid-page.ts     the page that renders, one diagram at a time, reproducibly
 *   mermaid-errors.ts   Mermaid's errors and the stand-in diagrams it draws instead of failing
 *   png.ts              screenshots of the rendered diagram
 *   mermaid-renderer.ts MermaidRenderer: the above behind one queue
 *   render-process.ts   RenderProcess: a MermaidRenderer in a child process (the notebook kernel's)
 *   mermaid-config.ts   the course's Mermaid configuration
 *   display.ts          rich output in the tslab kernel
 *   notebook.ts         showMermaid and friends
 *
 * @example
 * import { showMermaid } from "./lib";
 * await showMermaid("sequenceDiagram\n  A->>B: ping", { file: "diagrams/00-getting-started/ping.mmd" });
 */
export { MermaidRenderer } from "./mermaid-renderer";
export { MermaidRenderError } from "./mermaid-errors";
export { CHROMIUM_ARGS } from "./chromium";
export { showMermaid, writeDiagram, sharedRenderer, kernelRenderer, closeSharedRenderer, normalizeDiagramText } from "./notebook";
export { RenderProcess } from "./render-process";
export { defaultMermaidConfig, mergeMermaidConfig, DIAGRAM_FONT_FAMILY } from "./mermaid-config";
export { isTslabKernel, displayBundle, escapeHtml } from "./display";
export {
  findRepoRoot,
  repoPath,
  findChromium,
  findMermaidBundle,
  chromiumInstallCommand,
  browserTestsSkipped,
  CHROMIUM_CANDIDATES,
} from "./paths";

export type { MermaidRendererOptions, PngOptions, RenderedDiagram } from "./mermaid-renderer";
export type { ShowMermaidOptions } from "./notebook";
export type { MermaidConfig } from "./mermaid-config";
export type { DisplayBundle } from "./display";
