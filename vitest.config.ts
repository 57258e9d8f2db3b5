// vitest: every test under test/ (core unit tests, trace tests, graders, meta tests). Graders load
// the student's exercises/ or, with DISTLAB_TARGET=solutions, the reference (test/grading/target.ts).
// `npm test` (scripts/test.js) adds a JSON report; the scoreboard prints points per notebook.
//
// Written as CommonJS because package.json has no "type": "module": Vite 8 warns about ESM syntax
// in a file it loads as CommonJS.
const { defineConfig }: typeof import("vitest/config") = require("vitest/config");

module.exports = defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["**/node_modules/**", "test/fixtures/**"],
    reporters: ["default", "./test/grading/scoreboard-reporter.ts"],
    // Simulations are CPU-bound and short; two workers are plenty on a shared machine.
    maxWorkers: 2,
  },
});
