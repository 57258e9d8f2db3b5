// A small deterministic string hash for placing keys: FNV-1a, 32 bits (Fowler, Noll & Vo; the
// constants are the published 32-bit offset basis and prime). Not cryptographic, but it is fast,
// has no state, gives the same number on every machine, and spreads similar keys ("k1", "k2")
// far apart, which is all a partitioner needs.
//
// One weakness matters for "hash mod N": FNV-1a's lowest k bits depend only on the lowest k bits
// of each character (xor and multiply never carry downwards), so hash mod 2^k ignores the rest of
// every character. `spreadHash` adds MurmurHash3's 32-bit finaliser (Appleby, "fmix32": xor-shift,
// multiply, repeated), after which every input bit affects every output bit; the partitioners use it.

const FNV_OFFSET_BASIS_32 = 0x811c9dc5;
const FNV_PRIME_32 = 0x01000193;

/**
 * The 32-bit FNV-1a hash of a string's UTF-16 code units, as an unsigned integer in [0, 2³²).
 * For each unit: xor it into the hash, then multiply by the FNV prime (mod 2³²).
 *
 * @example
 * fnv1a32("");        // 2166136261 (the offset basis)
 * fnv1a32("a");       // 3826002220
 * fnv1a32("k1") % 4;  // the partition of "k1" among 4 by hash mod N
 */
export function fnv1a32(text: string): number {
  if (typeof text !== "string") throw new TypeError(`fnv1a32: expected a string, got ${typeof text} ${String(text)}`);
  let hash = FNV_OFFSET_BASIS_32;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, FNV_PRIME_32);
  }
  return hash >>> 0;
}

/**
 * MurmurHash3's 32-bit finaliser ("fmix32", Austin Appleby): spreads every bit of `h` over all 32.
 *
 * @example
 * mix32(0);  // 0
 * mix32(1);  // 1364076727
 */
export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The hash the partitioners use by default: FNV-1a, then {@link mix32}, so that `spreadHash(key) % N`
 * depends on every bit of the key even when N is a power of two.
 *
 * @example
 * spreadHash("k1") % 4;  // the partition index of "k1" among 4
 */
export function spreadHash(text: string): number {
  return mix32(fnv1a32(text));
}
