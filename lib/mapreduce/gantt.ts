// A job's attempts as a Mermaid gantt chart: one section per worker, one bar per attempt, from
// the moment the worker started it to the moment it committed (or crashed). It shows what the
// MapReduce paper's Figure 3 shows with its rate plots: maps overlapping in time, the reduce
// phase starting only when the last map is done, the shuffle's wait at the start of each reduce,
// and the tail a straggler or a crash adds — and how backup tasks cut it.
// Bars: completed = done (grey); crashed = crit (red); a duplicate (finished after another
// attempt had completed the task, ignored) = active (blue); backups are labelled "backup".
import type { JobAttempt, MapReduceJobResult } from "./job";

/** Options of {@link mapReduceGantt}. */
export interface MapReduceGanttOptions {
  /** Chart title. Default "MapReduce job (virtual time, s.ms)". */
  title?: string;
  /** Add a "master" section with the map and reduce phases. Default true. */
  phases?: boolean;
}

/**
 * A Mermaid gantt chart of a job's attempts (`dateFormat x`: times are virtual ms).
 *
 * @example
 * const r = await runMapReduceJob({ seed: 1, app: wordCount, inputs: generateCorpus({ seed: 1 }), stragglers: { w3: 10 } });
 * showMermaid(mapReduceGantt(r), { file: "diagrams/11-big-data/straggler.mmd", title: "a straggler" });
 * // gantt
 * //   dateFormat x
 * //   axisFormat %S.%L
 * //   section w1
 * //   map 0 :done, a0, 3, 60
 * //   …
 */
export function mapReduceGantt(result: Pick<MapReduceJobResult, "attempts" | "workers" | "jobTimeMs">, options: MapReduceGanttOptions = {}): string {
  const title = clean(options.title ?? "MapReduce job (virtual time, s.ms)");
  const lines = ["gantt", `  title ${title}`, "  dateFormat x", `  axisFormat ${result.jobTimeMs >= 60_000 ? "%M:%S" : "%S.%L"}`];
  const ms = (t: number) => String(Math.round(t));
  const end = (a: JobAttempt) => Math.max(Math.round(a.startMs) + 1, Math.round(a.endMs ?? result.jobTimeMs));
  if (options.phases ?? true) {
    const maps = result.attempts.filter((a) => a.kind === "map" && a.outcome === "completed");
    const mapsDone = maps.reduce((t, a) => Math.max(t, a.endMs ?? 0), 0);
    lines.push("  section master");
    lines.push(`  map phase :p0, 0, ${ms(Math.max(1, mapsDone))}`);
    lines.push(`  reduce phase :p1, ${ms(mapsDone)}, ${ms(Math.max(mapsDone + 1, result.jobTimeMs))}`);
  }
  const workers = [...result.workers];
  for (const a of result.attempts) if (!workers.includes(a.worker)) workers.push(a.worker);
  let n = 0;
  const ids = new Map<JobAttempt, string>();
  for (const a of result.attempts) ids.set(a, `a${n++}`);
  for (const w of workers) {
    const mine = result.attempts.filter((a) => a.worker === w).sort((x, y) => x.startMs - y.startMs);
    if (mine.length === 0) continue;
    lines.push(`  section ${clean(w)}`);
    for (const a of mine) {
      const tag = a.outcome === "completed" ? "done, " : a.outcome === "crashed" ? "crit, " : a.outcome === "duplicate" ? "active, " : "";
      const notes = [a.attempt > 0 ? `try ${a.attempt + 1}` : "", a.backup ? "backup" : "", a.outcome === "crashed" ? "crashed" : "", a.outcome === "duplicate" ? "duplicate ignored" : "", a.outcome === "running" ? "unfinished" : "", a.fault === "stall" ? "stalled" : "", a.kind === "map" && a.local === false ? "remote read" : ""].filter((s) => s !== "");
      const label = `${a.kind} ${a.taskId}${notes.length > 0 ? " " + notes.join(" ") : ""}`;
      lines.push(`  ${label} :${tag}${ids.get(a)}, ${ms(a.startMs)}, ${ms(end(a))}`);
    }
  }
  return lines.join("\n") + "\n";
}

/** Keep a label to letters, digits, spaces and a few safe marks (gantt labels end at ":" and "#"). */
function clean(text: string): string {
  const out = text.replace(/[^\p{L}\p{N} ._()\-]/gu, " ").replace(/\s+/g, " ").trim();
  return out === "" ? "untitled" : out;
}
