// Transcript tests for pure machines, in the shape of etcd raft's datadriven tests (testdata/*.txt
// run by rafttest.InteractionEnv): a file of commands, each followed by the exact output it must
// produce. The runner replays the commands on an `InteractionEnv` (no simulator) and compares.
//
// File format — one case per command:
//
//     # comments and blank lines between cases are kept as written
//     deliver client->c begin {"txn":"t1"}
//     ----
//     client->c begin {"txn":"t1"}
//       send c->p1 prepare {"txn":"t1"}
//       state idle → preparing
//
// - the command is one line (syntax: `InteractionEnv.run`);
// - `----` on the next line;
// - the expected output: every line up to the next blank line (outputs never contain one);
// - a command that prints nothing prints `ok`.
//
// Output lines: a delivered message `src->dest type {fields}` or a tick `tick <id>` (only ticks
// that did something), then its effects indented, in the order a host performs them:
// `persist {fields written}`, `send src->dest type {fields}`, `state <before> → <after>`
// (`describe`). `dropped ...` for a lost message, `disk {...}` for what a crash keeps.
//
// To accept new output after a deliberate change, rewrite the files and review the diff
// (the test runner does this under REWRITE_TRANSCRIPTS=1; `result.rewritten` is the new text).
import type { Machine, MachineBody } from "./machine";
import { InteractionEnv, type InteractionEnvOptions } from "./interaction";

/** One command of a transcript with its expected output. */
export interface TranscriptCase {
  /** The comment and blank lines before the command, as written. */
  before: string[];
  /** Line number (1-based) of the command. */
  line: number;
  command: string;
  expected: string;
}

/** A parsed transcript file. */
export interface Transcript {
  cases: TranscriptCase[];
  /** Comment and blank lines after the last case. */
  after: string[];
}

/** A case after running it. */
export interface TranscriptOutcome extends TranscriptCase {
  actual: string;
  ok: boolean;
}

/** The result of replaying a transcript. */
export interface TranscriptResult<S> {
  cases: TranscriptOutcome[];
  /** The cases whose output differs from the expected one. */
  failures: TranscriptOutcome[];
  /** The file with every expected output replaced by the actual one (for REWRITE_TRANSCRIPTS). */
  rewritten: string;
  /** The machines' states at the end (for further checks). */
  states: Record<string, S>;
}

/** Options for `runTranscript`. */
export interface RunTranscriptOptions<S> extends InteractionEnvOptions {
  /**
   * Checked on the running nodes' states after every command: a non-empty list of violations stops
   * the replay with a `TranscriptError` at that line.
   */
  invariant?: (states: Record<string, S>) => string[];
}

/** A transcript that cannot be parsed, or a command that cannot run; names the line. */
export class TranscriptError extends Error {
  override name = "TranscriptError";
}

/**
 * Parse a transcript file.
 *
 * @example
 * parseTranscript("# hello\ntick n1\n----\nok\n").cases[0]; // { before: ["# hello"], line: 2, command: "tick n1", expected: "ok" }
 */
export function parseTranscript(text: string): Transcript {
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  const cases: TranscriptCase[] = [];
  let before: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === "" || line.startsWith("#")) {
      before.push(line);
      i++;
      continue;
    }
    if (line === "----") throw new TranscriptError(`line ${i + 1}: "----" without a command before it`);
    if (lines[i + 1] !== "----") throw new TranscriptError(`line ${i + 2}: expected "----" after the command on line ${i + 1} (${line})`);
    const expected: string[] = [];
    let j = i + 2;
    while (j < lines.length && lines[j].trim() !== "") expected.push(lines[j++]);
    cases.push({ before, line: i + 1, command: line.trim(), expected: expected.join("\n") });
    before = [];
    i = j + 1; // skip the blank line that ends the case
  }
  return { cases, after: before };
}

/**
 * Write a transcript back as text (the inverse of `parseTranscript`, one blank line after each case).
 *
 * @example
 * formatTranscript(parseTranscript(text)) === text; // for a file written in the canonical layout
 */
export function formatTranscript(transcript: Transcript): string {
  const out: string[] = [];
  for (const c of transcript.cases) out.push(...c.before, c.command, "----", ...(c.expected === "" ? [] : c.expected.split("\n")), "");
  out.push(...transcript.after);
  while (out.length > 0 && out[out.length - 1].trim() === "") out.pop();
  return out.join("\n") + "\n";
}

/**
 * Replay a transcript on a fresh `InteractionEnv` of `machine` and compare every output. Throws
 * `TranscriptError` (naming the line) for a command that cannot run, a machine that throws or is
 * not pure, or a broken `invariant`; output differences are returned in `failures`, not thrown.
 *
 * @example
 * const result = runTranscript(twoPhaseCommit, readFileSync("commit.txt", "utf8"), { invariant: atomicCommitViolations });
 * result.failures.length;                   // 0 when every output matches
 * console.log(explainTranscriptFailures(result, "commit.txt"));
 */
export function runTranscript<S, M extends MachineBody, P extends object, C>(
  machine: Machine<S, M, P, C>,
  text: string,
  options: RunTranscriptOptions<S> = {},
): TranscriptResult<S> {
  const transcript = parseTranscript(text);
  const env = new InteractionEnv(machine, options);
  const cases = transcript.cases.map((c): TranscriptOutcome => {
    let actual: string;
    try {
      actual = env.run(c.command);
      const violations = options.invariant?.(env.states()) ?? [];
      if (violations.length > 0) throw new TranscriptError(`invariant broken:\n  ${violations.join("\n  ")}\n  output:\n${indent(actual)}`);
    } catch (err) {
      const e = new TranscriptError(`line ${c.line}: ${c.command}\n  ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
      (e as { cause?: unknown }).cause = err;
      throw e;
    }
    return { ...c, actual, ok: actual === c.expected };
  });
  const rewritten = formatTranscript({ cases: cases.map((c) => ({ ...c, expected: c.actual })), after: transcript.after });
  return { cases, failures: cases.filter((c) => !c.ok), rewritten, states: env.states() };
}

/**
 * The failures of a replay as text: per differing case, its line, the command, and the expected and
 * actual outputs. Empty when everything matched.
 *
 * @example
 * const text = explainTranscriptFailures(result, "test/machine/transcripts/two-phase-commit/commit.txt");
 * if (text) throw new Error(text);
 */
export function explainTranscriptFailures(result: TranscriptResult<unknown>, file = "transcript"): string {
  return result.failures
    .map((c) => `${file}:${c.line}: ${c.command}\n  expected:\n${indent(c.expected)}\n  actual:\n${indent(c.actual)}`)
    .join("\n\n");
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n");
}
