// The run viewer inside Jupyter Notebook 6 (the Debian package), as a student meets it: the
// executed viewer cell of notebook 00 (its stored output, written by `npm run notebooks -- 00
// --update`), copied into a one-cell notebook in a temp folder, served by a live `jupyter notebook`
// (random free port, a token, temp config/data/runtime folders) and opened in headless Chromium.
//   - trusted (signed as `jupyter trust` signs): the interactive view appears, and after "play" its
//     virtual time advances;
//   - untrusted: Jupyter runs no script, and the cell shows the static picture with its note.
// Bounded: every wait has a limit and the whole file stays under a minute; the server is shut down
// (and killed if it lingers) in `finally`.
//
// Without Chromium, `npm test` skips this file (browserTestsSkipped). Without Jupyter it is skipped
// too, with a banner saying how to install it — except under CI, where that is a failure.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import type { Frame, Page } from "puppeteer";
import { browserTestsSkipped, findChromium, repoPath } from "../../lib/render";
import { launchChromium, type Chromium } from "../../lib/render/chromium";

/** The whole test, server start to shutdown. */
const TEST_TIMEOUT_MS = 60_000;
/** Each wait inside it (the server answering, the page showing the view, time advancing). */
const STEP_TIMEOUT_MS = 20_000;
const NOTEBOOK_00 = repoPath("notebooks/00-getting-started.ipynb");

interface Jupyter {
  python: string;
  jupyter: string[];
  server: boolean;
}
const setup = createRequire(import.meta.url)(repoPath("scripts/setup.js")) as {
  findJupyter(): Jupyter | null;
  isCI(): boolean;
  aptCommand(packages: string[]): string;
};

const jupyter = browserTestsSkipped() ? null : setup.findJupyter();
const jupyterMissing = !browserTestsSkipped() && (jupyter === null || !jupyter.server);
const skipForJupyter = jupyterMissing && !setup.isCI();
if (skipForJupyter) {
  const rule = "━".repeat(100);
  console.log(
    [
      "",
      rule,
      " SKIPPED: test/viewer/jupyter.test.ts (the run viewer in a live Jupyter Notebook): there is no Jupyter Notebook here.",
      " Install it, then run the test again:",
      "",
      `     ${setup.aptCommand(["jupyter-notebook", "python3-nbclient", "python3-ipykernel"])}`,
      "",
      rule,
      "",
    ].join("\n"),
  );
}

/** The first code cell of notebook 00 that calls showRun, with its stored outputs. */
function storedViewerCell(): Record<string, unknown> {
  const nb = JSON.parse(fs.readFileSync(NOTEBOOK_00, "utf8")) as { cells: Array<{ cell_type: string; source: string | string[]; outputs?: unknown[] }> };
  const cell = nb.cells.find((c) => c.cell_type === "code" && [c.source].flat().join("").includes("showRun("));
  if (!cell || !cell.outputs || cell.outputs.length === 0) {
    throw new Error(`${NOTEBOOK_00} has no executed showRun cell: run \`npm run notebooks -- 00 --update\``);
  }
  return cell;
}

/**
 * A one-cell notebook holding the viewer cell, on the python3 kernel (the tslab kernel is not
 * needed to show stored outputs). Jupyter trusts by content (a signature of the whole file), so
 * the trusted and the untrusted copy differ in their cell's id.
 */
