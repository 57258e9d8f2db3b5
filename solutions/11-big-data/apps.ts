/**
 * Reference solution of exercise 11.1 — word count and inverted index as MapReduce applications
 * (Dean & Ghemawat, OSDI 2004, §2.1 and §2.3 "Inverted Index"; §4.3 the combiner).
 */
import type { KeyValue, MapReduceApp } from "../../lib/mapreduce/index";

/**
 * The words of a text: maximal runs of Unicode letters, case kept.
 *
 * @example
 * words("Don't stop—3 cafés"); // ["Don", "t", "stop", "cafés"]
 */
export function words(text: string): string[] {
  return text.match(/\p{L}+/gu) ?? [];
}

/**
 * Word count: map emits (word, "1") per occurrence; reduce sums, so it also works as a combiner.
 *
 * @example
 * wordCount.reduce("be", ["2", "1"]); // "3"
 */
export const wordCount: MapReduceApp = {
  name: "wc",
  map(_file: string, contents: string): KeyValue[] {
    return words(contents).map((word) => ({ key: word, value: "1" }));
  },
  reduce(_key: string, values: string[]): string {
    let sum = 0;
    for (const value of values) sum += parseInt(value, 10);
    return String(sum);
  },
};

/**
 * Inverted index: map emits (word, file) once per distinct word of the file; reduce lists the
 * distinct files, sorted, after their number.
 *
 * @example
 * invertedIndex.reduce("be", ["b.txt", "a.txt", "b.txt"]); // "2 a.txt,b.txt"
 */
export const invertedIndex: MapReduceApp = {
  name: "indexer",
  map(file: string, contents: string): KeyValue[] {
    return Array.from(new Set(words(contents)), (word) => ({ key: word, value: file }));
  },
  reduce(_key: string, values: string[]): string {
    const files = Array.from(new Set(values)).sort();
    return `${files.length} ${files.join(",")}`;
  },
};
