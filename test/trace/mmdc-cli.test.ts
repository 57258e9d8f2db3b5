// The same exporters checked once more with mermaid-cli itself (`mmdc`, what a teacher may use for
// slides), with Debian's Chromium configured by puppeteer-config.json at the repository root. One
// markdown file holds the three diagrams of a nasty-name run, so mmdc starts one browser for all.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { toMessageFlowGraph, toSequenceDiagram, toStateDiagram } from "../../lib/trace";
import { NASTY_NAMES, nastyEvents } from "./fixtures";

const root = path.resolve(__dirname, "../..");

describe("mermaid-cli accepts every exporter's output", () => {
  it("renders the sequence, state and message-flow diagrams of a run with nasty names to SVG", () => {
    const events = nastyEvents(NASTY_NAMES);
    const diagrams = [toSequenceDiagram(events), toStateDiagram(events), toMessageFlowGraph(events, { causal: true })];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "distlab-mmdc-"));
    try {
      const input = path.join(dir, "diagrams.md");
      fs.writeFileSync(input, diagrams.map((d) => "```mermaid\n" + d + "```\n").join("\n"));
      execFileSync(
        process.execPath,
        [path.join(root, "node_modules/@mermaid-js/mermaid-cli/src/cli.js"), "-q", "-p", path.join(root, "puppeteer-config.json"), "-i", input, "-o", path.join(dir, "out.md")],
        { cwd: root, stdio: "pipe", timeout: 60_000 },
      );
      const svgs = fs.readdirSync(dir).filter((f) => f.endsWith(".svg")).sort();
      expect(svgs).toEqual(["out-1.svg", "out-2.svg", "out-3.svg"]);
      for (const f of svgs) {
        const svg = fs.readFileSync(path.join(dir, f), "utf8");
        expect(svg, f).toMatch(/^<svg[\s\S]*<\/svg>$/);
        // mmdc writes Mermaid's stand-ins without failing: a text over maxTextSize becomes a
        // "Maximum text size in diagram exceeded" box, the `error` type a "Syntax error in text" bomb.
        expect(svg, f).not.toContain("Maximum text size");
        expect(svg, f).not.toContain("Syntax error");
        expect(svg, f).toContain(f === "out-1.svg" ? 'aria-roledescription="sequence"' : f === "out-2.svg" ? 'aria-roledescription="stateDiagram"' : 'aria-roledescription="flowchart-v2"');
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
