#!/usr/bin/env node
/**
 * `npm run grade`: the fast loop while writing an exercise. Runs only the graders
 * (test/NN-*.test.ts) against exercises/ — no library tests, no browser — and prints each failing
 * exercise's first failure in full (what was expected, what happened, the seed, the command that
 * replays it, the failure diagram and the hint), then the scoreboard. Takes a few seconds.
 *
 *   npm run grade                 every grader
 *   npm run grade -- 00           the graders of notebook 00 (also: 00-getting-started)
 *   npm run grade -- 00.1         one exercise (several: 00.1 00.2)
 *   npm run grade -- 00.1 -t "seed 7$"   other arguments go to vitest
 *
 * DISTLAB_TARGET=solutions grades the reference instead. The reporter setup is in
 * vitest.config.ts (DISTLAB_REPORT=grade: the scoreboard alone, failures in full).
 */
"use strict";
const path = require("node:path");
const { ensureDeps, graderFiles, runVitest, ROOT } = require("./test");

/** Escapes text for use inside a regular expression. */
function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * What to run for the arguments of `npm run grade`: `{ files, args }`, where `files` are grader
 * files and `args` the vitest arguments (a `-t` pattern when exercises were named, combined with
 * the caller's own `-t` if any, then every argument that is not a selector). Selectors: a notebook number ("00"), a notebook name
 * ("00-getting-started") or an exercise id ("00.1"). Throws an Error naming the known ones
 * when a selector matches nothing.
 *
 * @param {string[]} argv
 * @param {ReadonlyArray<{ id: string, notebook: string }>} exercises  test/grading/exercises.ts's EXERCISES
 * @param {string[]} files  every grader file (test/NN-*.test.ts)
 */
function gradeSelection(argv, exercises, files) {
  const selectors = [];
  const rest = [];
  let userPattern; // the caller's own -t, combined with the exercises' below
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const pattern = /^(?:-t|--testNamePattern)(?:=(.*))?$/.exec(arg);
    if (pattern) {
      userPattern = pattern[1] !== undefined ? pattern[1] : argv[++i];
    } else if (arg.startsWith("-")) {
      rest.push(arg);
      // the value of an option given as a separate argument is not a selector
      if (!arg.includes("=") && i + 1 < argv.length && !argv[i + 1].startsWith("-") && /^--(reporter|seed|outputFile)$/.test(arg)) rest.push(argv[++i]);
    } else if (/^\d\d(\.\d+|[A-Z])?$/.test(arg) || /^\d\d-/.test(arg) || /^test\/\d\d-.*\.test\.ts$/.test(arg)) {
      selectors.push(arg);
    } else {
      rest.push(arg);
    }
  }
  const withUserPattern = (args) => (userPattern === undefined ? args : ["-t", userPattern, ...args]);
  if (selectors.length === 0) return { files, args: withUserPattern(rest) };
  const notebookOf = (file) => path.basename(file).replace(/\.test\.ts$/, "");
  const chosenFiles = new Set();
  const patterns = [];
  let wholeNotebooksOnly = true;
  for (const selector of selectors) {
    const exercise = exercises.find((e) => e.id === selector);
    if (exercise) {
      const file = files.find((f) => notebookOf(f) === exercise.notebook);
      if (!file) throw new Error(`exercise ${selector} belongs to ${exercise.notebook}, which has no grader file test/${exercise.notebook}.test.ts`);
      chosenFiles.add(file);
      patterns.push(`${escapeRegExp(exercise.id)} `);
      wholeNotebooksOnly = false;
      continue;
    }
    const name = selector.replace(/^test\//, "").replace(/\.test\.ts$/, "");
    const matching = files.filter((f) => notebookOf(f) === name || notebookOf(f).startsWith(`${name}-`));
    if (matching.length === 0) {
      const ids = exercises.map((e) => e.id).join(", ");
      const notebooks = files.map((f) => notebookOf(f)).join(", ");
      throw new Error(`nothing to grade for "${selector}": the exercises are ${ids}; the notebooks with graders are ${notebooks}`);
    }
    for (const file of matching) {
      chosenFiles.add(file);
      // every exercise of the notebook (its ids are the notebook number and ".K" or a letter: 08.1, 09A)
      patterns.push(`${escapeRegExp(notebookOf(file).slice(0, 2))}(?:\\.\\d+|[A-Z]) `);
    }
  }
  const chosen = files.filter((f) => chosenFiles.has(f));
  if (wholeNotebooksOnly) return { files: chosen, args: withUserPattern(rest) }; // whole notebooks
  const own = `(?:${patterns.join("|")})`;
  // both must hold: the test belongs to a chosen exercise, and it matches the caller's -t
  const testNamePattern = userPattern === undefined ? `^${own}` : `^(?=${own})(?=.*(?:${userPattern}))`;
  return { files: chosen, args: ["-t", testNamePattern, ...rest] };
}

/** EXERCISES from test/grading/exercises.ts, loaded with tsx (it is TypeScript). */
function loadExercises() {
  const tsx = require("tsx/cjs/api");
  return tsx.require(path.join(ROOT, "test", "grading", "exercises.ts"), __filename).EXERCISES;
}

async function main(argv) {
  await ensureDeps();
  let selection;
  try {
    selection = gradeSelection(argv, loadExercises(), graderFiles());
  } catch (error) {
    console.error(`npm run grade: ${error.message}`);
    return 2;
  }
  return runVitest({
    files: selection.files,
    reporters: [], // vitest.config.ts: the scoreboard, failures in full
    target: process.env.DISTLAB_TARGET || "exercises",
    args: selection.args,
    env: { DISTLAB_REPORT: "grade" },
  });
}

module.exports = { gradeSelection };

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
