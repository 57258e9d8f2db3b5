/**
 * Check of exercise 11.1 word count and inverted index. Both apps are pure functions: the grader
 * generates a corpus per trial ({@link TRIALS} per seed) and compares
 * `runSequential(yours, corpus)` with `runSequential(reference, corpus)` byte for byte
 * (lib/mapreduce's sequential run: map every file, group by key in byte order, reduce each key).
 *
 * A corpus has 1–6 files with names drawn per trial, given in random order (so file lists are not
 * sorted by accident); some files are empty or hold no letters at all. The text mixes words drawn
 * from a small vocabulary (so words repeat, also within a file) with mixed case, Unicode letters
 * (accents, ß, Greek, Cyrillic, CJK, an astral letter), apostrophes inside words, digits inside and
 * between words, underscores, dashes and punctuation.
 *
 * Rules, in order:
 * 1. for each app, map returns an array of `{ key: string, value: string }`, and the output lines
 *    equal the reference's (the failure names the first differing line and the file text around
 *    the word);
 * 2. `wordCount.reduce` on partially combined values (a combiner's output) returns their sum.
 */
import type { Node } from "../../../lib/node";
import { runSequential, type InputFile, type KeyValue, type MapReduceApp } from "../../../lib/mapreduce/index";
import { fail, runScenarios, trialsPerSeed, type CheckResult, type Scenario, type Trial } from "../check";
import { exercise } from "../exercises";
import { invertedIndex as referenceIndex, wordCount as referenceCount } from "../../../solutions/11-big-data/apps";

/** What exercises/11-big-data/apps.ts exports. */
export interface AppsApi {
  wordCount: MapReduceApp;
  invertedIndex: MapReduceApp;
}

type Implements<T extends AppsApi> = T;
export type StubImplementsApps = Implements<typeof import("../../../exercises/11-big-data/apps")>;
export type SolutionImplementsApps = Implements<typeof import("../../../solutions/11-big-data/apps")>;

/** Trials per seed: with the registry's seeds, ≥ 135 in all (see check.ts). */
export const TRIALS = trialsPerSeed(exercise("11.1").seeds.length);
/** Calls of wordCount.reduce with partially combined values per trial. */
export const COMBINED_CALLS = 4;

/** What the checks of a seed met (for the meta tests). */
export interface AppsStats {
  trials: number;
  files: number;
  emptyFiles: number;
  /** Output lines compared (both apps). */
  lines: number;
  /** Keys with a letter outside ASCII. */
  unicodeKeys: number;
  /** Words that came out of a token with an apostrophe or a digit inside. */
  splitTokens: number;
  /** Keys that occur more than once in one file. */
  repeatedInFile: number;
  combinedCalls: number;
}

interface Params {
  inputs: InputFile[];
  combined: { key: string; values: string[] }[];
  splitTokens: number;
}

const FILE_NAMES = ["pg-being_ernest.txt", "pg-dorian_gray.txt", "pg-frankenstein.txt", "pg-grimm.txt", "pg-huckleberry_finn.txt", "pg-metamorphosis.txt", "pg-sherlock_holmes.txt", "pg-tom_sawyer.txt", "a.txt", "b.txt", "input-0.txt", "input-10.txt", "input-2.txt"];
const WORDS = ["the", "The", "THE", "a", "A", "to", "be", "or", "not", "is", "that", "question", "whether", "tis", "nobler", "mind", "sea", "sea", "the", "of", "and", "and", "I", "i"];
const UNICODE = ["café", "Café", "naïve", "straße", "Zoë", "Ωμέγα", "λόγος", "мир", "Мир", "日本語", "über", "Ångström", "𝒜lpha", "façade", "señor"];
const GLUED = ["don't", "it's", "o'clock", "rock'n'roll", "Tis'", "'quoted'", "abc123def", "x2y", "R2D2", "mp3", "snake_case", "well-known", "e-mail", "U.S.A.", "café's", "2nd", "4th"];
const NUMBERS = ["42", "3.14", "1,000", "2026", "0", "007"];
const SEPARATORS = [" ", " ", " ", " ", "\n", ", ", ". ", "; ", ": ", "! ", "? ", " — ", " (", ") ", "\t", "  ", "\n\n", " \"", "\" ", "-", "…", " / "];

function token(rng: Trial["rng"], p: { splitTokens: number }): string {
  const roll = rng.int(0, 20);
  if (roll < 11) return rng.pick(WORDS);
  if (roll < 14) return rng.pick(UNICODE);
  if (roll < 17) {
    p.splitTokens++;
    return rng.pick(GLUED);
  }
  return rng.pick(NUMBERS);
}

function text(rng: Trial["rng"], p: { splitTokens: number }, tokens: number): string {
  let out = rng.chance(0.3) ? rng.pick(SEPARATORS) : "";
  for (let i = 0; i < tokens; i++) out += token(rng, p) + (i + 1 < tokens || rng.chance(0.5) ? rng.pick(SEPARATORS) : "");
  return out;
}

