// A Sybil attack on Kademlia storage (Douceur, IPTPS 2002, "The Sybil Attack"; Kademlia §2.5 stores a
// key on the k nodes closest to it).
//
// Kademlia lets a node pick its own id. An attacker who wants to control key K creates n fake
// identities with ids next to K — K XOR 1, K XOR 2, … — which are closer to K than any honest
// node is likely to be. After they join, the k closest nodes to K, the ones STORE and FIND_VALUE
// go to, are min(n, k) Sybils and only k − n honest nodes: with n ≥ k the attacker holds every
// replica and can drop or falsify the value. Remedies (S/Kademlia, Baumgart & Mies 2007): ids
// derived from a costly or certified key pair, and lookups over disjoint paths.
import { closestIds, kademliaLookup, kademliaNetwork, randomIds } from "./kademlia";
import { Prng } from "../sim/prng";

/** One row of {@link sybilTakeover}. */
export interface SybilRow {
  /** Sybil ids the attacker created. */
  sybils: number;
  /** Fraction of the key's k closest nodes (over the whole network) that are Sybils. */
  closestSybilFraction: number;
  /** Fraction of the k nodes an honest node's lookup returns for the key that are Sybils. */
  lookupSybilFraction: number;
}

/**
 * For each n in `sybilCounts`: `honestNodes` random honest ids plus n attacker ids `key XOR 1 … n`;
 * how many of the key's k replicas the attacker now holds, both by definition (k closest ids)
 * and as an honest node's iterative lookup sees it.
 *
 * @example
 * sybilTakeover({ honestNodes: 500, sybilCounts: [0, 5, 20], k: 20, m: 32, alpha: 3, key: 0xdeadbeef, seed: 1 });
 * // [{ sybils: 0, closestSybilFraction: 0, ... }, { sybils: 5, closestSybilFraction: 0.25, ... },
 * //  { sybils: 20, closestSybilFraction: 1, lookupSybilFraction: 1 }]
 */
export function sybilTakeover(options: { honestNodes: number; sybilCounts: readonly number[]; k: number; m: number; alpha: number; key: number; seed: number }): SybilRow[] {
  const { honestNodes, sybilCounts, k, m, alpha, key, seed } = options;
  const honest = randomIds({ count: honestNodes, m, seed });
  const honestSet = new Set(honest);
  const rng = new Prng(seed).split("sybil-lookup");
  return sybilCounts.map((n) => {
    const sybils: number[] = [];
    for (let d = 1; sybils.length < n; d++) {
      if (d >= 2 ** m) throw new RangeError(`sybilTakeover: no room for ${n} Sybil ids in an ${m}-bit space`);
      const id = (key ^ d) >>> 0;
      if (!honestSet.has(id)) sybils.push(id);
    }
    const sybilSet = new Set(sybils);
    const all = [...honest, ...sybils];
    const closest = closestIds({ candidates: all, target: key, count: k });
    const net = kademliaNetwork({ ids: all, m, k, seed });
    const from = rng.pick(honest);
    const found = kademliaLookup(net, { from, target: key, alpha }).closest;
    const share = (ids: number[]) => ids.filter((id) => sybilSet.has(id)).length / ids.length;
    return { sybils: n, closestSybilFraction: share(closest), lookupSybilFraction: share(found) };
  });
}
