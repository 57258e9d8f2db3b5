#!/usr/bin/env node
/**
 * `npm run grade`: run only the graders (test/NN-*.test.ts) against exercises/ and print just the
 * scoreboard — per notebook, each exercise done / pending / failing with its points. For the
 * details of a failure (expected, seed, hint, diagram) run `npm test`.
 *
 * Arguments go to vitest, e.g. `npm run grade -- -t "00.1"`.
 */
"use strict";
const { ensureDeps, graderFiles, runVitest, SCOREBOARD } = require("./test");

async function main(args) {
  await ensureDeps();
  return runVitest({ files: graderFiles(), reporters: [SCOREBOARD], target: process.env.DISTLAB_TARGET || "exercises", args });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
