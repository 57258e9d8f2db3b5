#!/usr/bin/env node
/**
 * `npm start`: install whatever is missing, then open notebooks/ in Jupyter Notebook.
 *
 *   1. npm dependencies (`npm ci`, never downloading a browser)
 *   2. Jupyter, Chromium and the DejaVu fonts: `apt-get install` when run as root with apt-get,
 *      otherwise the exact command to run is printed and start exits with status 1
 *   3. the TypeScript (tslab) kernel spec in .jupyter/ (this clone only)
 *   4. marks the stored notebooks as trusted, so their diagrams show
 *   5. `jupyter notebook --notebook-dir=notebooks` (with --no-browser under CI or without a display)
 *
 *   npm start -- --check          steps 1–4 and a check that the kernel and Chromium start; no server
 *   npm start -- --no-browser     do not open a web browser
 *   npm start -- --port 8899      other arguments go to `jupyter notebook`
 *
 * Plain CommonJS with no dependencies, so it runs on a fresh clone before `npm ci`.
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { spawn, spawnSync } = require("node:child_process");
const setup = require("./setup");

const ROOT = setup.ROOT;

function parseArgs(argv) {
  const options = { check: false, noBrowser: false, passThrough: [] };
  for (const arg of argv) {
    if (arg === "--check") options.check = true;
    else if (arg === "--no-browser") options.noBrowser = true;
    else if (arg === "--help" || arg === "-h") options.help = true;
    else options.passThrough.push(arg);
  }
  return options;
}

function headless() {
  if (process.env.CI) return true;
  if (process.platform === "darwin" || process.platform === "win32") return false;
  return !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
}

function notebookFiles() {
  const dir = path.join(ROOT, "notebooks");
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith(".ipynb"))
    .sort()
    .map((name) => path.join(dir, name));
}

/** Signs the stored notebooks for this user, as `jupyter trust` does. */
function trustNotebooks(jupyter) {
  const files = notebookFiles();
  if (files.length === 0) return;
  const code = [
    "import sys, nbformat",
    "from nbformat.sign import NotebookNotary",
    "notary = NotebookNotary()",
    "for f in sys.argv[1:]:",
    "    nb = nbformat.read(f, as_version=4)",
    "    if not notary.check_signature(nb):",
    "        notary.sign(nb)",
  ].join("\n");
  const result = spawnSync(jupyter.python, ["-c", code, ...files], { stdio: "inherit", env: setup.jupyterEnv() });
  if (result.status !== 0) setup.log("could not mark the notebooks as trusted (diagrams may show as PNG only)");
}

/** `--check`: the kernel spec is visible to Jupyter, the kernel and Chromium both start. */
function checkRuntime(jupyter) {
  const env = setup.jupyterEnv();
  const [command, ...prefix] = jupyter.jupyter;
  const specs = spawnSync(command, [...prefix, "kernelspec", "list", "--json"], {
    encoding: "utf8",
    env,
  });
  let found = false;
  try {
    found = "tslab" in JSON.parse(specs.stdout).kernelspecs;
  } catch {
    found = false;
  }
  if (!found) {
    console.error("[check] the tslab kernel spec is not visible to Jupyter");
    if (specs.stderr) console.error(specs.stderr);
    return false;
  }
  setup.log("Jupyter sees the tslab kernel");
  const kernelCheck = [
    "import os, sys",
    "from jupyter_client.manager import start_new_kernel",
    "km, kc = start_new_kernel(kernel_name='tslab', startup_timeout=120)",
    "code = 1",
    "try:",
    "    reply = kc.execute_interactive('const x: number = 6 * 7; console.log(`kernel ok ${x}`)', timeout=120,",
    "        output_hook=lambda m: m['msg_type'] == 'stream' and print(m['content']['text'], end=''))",
    "    code = 0 if reply['content']['status'] == 'ok' else 1",
    "finally:",
    "    kc.stop_channels()",
    "    km.shutdown_kernel(now=True)",
    "sys.stdout.flush()",
    "os._exit(code)",
  ].join("\n");
  const kernel = spawnSync(jupyter.python, ["-c", kernelCheck], {
    cwd: path.join(ROOT, "notebooks"),
    stdio: "inherit",
    env,
  });
  if (kernel.status !== 0) {
    console.error("[check] the tslab kernel did not run a cell");
    return false;
  }
  const render = spawnSync(
    process.execPath,
    [
      path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs"),
      "-e",
      'import("./lib/render/index").then(async (mod) => { const r = mod.MermaidRenderer ? mod : mod.default; ' +
        "const m = await r.MermaidRenderer.launch(); " +
        'try { const svg = await m.renderSvg("sequenceDiagram\\n  A->>B: ping"); console.log(`chromium ok (mermaid ${m.mermaidVersion}, ${svg.length} bytes of SVG)`); } ' +
        'finally { await m.close(); } }).catch((e) => { console.error(e); process.exit(1); })',
    ],
    { cwd: ROOT, stdio: "inherit", env },
  );
  if (render.status !== 0) {
    console.error("[check] Chromium could not render a diagram");
    return false;
  }
  return true;
}

function main() {
  const options = parseArgs(process.argv.slice(2));
  if (options.help) {
    console.log("usage: npm start -- [--check] [--no-browser] [jupyter notebook options]");
    return 0;
  }
  setup.ensureNpmDeps();
  if (!setup.ensureSystemPackages({ server: true })) return 1;
  const jupyter = setup.findJupyter();
  if (!jupyter || !jupyter.server) {
    console.error("[setup] Jupyter Notebook is still not usable: see the messages above");
    return 1;
  }
  setup.ensureKernelSpec(jupyter);
  try {
    setup.buildNotebookLib();
  } catch (error) {
    console.error(`lib/ does not compile for the notebook kernel (the errors are above): ${error.message}`);
    return 1;
  }
  const folders = setup.folderImports();
  if (folders.length > 0) {
    console.error("[setup] warning: the notebook kernel (tslab) cannot load these folder imports:");
    for (const problem of folders) console.error(`  ${problem}`);
  }
  trustNotebooks(jupyter);

  if (options.check) {
    if (!checkRuntime(jupyter)) return 1;
    if (folders.length > 0) return 1;
    setup.log(`ready: ${jupyter.python} with Jupyter, kernel spec in .jupyter/, Chromium ${setup.findChromium()}`);
    return 0;
  }

  const args = [...jupyter.jupyter.slice(1), "notebook", `--notebook-dir=${path.join(ROOT, "notebooks")}`];
  if (options.noBrowser || headless()) args.push("--no-browser");
  if (typeof process.getuid === "function" && process.getuid() === 0) args.push("--allow-root");
  args.push(...options.passThrough);
  setup.log(`$ ${[jupyter.jupyter[0], ...args].join(" ")}`);
  const child = spawn(jupyter.jupyter[0], args, { cwd: ROOT, env: setup.jupyterEnv(), stdio: "inherit" });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.on(signal, () => child.kill(signal));
  }
  child.on("exit", (code, signal) => {
    process.exitCode = code === null ? (signal === "SIGINT" ? 0 : 1) : code;
  });
  child.on("error", (error) => {
    console.error(`could not start Jupyter: ${error.message}`);
    process.exitCode = 1;
  });
  return undefined;
}

try {
  const code = main();
  if (code !== undefined) process.exitCode = code;
} catch (error) {
  console.error(`[setup] ${error && error.message ? error.message : error}`);
  process.exitCode = 1;
}
