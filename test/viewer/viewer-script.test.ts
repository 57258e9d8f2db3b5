// `npm run viewer -- <saved trace> [-o out.html]`: writes the page beside the trace (or where -o
// says), paths taken from where the command was typed; a bad file exits 1 saying why. (Each run
// starts tsx: about a second each on a quiet machine.)
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { saveTrace } from "../../lib/viewer";
import { VIEWER_EVENTS } from "./fixtures";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const tsx = path.join(root, "node_modules", ".bin", "tsx");

function viewer(args: string[], cwd: string) {
  const run = spawnSync(tsx, [path.join(root, "scripts/viewer.ts"), ...args], { cwd, env: { ...process.env, INIT_CWD: cwd }, encoding: "utf8" });
  return { status: run.status, out: run.stdout + run.stderr };
}

describe("npm run viewer", () => {
  it("writes the page beside the trace, or to -o; refuses an unknown version", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "distlab-viewer-"));
    try {
      saveTrace(VIEWER_EVENTS, path.join(dir, "run.trace.json"), { title: "hand-built" });
      const beside = viewer(["run.trace.json"], dir);
      expect(beside.out).toMatch(/^wrote run\.html \(\d+ KB\); open it in a browser/);
      expect(beside.status).toBe(0);
      expect(fs.readFileSync(path.join(dir, "run.html"), "utf8")).toContain("<title>hand-built</title>");

      const named = viewer(["run.trace.json", "-o", "out/page.html", "--title", "other"], dir);
      expect(named.status, named.out).toBe(0);
      expect(fs.readFileSync(path.join(dir, "out/page.html"), "utf8")).toContain("<title>other</title>");

      fs.writeFileSync(path.join(dir, "v9.json"), fs.readFileSync(path.join(dir, "run.trace.json"), "utf8").replace('"version":1', '"version":9'));
      const newer = viewer(["v9.json"], dir);
      expect(newer.status).toBe(1);
      expect(newer.out).toContain("unknown distlab trace version 9; this distlab reads version 1");
      expect(fs.existsSync(path.join(dir, "v9.html"))).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
