/**
 * Rendering for notebooks and scripts: Mermaid diagrams to SVG/PNG with one headless Chromium,
 * and the notebook helpers built on it. The only part of lib/ that uses a real browser, real
 * timers and the file system; nothing here affects a simulation run.
 *
 * @example
 * import { showMermaid } from "./lib";
 * await showMermaid("sequenceDiagram\n  A->>B: ping", { file: "diagrams/00-getting-started/ping.mmd" });
 */
export { MermaidRenderer, MermaidRenderError, CHROMIUM_ARGS } from "./mermaid-renderer";
export { showMermaid, writeDiagram, sharedRenderer, closeSharedRenderer, normalizeDiagramText } from "./notebook";
export { defaultMermaidConfig, mergeMermaidConfig, DIAGRAM_FONT_FAMILY } from "./mermaid-config";
export { isTslabKernel, displayBundle, escapeHtml } from "./display";
export { findRepoRoot, repoPath, findChromium, findMermaidBundle } from "./paths";

export type { MermaidRendererOptions, PngOptions, RenderedDiagram } from "./mermaid-renderer";
export type { ShowMermaidOptions } from "./notebook";
export type { MermaidConfig } from "./mermaid-config";
export type { DisplayBundle } from "./display";
