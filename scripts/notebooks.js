#!/usr/bin/env node
/**
 * `npm run notebooks`: execute every notebooks/NN-*.ipynb in order with the tslab kernel,
 * headless, and write the executed copies to build/notebooks/. Exits non-zero when a cell fails
 * (error reply, error output, or error text on stderr such as a TypeScript diagnostic), printing
 * the notebook, the cell's source and the error.
 *
 *   npm run notebooks                      run all, stored notebooks untouched
 *   npm run notebooks -- --update          also write the outputs back into notebooks/ (signed)
 *   npm run notebooks -- 03 04             only notebooks whose name contains 03 or 04
 *   npm run notebooks -- --timeout 600     per-cell limit in seconds (default 300)
 *   npm run notebooks -- --check-stored    also fail if the outputs stored in notebooks/ are out of date
 *                                          (runs are deterministic, so a fresh run must print the same text;
 *                                          tag a cell "nondeterministic-output" to exempt it) — CI uses this
 *
 * The work is done by scripts/notebooks.py (nbclient, one Python process); this wrapper finds a
 * Python with Jupyter, installs the kernel spec into .jupyter/ and sets the environment.
 */
"use strict";
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const setup = require("./setup");

function main() {
  const args = process.argv.slice(2);
  if (args.includes("--help") || args.includes("-h")) {
    console.log("usage: npm run notebooks -- [--update] [--check-stored] [--timeout SECONDS] [FILTER ...]");
    return 0;
  }
  setup.ensureNpmDeps();
  const jupyter = setup.findJupyter();
  if (!jupyter) {
    setup.ensureSystemPackages({ server: false, install: false });
    console.error("Jupyter (nbclient) is not installed: run `npm start -- --check` or the command above.");
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
    console.error("error: the notebook kernel (tslab) cannot load folder imports (\"Cannot find module\"):");
    for (const problem of folders) console.error(`  ${problem}`);
  }
  const script = path.join(__dirname, "notebooks.py");
  const result = spawnSync(jupyter.python, [script, "--root", setup.ROOT, ...args], {
    cwd: setup.ROOT,
    env: { ...setup.jupyterEnv(), PYTHONUNBUFFERED: "1" },
    stdio: "inherit",
  });
  if (result.error) {
    console.error(`could not run ${jupyter.python}: ${result.error.message}`);
    return 1;
  }
  if (folders.length > 0) {
    console.error(`error: ${folders.length} folder import(s) in lib/, exercises/ or solutions/ (see the top): failing`);
    return 1;
  }
  return result.status === null ? 1 : result.status;
}

process.exitCode = main();
