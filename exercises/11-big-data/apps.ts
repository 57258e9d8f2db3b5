/**
 * Exercise 11.1 — word count and inverted index as MapReduce applications (10 points). Graded by
 * `npm test` (test/11-big-data.test.ts), or alone with `npm run grade -- 11.1`.
 *
 * A MapReduce application is two pure functions (Dean & Ghemawat, OSDI 2004, §2; the shape of
 * MIT 6.5840's lab 1): `map(file, contents)` turns one input file into key/value pairs, the library
 * sorts and groups all pairs by key (the shuffle), and `reduce(key, values)` turns the values of one
 * key into one output string. The output has one line `"<key> <value>"` per key, in byte order of
 * the keys: `runSequential(app, inputs)` from lib/mapreduce computes it without any nodes, and the
 * distributed run (exercise 11.2) must produce the same bytes.
 *
 * Words are the maximal runs of letters, `/\p{L}+/gu` (Unicode letters, so "café", "straße" and
 * "Ωμέγα" are words); digits, punctuation and apostrophes separate words ("don't" is "don" and
 * "t", "abc123def" is "abc" and "def"). Keep the case: "The" and "the" are two keys.
 *
 * - `wordCount`: map emits `{ key: word, value: "1" }` for each word (or a count per word of the
 *   file); reduce returns the SUM of its values read as integers, as a decimal string. Reduce also
 *   runs as a combiner (§4.3), so its values may be partial counts: reduce("a", ["3", "1", "12"])
 *   is "16", not "3".
 * - `invertedIndex`: map emits `{ key: word, value: file }` for each word of the file; reduce
 *   returns `"<n> <file1>,<file2>,…"`: the distinct files that contain the word, sorted, and n how
 *   many there are. A word that occurs five times in one file lists that file once.
 *
 * Graded: 27 generated corpora for each of 5 seeds (1–6 files given in random order, some empty,
 * with punctuation, digits, apostrophes, Unicode letters, mixed case and repeated words):
 * runSequential(yours, corpus) must equal runSequential(the reference, corpus) byte for byte; the
 * failure names the first differing line and the file text that produced it. Then your word
 * count's reduce on partially combined values.
 */
import type { MapReduceApp } from "../../lib/mapreduce/index";
import { NotImplementedError } from "../not-implemented";

/**
 * Word count: how often each word occurs in all the files.
 *
 * @example
 * runSequential(wordCount, [{ file: "a.txt", contents: "to be, or not to be" }]);
 * // "be 2\nnot 1\nor 1\nto 2\n"
 */
export const wordCount: MapReduceApp = {
  name: "wc",
  map(file: string, contents: string) {
    // Your code here (11.1)
    throw new NotImplementedError("11.1 apps", "exercises/11-big-data/apps.ts");
  },
  reduce(key: string, values: string[]) {
    // Your code here (11.1)
    throw new NotImplementedError("11.1 apps", "exercises/11-big-data/apps.ts");
  },
};

/**
 * Inverted index: for each word, the files that contain it.
 *
 * @example
 * runSequential(invertedIndex, [{ file: "b.txt", contents: "to be" }, { file: "a.txt", contents: "be be" }]);
 * // "be 2 a.txt,b.txt\nto 1 b.txt\n"
 */
export const invertedIndex: MapReduceApp = {
  name: "indexer",
  map(file: string, contents: string) {
    // Your code here (11.1)
    throw new NotImplementedError("11.1 apps", "exercises/11-big-data/apps.ts");
  },
  reduce(key: string, values: string[]) {
    // Your code here (11.1)
    throw new NotImplementedError("11.1 apps", "exercises/11-big-data/apps.ts");
  },
};
