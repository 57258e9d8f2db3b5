/**
 * Seeded pseudo-random numbers for the simulator.
 *
 * Algorithm: **sfc32** (Chris Doty-Humphrey's "Small Fast Counting" generator, 32-bit, from
 * PractRand), seeded through **splitmix32** so that neighbouring seeds give unrelated streams.
 * A generator is *split* by label (`prng.split("node:a")`): the child's seed is derived from the
 * root seed and the label only, never from how many numbers the parent has drawn. So adding a node
 * or drawing one more number in the network does not reshuffle any other subsystem's choices.
 *
 * Nothing here reads `Math.random` or the clock: the same seed always yields the same numbers.
 */

/** splitmix32 step: a good 32-bit mixer for deriving seeds. */
function splitmix32(state: number): number {
  let z = (state + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** FNV-1a hash of a label, used to derive child seeds. */
function hashLabel(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * A deterministic random-number generator (sfc32). Create the root one from the run's seed and
 * `split` it per subsystem.
 *
 * @example
 * const root = new Prng(42);
 * const net = root.split("network");
 * net.chance(0.1);      // true about 10% of the time, the same answers for seed 42
 * net.int(0, 6);        // 0..5
 */
export class Prng {
  /** The seed this generator was created from (a 32-bit unsigned integer). */
  readonly seed: number;
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new RangeError(`Prng: seed must be a finite number, got ${seed}`);
    this.seed = seed >>> 0;
    this.a = splitmix32(this.seed);
    this.b = splitmix32(this.a);
    this.c = splitmix32(this.b);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.nextUint32(); // warm up, as sfc32's author recommends
  }

  /**
   * A child generator whose stream depends only on this generator's seed and `label`.
   *
   * @example
   * const a1 = new Prng(7).split("node:a");
   * const a2 = new Prng(7).split("node:a");
   * a1.float() === a2.float(); // true
   */
  split(label: string): Prng {
    return new Prng(splitmix32(this.seed ^ hashLabel(label)) ^ hashLabel(label + "#"));
  }

  /** Next raw 32-bit unsigned integer. @example new Prng(1).nextUint32() */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform float in [0, 1). @example new Prng(1).float() < 1 // true */
  float(): number {
    return this.nextUint32() / 4294967296;
  }

  /** True with probability `p` (0 ≤ p ≤ 1). @example new Prng(1).chance(0) // false */
  chance(p: number): boolean {
    return p > 0 && this.float() < p;
  }

  /** Integer in [minInclusive, maxExclusive). @example new Prng(3).int(1, 7) // a die roll */
  int(minInclusive: number, maxExclusive: number): number {
    return minInclusive + Math.floor(this.float() * (maxExclusive - minInclusive));
  }

  /** Float in [min, max). @example new Prng(3).uniform(5, 10) */
  uniform(min: number, max: number): number {
    return min + this.float() * (max - min);
  }

  /** Normally distributed float (Box–Muller). @example new Prng(3).normal(100, 15) */
  normal(mean: number, stdDev: number): number {
    const u1 = 1 - this.float(); // (0, 1]
    const u2 = this.float();
    return mean + stdDev * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Exponentially distributed float with the given mean. @example new Prng(3).exponential(10) */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.float());
  }

  /** One element of a non-empty array. @example new Prng(3).pick(["a", "b", "c"]) */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("Prng.pick: the array is empty");
    return items[this.int(0, items.length)];
  }

  /** A shuffled copy of `items` (Fisher–Yates). @example new Prng(3).shuffle([1, 2, 3]) */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(0, i + 1);
      const tmp = out[i];
      out[i] = out[j];
      out[j] = tmp;
    }
    return out;
  }
}
