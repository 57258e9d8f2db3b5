// `npx tsx bench/mapreduce.ts`: what the simulated MapReduce costs against the plain computation.
//
// Figure: word count of a generated corpus (lib/mapreduce's generateCorpus: BENCH_MR_FILES files of
// BENCH_MR_WORDS words, default 64 × 5000 = 320,000 words, vocabulary 5000, Zipf 1) run as a
// simulated job — master, 8 workers, 8 reduce tasks, tracing off, zero service time, infinite
// bandwidth, no faults, input blocks with 3 replicas — against a plain in-memory word count of the
// same corpus (one Map, sort, format: the same output bytes). The job is measured without and with
// the map-side combiner (MapReduce §4.3). Each part in a fresh process: one warm-up run, then one
// timed run (wall and CPU time); the median of BENCH_REPEATS processes (default 5). Target: the
// simulated job within 2× the plain count. Not part of `npm test`.
import { performance } from "node:perf_hooks";
import { generateCorpus, runMapReduceJob, runSequential, wordCount } from "../lib/mapreduce/index";
import { fmt, loadAverage, measureInFreshProcess, medianOfRuns, repeats, runBenchmark } from "./fresh";

const REPEATS = repeats(5);
const FILES = Number(process.env.BENCH_MR_FILES ?? 64);
const WORDS = Number(process.env.BENCH_MR_WORDS ?? 5000);

interface Part {
  perSecond: number;
  seconds: number;
  cpuSeconds: number;
  words: number;
  ok: boolean;
}

const corpus = () => generateCorpus({ seed: 1, files: FILES, wordsPerFile: WORDS, vocabulary: 5000, zipf: 1 });

/** A plain word count: what the job computes, with nothing distributed about it. */
function plainWordCount(inputs: ReturnType<typeof corpus>): string {
  const counts = new Map<string, number>();
  for (const { contents } of inputs) for (const w of contents.match(/\p{L}+/gu) ?? []) counts.set(w, (counts.get(w) ?? 0) + 1);
  const keys = [...counts.keys()].sort(); // the corpus is ASCII: code-unit order is byte order
  let out = "";
  for (const k of keys) out += `${k} ${counts.get(k)}\n`;
  return out;
}

async function simulated(inputs: ReturnType<typeof corpus>, combiner: boolean): Promise<string> {
  const r = await runMapReduceJob({ seed: 1, app: wordCount, inputs, workers: 8, nReduce: 8, trace: false, msPerByte: 0, taskOverheadMs: 0, checkSequential: false, combiner });
  return r.output;
}

async function part(name: string): Promise<Part> {
  const inputs = corpus();
  const words = FILES * WORDS;
  const runs: Record<string, () => Promise<string>> = {
    plain: async () => plainWordCount(inputs),
    sequential: async () => runSequential(wordCount, inputs),
    simulated: () => simulated(inputs, false),
    "simulated-combiner": () => simulated(inputs, true),
  };
  const once = runs[name];
  if (once === undefined) throw new Error(`unknown part ${JSON.stringify(name)}`);
  await once(); // warm-up
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const out = await once();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { perSecond: words / seconds, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, words, ok: out === runSequential(wordCount, inputs) };
}

function main(): void {
  console.log(`bench/mapreduce.ts — word count of ${fmt(FILES * WORDS)} generated words (${FILES} files), median of ${REPEATS} fresh processes per figure, load ${loadAverage()}`);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const figures = new Map<string, { wall: number; cpu: number }>();
  for (const [name, label] of [
    ["plain", "plain in-memory word count"],
    ["sequential", "runSequential: the same map and reduce functions in one process (KeyValue pairs, sort, group)"],
    ["simulated", "simulated job (8 workers, 8 reduces, tracing off, zero service time)"],
    ["simulated-combiner", "the same job with the map-side combiner (§4.3)"],
  ] as const) {
    const cpus: number[] = [];
    const m = medianOfRuns(REPEATS, () => {
      const r = measureInFreshProcess<Part>("bench/mapreduce.ts", ["part", name]);
      cpus.push(r.cpuSeconds);
      return r;
    });
    figures.set(name, { wall: m.seconds, cpu: median(cpus) });
    console.log(`${label}: ${(m.seconds * 1000).toFixed(0)} ms wall, ${(median(cpus) * 1000).toFixed(0)} ms CPU (median), ${fmt(m.perSecond)} words/s (runs ${m.runs}), output ${m.ok ? "= runSequential" : "DIFFERS"}`);
  }
  const plain = figures.get("plain")!;
  for (const name of ["simulated", "simulated-combiner"]) {
    const f = figures.get(name)!;
    const ratio = f.wall / plain.wall;
    console.log(`ratio ${name} / plain: ${ratio.toFixed(2)}× wall, ${(f.cpu / plain.cpu).toFixed(2)}× CPU — target ≤ 2×: ${ratio <= 2 ? "met" : "MISSED"}`);
  }
  // Where the gap comes from: the map/reduce contract itself (one KeyValue object per word, a sort)
  // against the distribution (master, workers, messages, file system).
  const sequential = figures.get("sequential")!;
  console.log(`ratio sequential / plain: ${(sequential.wall / plain.wall).toFixed(2)}× wall (the MapReduce contract alone); simulated / sequential: ${(figures.get("simulated")!.wall / sequential.wall).toFixed(2)}× wall (the distribution)`);
  console.log(`load at the end ${loadAverage()}`);
}

runBenchmark((args) => part(args[0]), main);