function oneCellNotebook(cell: Record<string, unknown>, id: string): string {
  const nb = {
    cells: [{ ...cell, id, execution_count: 1 }],
    metadata: {
      kernelspec: { display_name: "Python 3", language: "python", name: "python3" },
      language_info: { name: "python" },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
  return JSON.stringify(nb, null, 1) + "\n";
}

/** A TCP port nobody listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** Polls `check` every 200 ms until it returns a value other than undefined, or fails after `timeoutMs`. */
async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ""}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A live `jupyter notebook` serving one folder. */
interface Server {
  url: string;
  token: string;
  child: ChildProcess;
  log: () => string;
}

async function startServer(j: Jupyter, notebookDir: string, env: NodeJS.ProcessEnv): Promise<Server> {
  const port = await freePort();
  const token = crypto.randomBytes(16).toString("hex");
  const [command, ...prefix] = j.jupyter;
  const args = [
    ...prefix,
    "notebook",
    "--no-browser",
    "--ip=127.0.0.1",
    `--port=${port}`,
    "--port-retries=0",
    `--NotebookApp.token=${token}`,
    `--notebook-dir=${notebookDir}`,
  ];
  if (typeof process.getuid === "function" && process.getuid() === 0) args.push("--allow-root");
  const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let output = "";
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const server = { url, token, child, log: () => output };
  await waitFor(`Jupyter to answer on ${url} (its log:\n${output})`, STEP_TIMEOUT_MS, async () => {
    if (child.exitCode !== null) throw new Error(`jupyter notebook exited with status ${child.exitCode}:\n${output}`);
    const response = await fetch(`${url}/api/status?token=${token}`);
    return response.ok ? true : undefined;
  });
  return server;
}

/** Shuts the server (and its kernels) down; kills its process group if it has not gone within 5 s. */
async function stopServer(server: Server): Promise<void> {
  try {
    await fetch(`${server.url}/api/shutdown?token=${server.token}`, { method: "POST", signal: AbortSignal.timeout(5_000) });
  } catch {
    // the kill below does it
  }
  const exited = new Promise<void>((resolve) => (server.child.exitCode !== null ? resolve() : server.child.once("exit", () => resolve())));
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
  if (server.child.exitCode === null && server.child.pid !== undefined) {
    try {
      process.kill(-server.child.pid, "SIGKILL");
    } catch {
      // gone meanwhile
    }
  }
}

/** Signs notebooks for the temp data folder's key, as `jupyter trust` does. */
function trust(j: Jupyter, files: string[], env: NodeJS.ProcessEnv): void {
  const code = [
    "import sys, nbformat",
    "from nbformat.sign import NotebookNotary",
    "notary = NotebookNotary()",
    "for f in sys.argv[1:]:",
    "    nb = nbformat.read(f, as_version=4)",
    "    notary.sign(nb)",
    "    assert notary.check_signature(nb)",
  ].join("\n");
  const result = spawnSync(j.python, ["-c", code, ...files], { env, encoding: "utf8", timeout: STEP_TIMEOUT_MS });
  if (result.status !== 0) throw new Error(`could not sign ${files.join(", ")}: ${result.stderr || result.error}`);
}

/** What the notebook page shows of the viewer cell's output. */
interface Shown {
  /** Whether window.distlabViewer exists (the viewer's script ran). */
  api: boolean;
  /** Nodes drawn by the viewer. */
  nodes: string[];
  /** Whether the static fallback is displayed, and its text. */
  fallbackShown: boolean;
  fallbackText: string;
  /** Pictures in the fallback. */
  images: number;
  /** The viewer's time: its API's, and the clock it displays. */
  timeMs: number | null;
  clock: string;
}

async function shown(page: Page): Promise<Shown> {
  return (await page.evaluate(`(() => {
    const out = document.querySelector("#notebook .output_area .distlab-viewer");
    const fallback = out && out.querySelector(".dv-fallback");
    const api = typeof window.distlabViewer === "object" && window.distlabViewer !== null;
    return {
      api,
      nodes: out ? [...out.querySelectorAll("[data-node]")].map((e) => e.getAttribute("data-node")) : [],
      fallbackShown: !!fallback && getComputedStyle(fallback).display !== "none" && fallback.getBoundingClientRect().height > 0,
      fallbackText: fallback ? fallback.textContent.trim() : "",
      images: fallback ? fallback.querySelectorAll("img").length : 0,
      timeMs: api ? window.distlabViewer.state().timeMs : null,
      clock: out && out.querySelector(".dv-time") ? out.querySelector(".dv-time").textContent : "",
    };
  })()`)) as Shown;
}

/** Opens a notebook of the server and waits until its viewer cell's output is in the page. */
async function openNotebook(page: Page, server: Server, name: string): Promise<void> {
  // Not "load": the page's own assets keep loading (MathJax's fonts, the kernel's websocket) long after the cells are there.
  await page.goto(`${server.url}/notebooks/${name}?token=${server.token}`, { waitUntil: "domcontentloaded", timeout: STEP_TIMEOUT_MS });
  await page.waitForSelector("#notebook .output_area .distlab-viewer", { timeout: STEP_TIMEOUT_MS });
}

describe.skipIf(browserTestsSkipped())("the run viewer in a live Jupyter Notebook", () => {
  it.skipIf(skipForJupyter)(
    "a trusted notebook shows the view and plays it; an untrusted one shows the static picture",
    async () => {
      if (jupyter === null || !jupyter.server) throw new Error(`Jupyter Notebook is not installed, and CI is set: install it with ${setup.aptCommand(["jupyter-notebook"])}`);
      const cell = storedViewerCell();
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "distlab-jupyter-"));
      const dirs = Object.fromEntries(["notebooks", "config", "data", "runtime", "ipython"].map((d) => [d, path.join(tmp, d)]));
      for (const d of Object.values(dirs)) fs.mkdirSync(d);
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        JUPYTER_CONFIG_DIR: dirs.config,
        JUPYTER_DATA_DIR: dirs.data,
        JUPYTER_RUNTIME_DIR: dirs.runtime,
        IPYTHONDIR: dirs.ipython,
        JUPYTER_PATH: "",
      };
      const trusted = path.join(dirs.notebooks, "viewer-trusted.ipynb");
      const untrusted = path.join(dirs.notebooks, "viewer-untrusted.ipynb");
      fs.writeFileSync(trusted, oneCellNotebook(cell, "viewer-trusted"));
      fs.writeFileSync(untrusted, oneCellNotebook(cell, "viewer-untrusted"));
      trust(jupyter, [trusted], env);
      let server: Server | undefined;
      let chromium: Chromium | undefined;
      try {
        server = await startServer(jupyter, dirs.notebooks, env);
        chromium = await launchChromium({ executablePath: findChromium(), timeoutMs: STEP_TIMEOUT_MS });
        const pageErrors: string[] = [];
        /** Requests to anywhere but the Jupyter server (none expected: the viewer is inline). */
        const elsewhere: string[] = [];
        const newPage = async (): Promise<Page> => {
          const p = await chromium!.browser.newPage();
          await p.setViewport({ width: 1200, height: 900, deviceScaleFactor: 1 });
          p.on("pageerror", (error) => pageErrors.push(String(error)));
          p.on("request", (request) => {
            const url = request.url();
            if (!url.startsWith(server!.url) && !url.startsWith(server!.url.replace(/^http/, "ws")) && !url.startsWith("data:")) elsewhere.push(url);
          });
          return p;
        };
        let page = await newPage();

        // Trusted: the view replaces the fallback, and plays.
        await openNotebook(page, server, "viewer-trusted.ipynb");
        const view = await waitFor("the viewer to start in the trusted notebook", STEP_TIMEOUT_MS, async () => {
          const s = await shown(page);
          return s.api && s.nodes.length > 0 ? s : undefined;
        });
        expect(view.nodes.sort()).toEqual(["reader", "server"]);
        expect(view.fallbackShown).toBe(false);
        await page.click("#notebook .distlab-viewer .dv-play");
        const played = await waitFor("the viewer's time to advance after play", STEP_TIMEOUT_MS, async () => {
          const s = await shown(page);
          return s.timeMs !== null && view.timeMs !== null && s.timeMs > view.timeMs ? s : undefined;
        });
        expect(played.clock).not.toBe(view.clock);
        expect(pageErrors).toEqual([]);

        // Untrusted, in a new tab (leaving a notebook asks "leave the page?"): Jupyter runs none of the
        // output's scripts; the static picture and its note stay.
        await page.close({ runBeforeUnload: false });
        page = await newPage();
        await openNotebook(page, server, "viewer-untrusted.ipynb");
        await page.waitForSelector("#notebook .output_area .distlab-viewer .dv-fallback img", { timeout: STEP_TIMEOUT_MS });
        await new Promise((r) => setTimeout(r, 1_000)); // time for a script to run, if one were going to
        const untrusted = await shown(page);
        expect(untrusted.api).toBe(false);
        expect(untrusted.nodes).toEqual([]);
        expect(untrusted.fallbackShown).toBe(true);
        expect(untrusted.images).toBe(1);
        expect(untrusted.fallbackText).toMatch(/trust/i);
        expect(pageErrors).toEqual([]);
        expect(elsewhere).toEqual([]);
      } finally {
        chromium?.kill();
        if (server) await stopServer(server);
        fs.rmSync(tmp, { recursive: true, force: true });
      }
    },
    TEST_TIMEOUT_MS,
  );
});
