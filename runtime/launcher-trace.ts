// Real-process code (outside lib/): reads the wall clock (performance.now). The trace of a launched
// cluster: the router's own send / deliver / drop events (it sees every message), the launcher's
// crash and restart notes, and the events the node processes wrote to their `--trace` files, all
// on one time axis — wall-clock milliseconds since the launch — in lib's `TraceEvent` format, so
// lib/trace's exporters (`toSequenceDiagram`, `formatTimeline`, `summarize`) read it unchanged.
import { existsSync, readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import type { Body } from "../lib/node/message";
import type { DropReason, MessageRef, TraceEvent } from "../lib/trace/events";

/** Message kinds the router records itself; the same kinds in a node's file are left out (their wire ids are the node's own). */
const ROUTER_KINDS: ReadonlySet<string> = new Set(["send", "deliver", "drop", "duplicate", "delay"]);

/** Times are kept on a 0.1 ms grid: finer digits of a real clock are noise, and they crowd a diagram. */
function onGrid(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/**
 * The record of one launched run. Wire ids are given by the router, one per message it routes
 * (`send`); each is followed by one `deliver` or one `drop`, with `sentMs` the send's time, as in
 * a simulated trace. `events()` returns everything sorted by time (ties keep recording order).
 *
 * @example
 * const trace = new LaunchTrace();
 * const id = trace.send("c1", "n1", { type: "echo", msg_id: 1, echo: "hi" });
 * trace.deliver(id);
 * toSequenceDiagram(trace.events()); // c1->>n1: echo #1
 */
export class LaunchTrace {
  /** Epoch milliseconds at time 0 (the launch). */
  readonly originWallMs: number;
  private readonly recorded: TraceEvent[] = [];
  private readonly merged: TraceEvent[] = [];
  private readonly sends = new Map<number, { ref: MessageRef; sentMs: number }>();
  private wireIdNext = 1;

  private readonly onRecord: ((event: TraceEvent) => void) | undefined;

  /** `onRecord` sees each event the launcher records (not the merged ones) as it is recorded. */
  constructor(options: { originWallMs?: number; onRecord?: (event: TraceEvent) => void } = {}) {
    this.originWallMs = options.originWallMs ?? performance.timeOrigin + performance.now();
    this.onRecord = options.onRecord;
  }

  /** Milliseconds since the launch, on the 0.1 ms grid. @example trace.nowMs() // 1234.5 */
  nowMs(): number {
    return onGrid(performance.timeOrigin + performance.now() - this.originWallMs);
  }

  /**
   * Record a message handed to the router; returns its wire id.
   *
   * @example
   * const id = trace.send("n1", "n2", { type: "rb_data", msg_id: 4 });
   */
  send(src: string, dest: string, body: Body): number {
    const id = this.wireIdNext++;
    const ref: MessageRef = { id, src, dest, type: String(body.type) };
    if (typeof body.msg_id === "number") ref.msgId = body.msg_id;
    if (typeof body.in_reply_to === "number") ref.inReplyTo = body.in_reply_to;
    const json = JSON.stringify(body);
    const timeMs = this.nowMs();
    this.sends.set(id, { ref, sentMs: timeMs });
    this.push({ kind: "send", ...ref, timeMs, bytes: Buffer.byteLength(json, "utf8"), json });
    return id;
  }

  /** Record that the message with wire id `id` reached its destination now. @example trace.deliver(id) */
  deliver(id: number): void {
    const sent = this.sentOf(id);
    this.push({ kind: "deliver", ...sent.ref, timeMs: this.nowMs(), sentMs: sent.sentMs, duplicate: false });
  }

  /** Record that the message with wire id `id` was not delivered, and why. @example trace.drop(id, "loss") */
  drop(id: number, reason: DropReason): void {
    const sent = this.sentOf(id);
    this.push({ kind: "drop", ...sent.ref, timeMs: this.nowMs(), sentMs: sent.sentMs, reason, duplicate: false });
  }

  /**
   * Record any other event (a crash, a restart, an error the router saw); its `timeMs` is set to now.
   *
   * @example
   * trace.note({ kind: "crash", timeMs: 0, node: "n1" });
   */
  note(event: TraceEvent): void {
    this.push({ ...event, timeMs: this.nowMs() } as TraceEvent);
  }

  /**
   * Merge the events a node process appended to its `--trace` file (JSON lines, each with
   * `wallMs`, the epoch milliseconds it was recorded at). Message events in the file are left out:
   * the router recorded those messages itself, under its own wire ids. A line that is not JSON
   * (e.g. the last one, cut by a kill) is skipped. Returns how many events were merged.
   *
   * @example
   * trace.mergeFile("/tmp/run/n1.trace.jsonl"); // 12
   */
  mergeFile(path: string): number {
    if (!existsSync(path)) return 0;
    let count = 0;
    for (const line of readFileSync(path, "utf8").split("\n")) {
      if (line.trim() === "") continue;
      let value: (TraceEvent & { wallMs?: number }) | undefined;
      try {
        value = JSON.parse(line);
      } catch {
        continue;
      }
      if (value === undefined || value === null || typeof value.kind !== "string" || ROUTER_KINDS.has(value.kind)) continue;
      const { wallMs, ...event } = value;
      if (typeof wallMs !== "number") continue;
      this.merged.push({ ...event, timeMs: onGrid(wallMs - this.originWallMs) } as TraceEvent);
      count++;
    }
    return count;
  }

  /** Forget the events merged from node files (before merging them again). @example trace.clearMerged() */
  clearMerged(): void {
    this.merged.length = 0;
  }

  /**
   * Every event, sorted by time (ties: router events first, in recording order).
   *
   * @example
   * trace.events().filter((e) => e.kind === "drop").length; // messages lost
   */
  events(): TraceEvent[] {
    const all = [...this.recorded, ...this.merged].map((e, i) => ({ e, i }));
    all.sort((a, b) => a.e.timeMs - b.e.timeMs || a.i - b.i);
    return all.map(({ e }) => e);
  }

  private push(event: TraceEvent): void {
    this.recorded.push(event);
    this.onRecord?.(event);
  }

  private sentOf(id: number): { ref: MessageRef; sentMs: number } {
    const sent = this.sends.get(id);
    if (sent === undefined) throw new Error(`launcher trace: no message with wire id ${id} was sent`);
    return sent;
  }
}
