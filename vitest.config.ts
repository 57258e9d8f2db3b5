// vitest: every test under test/ (core unit tests, trace tests, setup tests, graders, meta tests).
// Graders load the student's exercises/ or, with DISTLAB_TARGET=solutions, the reference
// (test/grading/target.ts). `npm test` (scripts/test.js) names its reporters on the command line
// and adds a JSON report; the scoreboard prints points per notebook.
//
// `npm run grade` (scripts/grade.js) sets DISTLAB_REPORT=grade: then the scoreboard is the only
// reporter, and it prints each failing exercise's first failure in full (vitest's own reporter,
// which would print every failing seed, stays quiet).
//
// Written as CommonJS because package.json has no "type": "module": Vite 8 warns about ESM syntax
// in a file it loads as CommonJS.
const { defineConfig }: typeof import("vitest/config") = require("vitest/config");

const SCOREBOARD = "./test/grading/scoreboard-reporter.ts";
const gradeLoop = process.env.DISTLAB_REPORT === "grade";

module.exports = defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["**/node_modules/**", "test/fixtures/**"],
    reporters: gradeLoop ? [[SCOREBOARD, { failures: "full" }]] : ["default", SCOREBOARD],
    // Simulations are CPU-bound and short; two workers are plenty on a shared machine. Worker
    // threads start faster than forked processes (npm test: 78 s against 88 s on the 2-core machine).
    pool: "threads",
    maxWorkers: 2,
    // One module cache per worker for all its test files: lib/ and the graders are imported once per
    // worker instead of once per file (npm test: 101 s → 54 s on the loaded 2-core machine, import
    // time 42 s → 12 s). Tests share no mutable module state; each simulation is its own object.
    isolate: false,
    // A grader's seed or a meta test runs 27–135 simulations: about a second on a quiet machine,
    // several times that on a loaded one. Time is measured in `npm run bench`, not here.
    testTimeout: 60_000,
  },
});
