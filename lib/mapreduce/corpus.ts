// A small generated text corpus for MapReduce examples (no downloads): made-up words from
// syllables, drawn with Zipf-like popularity — the word of rank i has weight 1 / i^zipf — so, as
// in real text, a few words are very common and most are rare (Zipf's law; word count's output
// has a heavy head, and the reduce task that gets "the"-like words does more work).
import { ConfigError } from "../sim/errors";
import { Prng } from "../sim/prng";
import type { InputFile } from "./app";
import { ZipfSampler } from "../patterns/zipf";

/** Options of {@link generateCorpus}. */
export interface CorpusOptions {
  seed?: number;
  /** Files (map tasks). Default 8. */
  files?: number;
  /** Words per file. Default 400. */
  wordsPerFile?: number;
  /** Distinct words to draw from. Default 200. */
  vocabulary?: number;
  /** Zipf exponent of word popularity: 0 uniform, 1 (default) like natural text. */
  zipf?: number;
}

const ONSETS = ["b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "st", "tr", "gl"];
const VOWELS = ["a", "e", "i", "o", "u", "ai", "ou"];
const CODAS = ["", "", "", "n", "r", "s", "l", "x"];

/**
 * The made-up vocabulary of a seed: `size` distinct lower-case words, most popular first (short
 * words tend to come first, as in real text).
 *
 * @example
 * corpusVocabulary({ seed: 1, size: 3 }); // e.g. ["ka", "tou", "blinor"]
 */
export function corpusVocabulary(options: { seed?: number; size: number }): string[] {
  const prng = new Prng(options.seed ?? 1).split("corpus vocabulary");
  const words: string[] = [];
  const seen = new Set<string>();
  while (words.length < options.size) {
    // more syllables as the rank grows
    const syllables = 1 + Math.min(3, Math.floor(Math.log2(2 + words.length) / 2)) + (prng.chance(0.3) ? 1 : 0);
    let w = "";
    for (let s = 0; s < syllables; s++) w += ONSETS[prng.int(0, ONSETS.length)] + VOWELS[prng.int(0, VOWELS.length)];
    w += CODAS[prng.int(0, CODAS.length)];
    if (seen.has(w)) continue;
    seen.add(w);
    words.push(w);
  }
  return words;
}

/**
 * A deterministic corpus of `files` text files (`text-00.txt`, …) of made-up words with Zipf-like
 * popularity. Sentences start with a capital letter and end with a full stop, about a dozen words
 * to a line — so word count keeps "Ka" and "ka" apart, as the exercises' rule (runs of letters,
 * case kept) says.
 *
 * @example
 * const inputs = generateCorpus({ seed: 1, files: 4, wordsPerFile: 200 });
 * inputs[0].file;                     // "text-00.txt"
 * runSequential(wordCount, inputs);   // a few words with large counts, a long tail of 1s and 2s
 */
export function generateCorpus(options: CorpusOptions = {}): InputFile[] {
  const seed = options.seed ?? 1;
  const files = options.files ?? 8;
  const wordsPerFile = options.wordsPerFile ?? 400;
  const vocabulary = options.vocabulary ?? 200;
  const zipf = options.zipf ?? 1;
  const where = "generateCorpus";
  if (!Number.isInteger(files) || files < 1) throw new ConfigError(`${where}: files`, files, "a whole number ≥ 1");
  if (!Number.isInteger(wordsPerFile) || wordsPerFile < 1) throw new ConfigError(`${where}: wordsPerFile`, wordsPerFile, "a whole number ≥ 1");
  if (!Number.isInteger(vocabulary) || vocabulary < 1 || vocabulary > 100_000) throw new ConfigError(`${where}: vocabulary`, vocabulary, "a whole number in [1, 100000]");
  if (typeof zipf !== "number" || !(zipf >= 0) || !Number.isFinite(zipf)) throw new ConfigError(`${where}: zipf`, zipf, "a finite exponent ≥ 0");
  const words = corpusVocabulary({ seed, size: vocabulary });
  const prng = new Prng(seed).split("corpus text");
  const ranks = new ZipfSampler({ keyCount: vocabulary, exponent: zipf }, prng);
  const draw = (): string => words[ranks.next()];
  const width = String(files - 1).length < 2 ? 2 : String(files - 1).length;
  const out: InputFile[] = [];
  for (let f = 0; f < files; f++) {
    let text = "";
    let line = 0;
    let sentence = 0;
    let sentenceLength = 4 + prng.int(0, 9);
    for (let w = 0; w < wordsPerFile; w++) {
      let word = draw();
      if (sentence === 0) word = word[0].toUpperCase() + word.slice(1);
      sentence++;
      const last = w === wordsPerFile - 1;
      const end = sentence >= sentenceLength || last;
      text += word + (end ? "." : "");
      if (end) { sentence = 0; sentenceLength = 4 + prng.int(0, 9); }
      line++;
      if (last) text += "\n";
      else if (line >= 12 && end) { text += "\n"; line = 0; }
      else text += " ";
    }
    out.push({ file: `text-${String(f).padStart(width, "0")}.txt`, contents: text });
  }
  return out;
}