function params(trial: Trial): Params {
  const rng = trial.rng;
  const count = trial.index === 0 ? 4 : rng.int(1, 7);
  const names = rng.shuffle([...FILE_NAMES]).slice(0, count);
  const p = { splitTokens: 0 };
  const inputs: InputFile[] = names.map((file, i) => {
    const roll = rng.int(0, 10);
    // Trial 0 always has an empty file; otherwise about one file in ten is empty and one in ten has no letters.
    if ((trial.index === 0 && i === 1) || roll === 0) return { file, contents: "" };
    if (roll === 1) return { file, contents: `${rng.pick(NUMBERS)}${rng.pick(SEPARATORS)}${rng.pick(NUMBERS)} !!! -- 12` };
    return { file, contents: text(rng, p, rng.int(5, 60)) };
  });
  const combined: { key: string; values: string[] }[] = [];
  for (let i = 0; i < COMBINED_CALLS; i++) {
    const values = Array.from({ length: rng.int(1, 6) }, () => String(rng.chance(0.3) ? 1 : rng.int(1, 40)));
    if (i === 0 && values.length === 1) values.push(String(rng.int(2, 9)));
    combined.push({ key: rng.pick([...WORDS, ...UNICODE]), values });
  }
  return { inputs, combined, splitTokens: p.splitTokens };
}

const NODE = "mapreduce";
const at = { node: NODE };
const show = (x: unknown): string => (x === undefined ? "undefined" : (JSON.stringify(x) ?? String(x)));

function corpusText(p: Params): string {
  return `${p.inputs.length} file(s) ${p.inputs.map((f) => `${f.file} (${f.contents.length} chars)`).join(", ")}`;
}

/** Where `word` occurs in the corpus (as a substring), as a short quote of the file text. */
function quote(p: Params, word: string): string {
  if (word === "") return "";
  const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const whole = new RegExp(`(?<!\\p{L})${escaped}(?!\\p{L})`, "u");
  for (const { file, contents } of p.inputs) {
    // The word standing alone if it does somewhere, else as part of a longer run of letters.
    const found = whole.exec(contents);
    const i = found ? found.index : contents.indexOf(word);
    if (i < 0) continue;
    const from = Math.max(0, i - 16);
    const to = Math.min(contents.length, i + word.length + 16);
    return ` — ${file} has ${show(`${from > 0 ? "…" : ""}${contents.slice(from, to)}${to < contents.length ? "…" : ""}`)}`;
  }
  return ` — no file contains ${show(word)}`;
}

/** The key of an output line: up to its first space. */
function keyOf(line: string | undefined): string {
  if (line === undefined) return "";
  const space = line.indexOf(" ");
  return space < 0 ? line : line.slice(0, space);
}

function checkMapOutput(app: MapReduceApp, name: string, p: Params): void {
  for (const { file, contents } of p.inputs) {
    const call = `${name}.map(${show(file)}, contents)`;
    let pairs: unknown;
    try {
      pairs = app.map(file, contents);
    } catch (error) {
      if (error instanceof Error && error.name === "NotImplementedError") throw error;
      fail(`${call} to return the file's pairs (the file is ${show(contents.slice(0, 60))}${contents.length > 60 ? "…" : ""})`, `it threw ${error instanceof Error ? error.message : show(error)}`, at);
    }
    if (!Array.isArray(pairs)) fail(`${call} to return an array of { key, value }`, `it returned ${show(pairs)}`, at);
    const bad = (pairs as unknown[]).find((kv) => typeof kv !== "object" || kv === null || typeof (kv as KeyValue).key !== "string" || typeof (kv as KeyValue).value !== "string");
    if (bad !== undefined) fail(`${call} to return pairs { key: string, value: string } (values are text, e.g. "1")`, `it returned the pair ${show(bad)}`, at);
  }
}

