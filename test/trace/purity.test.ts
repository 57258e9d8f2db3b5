// The exporters of lib/trace are pure functions of their input: they never change the trace, the
// events or the options they are given, the same input always gives the same output (whatever was
// exported before, in between, or from inside a callback), colour depends on the `color` option
// alone (never on the terminal or the environment), and the module runs as CommonJS, as the tslab
// notebook kernel loads it.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { promisify } from "node:util";
import * as vm from "node:vm";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import * as traceLib from "../../lib/trace";
import { chartMetric, formatTimeline, summarize, toSequenceDiagram, type Trace, type TraceEvent, type TraceSource } from "../../lib/trace";
import { EVENTS, NASTY_NAMES, fixtureTrace, nastyEvents } from "./fixtures";

const ROOT = path.resolve(__dirname, "../..");

/** Freeze a value and everything reachable from it: any write, push or in-place sort then throws (ES modules are strict). */
function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[key]);
  }
  return value;
}

type TraceLib = typeof traceLib;

/** Every exporter of `lib`, on one source, with options that use every array-valued option. */
function exportAll(lib: TraceLib, source: TraceSource, options: { nodes: readonly string[]; types: readonly string[] }): unknown[] {
  const { nodes, types } = options;
  const {
    chartMetric, describeEvent, drawnAsNote, filterEvents, formatStats, formatTimeline, hashEvents, messageFlow, nodesOf,
    percentiles, seriesOverTime, stateGraph, stateRoles, summarize, toMessageFlowGraph, toSequenceDiagram, toStateDiagram,
  } = lib;
  const events = Array.isArray(source) ? (source as readonly TraceEvent[]) : (source as Trace).events;
  const role = stateRoles(source)[0];
  return [
    toSequenceDiagram(source),
    toSequenceDiagram(source, { nodes, types, showTime: true, showSentTime: true, showTimers: true, showLogs: true, legend: true, autonumber: true, title: "t", label: (m, base) => `${base} ${JSON.stringify(m.body)}` }),
    toSequenceDiagram(source, { maxMessages: 3, maxNotes: 2, maxChars: 600 }),
    toStateDiagram(source, { role, showCrashes: true }),
    stateGraph(source, { role, nodes }),
    stateRoles(source),
    toMessageFlowGraph(source, { causal: true, nodes, types }),
    messageFlow(source, { causal: true }),
    formatTimeline(source, { color: true, nodes, types, kinds: ["send", "deliver", "drop", "state"], maxLines: 5 }),
    formatTimeline(source),
    summarize(source, { clientNodes: nodes }),
    formatStats(summarize(source)),
    seriesOverTime(source, "delivered"),
    chartMetric(source, "sent", { height: 4 }),
    chartMetric(source, (bucket) => bucket.length / 3, { fromMs: 2 }),
    filterEvents(events, { nodes, types, fromMs: 2, toMs: 20 }),
    hashEvents(events),
    nodesOf(source),
    events.map((e) => [describeEvent(e), drawnAsNote(e, { showTimers: true })]),
    percentiles(deepFreeze(events.map((e) => e.timeMs))),
  ];
}

/** Compiled CommonJS text of each file (compiling is the slow part; running it again is cheap). */
const compiled = new Map<string, string>();

/**
 * A fresh copy of lib/trace (no module state shared with any other copy), loaded the way tslab
 * loads it: each file compiled to a CommonJS module and run in a function scope, where
 * `import.meta` is a syntax error. Packages come from the repository's node_modules.
 */
function freshCommonJsCopy(): TraceLib {
  const modules = new Map<string, { exports: unknown }>();
  const packages = createRequire(path.join(ROOT, "package.json"));
  const load = (file: string): unknown => {
    const cached = modules.get(file);
    if (cached) return cached.exports;
    let js = compiled.get(file);
    if (js === undefined) {
      js = ts.transpileModule(fs.readFileSync(file, "utf8"), {
        fileName: file,
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
      }).outputText;
      compiled.set(file, js);
    }
    const module = { exports: {} as unknown };
    modules.set(file, module);
    const requireFrom = (spec: string): unknown => {
      if (!spec.startsWith(".")) return packages(spec);
      const base = path.resolve(path.dirname(file), spec);
      return load(fs.existsSync(`${base}.ts`) ? `${base}.ts` : path.join(base, "index.ts"));
    };
    vm.compileFunction(js, ["require", "module", "exports"], { filename: file })(requireFrom, module, module.exports);
    return module.exports;
  };
  return load(path.join(ROOT, "lib/trace/index.ts")) as TraceLib;
}

const FIXTURE_OPTIONS = { nodes: ["c1", "n2"], types: ["write", "append", "append_ok", "read_ok"] };
const NASTY = NASTY_NAMES.slice(0, 24);
const NASTY_OPTIONS = { nodes: NASTY.slice(0, 3), types: NASTY.slice(2, 6) };

