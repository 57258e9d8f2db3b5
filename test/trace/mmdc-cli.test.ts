// The same exporters checked once more with mermaid-cli itself (`mmdc`, what a teacher may use for
// slides), with puppeteer-config.json at the repository root (its Chromium flags; the binary is
// the one findChromium picks, so DISTLAB_CHROMIUM counts here too). One markdown file holds the
// three diagrams of a nasty-name run, so mmdc starts one browser for all. It uses every fifth
// nasty name: mmdc runs the same Mermaid as our renderer, whose test (mermaid-valid) takes them
// all; what is checked here is the command line, its config and our output as a file — and a
// run with all 150 names as participants took mmdc 20 s. Without Chromium,
// `npm test` skips this (and says so at the end) unless CI is set: see browserTestsSkipped.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { browserTestsSkipped, findChromium } from "../../lib/render";
import { toMessageFlowGraph, toSequenceDiagram, toStateDiagram } from "../../lib/trace";
import { NASTY_NAMES, nastyEvents } from "./fixtures";

const root = path.resolve(__dirname, "../..");

describe.skipIf(browserTestsSkipped())("mermaid-cli accepts every exporter's output", () => {
  it("renders the sequence, state and message-flow diagrams of a run with nasty names to SVG", () => {
    const events = nastyEvents(NASTY_NAMES.filter((_, i) => i % 5 === 0));
    const diagrams = [toSequenceDiagram(events), toStateDiagram(events), toMessageFlowGraph(events, { causal: true })];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "distlab-mmdc-"));
    try {
      const input = path.join(dir, "diagrams.md");
      fs.writeFileSync(input, diagrams.map((d) => "```mermaid\n" + d + "```\n").join("\n"));
      const config = JSON.parse(fs.readFileSync(path.join(root, "puppeteer-config.json"), "utf8")) as Record<string, unknown>;
      const configFile = path.join(dir, "puppeteer-config.json");
      fs.writeFileSync(configFile, JSON.stringify({ ...config, executablePath: findChromium() }));
      execFileSync(
        process.execPath,
        [path.join(root, "node_modules/@mermaid-js/mermaid-cli/src/cli.js"), "-q", "-p", configFile, "-i", input, "-o", path.join(dir, "out.md")],
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