/** Rule 1 for one app. */
function checkApp(app: MapReduceApp, reference: MapReduceApp, name: string, p: Params, stats?: AppsStats): void {
  if (typeof app !== "object" || app === null || typeof app.map !== "function" || typeof app.reduce !== "function") {
    fail(`the module to export ${name}: { name, map(file, contents), reduce(key, values) }`, `${name} is ${show(app)}`, at);
  }
  checkMapOutput(app, name, p);
  const want = runSequential(reference, p.inputs);
  let got: string;
  try {
    got = runSequential(app, p.inputs);
  } catch (error) {
    if (error instanceof Error && error.name === "NotImplementedError") throw error;
    fail(`runSequential(${name}, corpus) on ${corpusText(p)} to run`, `your reduce threw ${error instanceof Error ? error.message : show(error)}`, at);
  }
  const wantLines = want.split("\n");
  const gotLines = got.split("\n");
  if (stats) {
    stats.lines += wantLines.length - 1;
    if (name === "wordCount") {
      stats.unicodeKeys += wantLines.filter((l) => /[^\x00-\x7f]/.test(keyOf(l))).length;
      for (const { contents } of p.inputs) {
        const counts = new Map<string, number>();
        for (const w of contents.match(/\p{L}+/gu) ?? []) counts.set(w, (counts.get(w) ?? 0) + 1);
        stats.repeatedInFile += Array.from(counts.values()).filter((c) => c > 1).length;
      }
    }
  }
  if (got === want) return;
  const i = wantLines.findIndex((line, j) => gotLines[j] !== line);
  const index = i < 0 ? wantLines.length : i;
  const wantLine = wantLines[index];
  const gotLine = gotLines[index];
  const wantText = wantLine === undefined || (wantLine === "" && index === wantLines.length - 1) ? "no more lines" : show(wantLine);
  const gotText = gotLine === undefined || (gotLine === "" && index === gotLines.length - 1) ? "no more lines" : show(gotLine);
  const wantKey = keyOf(wantLine);
  const gotKey = keyOf(gotLine);
  const context = wantKey !== "" ? quote(p, wantKey) : quote(p, gotKey);
  const gotContext = gotKey !== "" && gotKey !== wantKey ? quote(p, gotKey) : "";
  fail(
    `runSequential(${name}, corpus) on ${corpusText(p)} to have line ${index + 1} ${wantText}, as the reference${context}`,
    `line ${index + 1} is ${gotText}${gotContext}${diagnose(wantLine, gotLine, gotLines)}`,
    at,
  );
}

/** Why a line differs, when the grader can tell. */
function diagnose(wantLine: string | undefined, gotLine: string | undefined, gotLines: readonly string[]): string {
  const wantKey = keyOf(wantLine);
  const gotKey = keyOf(gotLine);
  const odd = Array.from(gotKey).find((ch) => !/\p{L}/u.test(ch));
  if (odd !== undefined) return ` — ${show(gotKey)} is not a word: ${show(odd)} is not a letter; a word is a maximal run of \\p{L}`;
  const gotKeys = new Set(gotLines.map(keyOf));
  if (wantKey !== "" && !gotKeys.has(wantKey)) {
    if (wantKey !== wantKey.toLowerCase() && gotKeys.has(wantKey.toLowerCase())) return ` — your output has ${show(wantKey.toLowerCase())} but no ${show(wantKey)}: keep the case`;
    if (/[^\x00-\x7f]/.test(wantKey)) return ` — the word ${show(wantKey)} is missing: it has letters outside ASCII, and \\p{L} matches them`;
    return ` — the word ${show(wantKey)} is missing`;
  }
  if (wantKey !== "" && wantKey === gotKey && wantLine !== undefined && gotLine !== undefined) {
    const files = gotLine.slice(gotKey.length + 1).split(" ")[1]?.split(",");
    if (files !== undefined && files.length > 1) {
      if (new Set(files).size < files.length) return " — a file is listed more than once: list the distinct files";
      if (files.some((f, i) => i > 0 && files[i - 1] > f)) return " — the files are not sorted";
    }
    return ` — the same word, another value`;
  }
  return "";
}

/** Rule 2. */
function checkCombined(app: MapReduceApp, p: Params, stats?: AppsStats): void {
  for (const { key, values } of p.combined) {
    const want = String(values.reduce((sum, v) => sum + Number(v), 0));
    let got: unknown;
    try {
      got = app.reduce(key, [...values]);
    } catch (error) {
      if (error instanceof Error && error.name === "NotImplementedError") throw error;
      got = `an error: ${error instanceof Error ? error.message : show(error)}`;
    }
    if (got !== want) {
      fail(
        `wordCount.reduce(${show(key)}, ${show(values)}) to be ${show(want)}, the sum of the values: reduce also runs as a combiner (§4.3), so its values may be partial counts`,
        `${show(got)}${got === String(values.length) ? " — the number of values, not their sum" : ""}`,
        at,
      );
    }
    if (stats) stats.combinedCalls++;
  }
}

/**
 * Check exercise 11.1 with one grader seed.
 *
 * @example
 * const result = await checkApps(await loadTarget("11-big-data/apps"), 7);
 */
export function checkApps(impl: AppsApi, seed: number, stats?: AppsStats): Promise<CheckResult> {
  const scenario: Scenario<AppsApi, Params> = {
    name: (p) => `your wordCount and invertedIndex on a generated corpus of ${corpusText(p)}`,
    trials: TRIALS,
    params,
    run: async (sim, impl, p) => {
      if (stats) {
        stats.trials++;
        stats.files += p.inputs.length;
        stats.emptyFiles += p.inputs.filter((f) => f.contents === "").length;
        stats.splitTokens += p.splitTokens;
      }
      sim.spawn(NODE, (_node: Node) => {}, { role: "mapreduce" });
      checkApp(impl.wordCount, referenceCount, "wordCount", p, stats);
      checkApp(impl.invertedIndex, referenceIndex, "invertedIndex", p, stats);
      checkCombined(impl.wordCount, p, stats);
    },
  };
  return runScenarios(impl, seed, [scenario], { exercise: "11.1 apps" });
}
