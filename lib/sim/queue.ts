/**
 * The simulator's event queue: a binary min-heap ordered by (virtual time, insertion order).
 * Two events at the same virtual time come out in the order they were scheduled, so ties are
 * stable and a run replays exactly.
 */

/** What the queue needs of an entry: when it fires and its insertion number. */
export interface Scheduled {
  /** Virtual time in milliseconds at which the entry fires. */
  timeMs: number;
  /** Insertion order, assigned by the queue. */
  seq: number;
}

function before(x: Scheduled, y: Scheduled): boolean {
  return x.timeMs < y.timeMs || (x.timeMs === y.timeMs && x.seq < y.seq);
}

/**
 * A min-heap of scheduled entries.
 *
 * @example
 * const q = new EventQueue<{ timeMs: number; seq: number; name: string }>();
 * q.push({ timeMs: 5, seq: 0, name: "late" });
 * q.push({ timeMs: 1, seq: 0, name: "early" });
 * q.pop()?.name; // "early"
 */
export class EventQueue<T extends Scheduled> {
  private heap: T[] = [];
  private nextSeq = 0;

  /** Number of entries waiting. @example new EventQueue().size // 0 */
  get size(): number {
    return this.heap.length;
  }

  /** Add an entry; its `seq` is overwritten with the next insertion number. @example q.push({ timeMs: 3, seq: 0 }) */
  push(entry: T): void {
    entry.seq = this.nextSeq++;
    this.siftUp(entry);
  }

  private siftUp(entry: T): void {
    const heap = this.heap;
    let i = heap.length;
    heap.push(entry);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent];
      if (!before(entry, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = entry;
  }

  /** The earliest entry without removing it. @example q.peek()?.timeMs */
  peek(): T | undefined {
    return this.heap[0];
  }

  /** Remove and return the earliest entry. @example const next = q.pop() */
  pop(): T | undefined {
    const heap = this.heap;
    const n = heap.length;
    if (n === 0) return undefined;
    const top = heap[0];
    const last = heap.pop() as T;
    if (n > 1) {
      const size = n - 1;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= size) break;
        const r = l + 1;
        const c = r < size && before(heap[r], heap[l]) ? r : l;
        if (!before(heap[c], last)) break;
        heap[i] = heap[c];
        i = c;
      }
      heap[i] = last;
    }
    return top;
  }

  /** All waiting entries in firing order (a sorted copy; the queue is unchanged). @example q.toArray().map((e) => e.timeMs) */
  toArray(): T[] {
    return this.heap.slice().sort((x, y) => (before(x, y) ? -1 : before(y, x) ? 1 : 0));
  }

  /** Remove every entry. @example q.clear() */
  clear(): void {
    this.heap = [];
  }
}
