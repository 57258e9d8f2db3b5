/**
 * When a diagram is not a diagram: Mermaid's own errors, and the stand-ins Mermaid 11 draws
 * without throwing (a "Maximum text size in diagram exceeded" box for a text over `maxTextSize`,
 * the "Syntax error in text" bomb of the `error` diagram type). Both become a MermaidRenderError.
 */

/**
 * A diagram that Mermaid could not render. `message` is Mermaid's own text, such as
 * "Parse error on line 2: ...", or says which stand-in Mermaid drew instead of the diagram
 * ("Maximum text size in diagram exceeded", "Syntax error in text").
 *
 * @example
 * try {
 *   await renderer.renderSvg("sequenceDiagram\n  A->>: oops");
 * } catch (e) {
 *   if (e instanceof MermaidRenderError) console.log(e.message, e.diagram);
 * }
 */
export class MermaidRenderError extends Error {
  /** The diagram text that failed. */
  readonly diagram: string;
  constructor(message: string, diagram: string) {
    super(message);
    this.name = "MermaidRenderError";
    this.diagram = diagram;
  }
}

/** Mermaid's default `maxTextSize`. */
export const MERMAID_MAX_TEXT_SIZE = 50_000;

/** What Mermaid 11 writes into the flowchart it draws instead of a text over `maxTextSize`. */
const TEXT_SIZE_FALLBACK = "Maximum text size in diagram exceeded";

/**
 * Why an SVG is one of the stand-ins Mermaid 11 draws instead of throwing, or undefined for a real
 * diagram: the "Maximum text size in diagram exceeded" flowchart (mermaidAPI.render swaps a text
 * over `maxTextSize` for it) and the "Syntax error in text" bomb of the `error` diagram type.
 * A real diagram whose own words are those is not mistaken for a stand-in.
 *
 * @example
 * standInError("error", svg, "error", MERMAID_MAX_TEXT_SIZE);
 * // "Syntax error in text: Mermaid drew its error diagram instead of this one"
 */
export function standInError(text: string, svg: string, diagramType: string, maxTextSize: number): string | undefined {
  if (svg.includes(TEXT_SIZE_FALLBACK) && (text.length > maxTextSize || !text.includes(TEXT_SIZE_FALLBACK))) {
    return (
      `${TEXT_SIZE_FALLBACK}: Mermaid drew a placeholder instead of this diagram of ${text.length} characters ` +
      `(its maxTextSize is ${maxTextSize}); draw less (maxMessages, fromMs/toMs, nodes, types)`
    );
  }
  if (diagramType === "error" || /class="error-text"[^>]*>Syntax error in text</.test(svg)) {
    return "Syntax error in text: Mermaid drew its error diagram instead of this one";
  }
  return undefined;
}