describe("lib/trace exporters are pure", () => {
  it("never change the trace, its events or the options they are given (all deep-frozen)", () => {
    const before = JSON.stringify(EVENTS);
    const trace = deepFreeze(fixtureTrace());
    const events = deepFreeze(structuredClone(EVENTS));
    const options = deepFreeze(structuredClone(FIXTURE_OPTIONS));
    expect(() => exportAll(traceLib, trace, options)).not.toThrow();
    expect(() => exportAll(traceLib, events, options)).not.toThrow();
    const nasty = deepFreeze(nastyEvents(NASTY));
    expect(() => exportAll(traceLib, nasty, deepFreeze(structuredClone(NASTY_OPTIONS)))).not.toThrow();
    expect(JSON.stringify(EVENTS)).toBe(before);
    // the freezing is real: a mutating exporter would have thrown
    expect(() => (events as TraceEvent[]).sort(() => 0)).toThrow(TypeError);
  });

  it("give the same output for the same input, whatever was exported before: as a fresh copy of the module", () => {
    const sources: Array<[string, () => TraceSource, typeof FIXTURE_OPTIONS]> = [
      ["fixture trace", fixtureTrace, FIXTURE_OPTIONS],
      ["fixture events", () => EVENTS, FIXTURE_OPTIONS],
      ["nasty names", () => nastyEvents(NASTY), NASTY_OPTIONS],
      ["other nasty names", () => nastyEvents(NASTY_NAMES.slice(40, 64)), { nodes: NASTY_NAMES.slice(45, 47), types: NASTY_NAMES.slice(50, 55) }],
      ["a long run", () => [...EVENTS, { kind: "heal", timeMs: 12_345_678.9 }], FIXTURE_OPTIONS], // wide columns, large buckets
    ];
    const firsts = sources.map(([, source, options]) => exportAll(traceLib, source(), options));
    for (const [[name, source, options], first] of sources.map((x, i) => [x, firsts[i]] as const).reverse()) {
      expect(exportAll(traceLib, source(), options), `${name}, again`).toEqual(first);
      expect(exportAll(freshCommonJsCopy(), source(), options), `${name}, fresh copy`).toEqual(first);
    }
  });

  it("share no state with a call made from inside a callback (re-entrant)", () => {
    const plain = toSequenceDiagram(fixtureTrace(), { nodes: ["c1"] });
    const inner = toSequenceDiagram(nastyEvents(NASTY), { maxMessages: 5 });
    const innerCalls: string[] = [];
    const outer = toSequenceDiagram(fixtureTrace(), {
      nodes: ["c1"],
      label: (_, base) => {
        innerCalls.push(toSequenceDiagram(nastyEvents(NASTY), { maxMessages: 5 }));
        return base;
      },
    });
    expect(outer).toBe(plain);
    expect(innerCalls.length).toBeGreaterThan(0);
    for (const text of innerCalls) expect(text).toBe(inner);
  });

  it("colour depends on the color option only, not on the terminal or the environment", async () => {
    // The same calls in two fresh processes whose environments ask for no colour and for full colour.
    const script = [
      `const { formatTimeline } = require(${JSON.stringify(path.join(ROOT, "lib/trace/index.ts"))});`,
      `const events = ${JSON.stringify(EVENTS)};`,
      "process.stdout.write(JSON.stringify([formatTimeline(events, { color: true }), formatTimeline(events)]));",
    ].join("\n");
    const run = async (env: Record<string, string>): Promise<string[]> => {
      const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "-e", script], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
      });
      return JSON.parse(stdout) as string[];
    };
    const [noColour, fullColour] = await Promise.all([run({ NO_COLOR: "1", FORCE_COLOR: "0", TERM: "dumb" }), run({ FORCE_COLOR: "3", COLORTERM: "truecolor", TERM: "xterm-256color" })]);
    const here = [formatTimeline(EVENTS, { color: true }), formatTimeline(EVENTS)];
    expect(noColour).toEqual(here);
    expect(fullColour).toEqual(here);
    expect(here[0]).toContain("\u001b[32m"); // basic 16-colour codes when asked…
    expect(here[1]).not.toContain("\u001b["); // …and none otherwise
  }, 20_000);
});

describe("lib/trace runs as CommonJS (tslab compiles notebook code and lib/ to CommonJS)", () => {
  it("loads, exports the same names and draws the same output as the ES module build", () => {
    const cjs = freshCommonJsCopy();
    expect(Object.keys(cjs).sort()).toEqual(Object.keys(traceLib).sort());
    expect(cjs.toSequenceDiagram(EVENTS, { showTime: true })).toBe(toSequenceDiagram(EVENTS, { showTime: true }));
    expect(cjs.formatTimeline(EVENTS, { color: true })).toBe(formatTimeline(EVENTS, { color: true }));
    expect(cjs.chartMetric(EVENTS, "sent")).toBe(chartMetric(EVENTS, "sent"));
    expect(cjs.summarize(EVENTS)).toEqual(summarize(EVENTS));
  });
});
