/**
 * Every graded exercise, declared once: id, notebook, file, points, hint and the seeds its grader
 * runs. The graders (`test/NN-*.test.ts`), the scoreboard and the notebooks read this list.
 *
 * To add an exercise: add an entry here, a stub in `exercises/<module>.ts` that throws
 * `NotImplementedError`, the reference in `solutions/<module>.ts` (same exports), a check
 * `check(impl, seed)` in `test/grading/<notebook>/`, one `gradeExercise(id, check)` line in
 * `test/<notebook>.test.ts`, and buggy variants in `test/fixtures/buggy/` that the check must reject.
 */

/** One graded exercise. */
export interface Exercise {
  /** Notebook number and position, e.g. `"00.1"`. */
  id: string;
  /** The notebook it belongs to, e.g. `"00-getting-started"` (also the grader's file name). */
  notebook: string;
  /** Short name used in test names and file names, e.g. `"ping-pong"`. */
  slug: string;
  /** One line saying what the student builds. */
  title: string;
  /** Module path under `exercises/` and `solutions/`, without extension. */
  module: string;
  /** Points for passing every seed. */
  points: number;
  /** Printed with every failure of this exercise. */
  hint: string;
  /** The fixed seeds the grader runs every scenario with. */
  seeds: readonly number[];
}

/** The seeds most graders use: a failing grader names the one that failed, and replays it exactly. */
export const DEFAULT_SEEDS: readonly number[] = [1, 7, 42, 2024, 31337];

/** All exercises, in notebook order. */
export const EXERCISES: readonly Exercise[] = [
  {
    id: "00.1",
    notebook: "00-getting-started",
    slug: "ping-pong",
    title: "a pinger and a ponger play a given number of rounds",
    module: "00-getting-started/ping-pong",
    points: 10,
    hint:
      'The ponger answers with node.reply(ping, { type: "pong", n: ping.body.n }): reply sends to the ' +
      "ping's src and sets in_reply_to, and n comes from the ping (the grader's own pingers send n and " +
      "msg_id values you cannot guess). The pinger sends ping n=1 to the peer it was given when it starts " +
      "(other nodes run too, so node.peers()[0] may be someone else) and every later ping from its " +
      '"pong" handler (a for-loop would send all pings before any pong arrives). When pong n=rounds ' +
      'arrives, call node.setState("done"), and send nothing more.',
    seeds: DEFAULT_SEEDS,
  },
  {
    id: "00.2",
    notebook: "00-getting-started",
    slug: "echo",
    title: "an echo server, and a client that gets its echo through 30% message loss",
    module: "00-getting-started/echo",
    points: 10,
    hint:
      'Server: node.reply(request, { type: "echo_ok", echo: request.body.echo }) answers the node that ' +
      "asked and sets in_reply_to; remember nothing, so every copy of a request (a duplicate, or a retry " +
      "with the same msg_id) gets its answer. Client: one node.rpc(server, { type: \"echo\", echo: text }, " +
      "{ timeoutMs, retries }) waits and resends for you; a round trip takes at most 30 ms here and fails " +
      "about half the time, so all of 1 + retries attempts fail with probability 0.51^(1 + retries). The " +
      "grader makes 405 calls: with 20 retries the chance that any of them fails is about 1 in 3,000, " +
      "with 4 retries it is a near certainty. Return reply.body.echo, the text from the reply.",
    seeds: DEFAULT_SEEDS,
  },
  // 01 why-distributed (entries 01.1, 01.2 go here)
  // 02 infrastructure (entries 02.1, 02.2, 02.3 go here)
  // 03 interaction-patterns (entries 03.1, 03.2, 03.3 go here)
];

/** Notebook titles for the scoreboard, by notebook id. */
export const NOTEBOOKS: Readonly<Record<string, string>> = {
  "00-getting-started": "00 getting-started",
  "01-why-distributed": "01 why-distributed",
  "02-infrastructure": "02 infrastructure",
  "03-interaction-patterns": "03 interaction-patterns",
};

/**
 * The exercise with this id; throws if there is none.
 *
 * @example
 * exercise("00.1").points; // 10
 */
export function exercise(id: string): Exercise {
  const found = EXERCISES.find((e) => e.id === id);
  if (!found) throw new Error(`unknown exercise "${id}" (known: ${EXERCISES.map((e) => e.id).join(", ")})`);
  return found;
}

/**
 * The file of an exercise under `exercises/` or `solutions/`, from the repository root.
 *
 * @example
 * exerciseFile(exercise("00.1")); // "exercises/00-getting-started/ping-pong.ts"
 */
export function exerciseFile(ex: Exercise, target: "exercises" | "solutions" = "exercises"): string {
  return `${target}/${ex.module}.ts`;
}

/**
 * The grader test file of an exercise, from the repository root.
 *
 * @example
 * graderFile(exercise("00.1")); // "test/00-getting-started.test.ts"
 */
export function graderFile(ex: Exercise): string {
  return `test/${ex.notebook}.test.ts`;
}

/**
 * The name of an exercise's grader tests (`describe` block): id and slug, e.g. `"00.1 ping-pong"`.
 * The scoreboard finds exercises by this prefix.
 */
export function suiteName(ex: Exercise): string {
  return `${ex.id} ${ex.slug}`;
}
