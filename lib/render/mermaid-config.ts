/**
 * The Mermaid configuration the course renders with: readable DejaVu Sans text (Debian's
 * fonts-dejavu-core), no error diagrams, stable element ids so that re-rendering the same text
 * gives the same SVG.
 */

/** A Mermaid configuration object, as passed to `mermaid.initialize` (kept loose on purpose). */
export type MermaidConfig = Record<string, unknown>;

/** The font stack used in every diagram. */
export const DIAGRAM_FONT_FAMILY = '"DejaVu Sans", "Liberation Sans", Arial, sans-serif';

/**
 * The course's default Mermaid configuration.
 *
 * @example
 * const config = defaultMermaidConfig();
 * config.theme; // "default"
 */
export function defaultMermaidConfig(): MermaidConfig {
  return {
    startOnLoad: false,
    theme: "default",
    securityLevel: "strict",
    deterministicIds: true,
    suppressErrorRendering: true,
    fontFamily: DIAGRAM_FONT_FAMILY,
    themeVariables: { fontFamily: DIAGRAM_FONT_FAMILY, fontSize: "15px" },
    sequence: {
      actorFontFamily: DIAGRAM_FONT_FAMILY,
      messageFontFamily: DIAGRAM_FONT_FAMILY,
      noteFontFamily: DIAGRAM_FONT_FAMILY,
      showSequenceNumbers: false,
    },
  };
}

/**
 * Merges `overrides` into `base` (objects recursively, everything else replaced); returns a new object.
 *
 * @example
 * mergeMermaidConfig(defaultMermaidConfig(), { theme: "neutral" }).theme; // "neutral"
 */
export function mergeMermaidConfig(base: MermaidConfig, overrides: MermaidConfig | undefined): MermaidConfig {
  const out: MermaidConfig = { ...base };
  if (!overrides) return out;
  for (const [key, value] of Object.entries(overrides)) {
    const prev = out[key];
    if (isPlainObject(prev) && isPlainObject(value)) {
      out[key] = mergeMermaidConfig(prev, value);
    } else {
      out[key] = value;
    }
  }
  return out;
}

function isPlainObject(x: unknown): x is MermaidConfig {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}
