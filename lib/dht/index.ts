// Distributed hash tables: consistent hashing with virtual nodes, Chord, a Kademlia sketch.
export { HashRing, RING_SIZE, virtualNodePoint, keyPoint, ringOwnerOf } from "./ring";
export { keysPerNode, loadSummary, chordLoadBalance } from "./ring-load";
export { ringMoves, joinMovesTable } from "./ring-moves";
export type { HashRingOptions } from "./ring";
export type { LoadSummary, ChordLoadBalanceOptions, ChordLoadBalanceRow } from "./ring-load";
export type { KeyMove, RingMovesOptions, RingMovesResult, JoinMovesRow } from "./ring-moves";
export { chordMod, inOpenArc, inHalfOpenArc, chordId, successorOf, chordFingerTable, closestPrecedingFinger, chordLookupPath, chordPathLengths } from "./chord-math";
export type { ChordLookupOptions, ChordPathLengthsOptions, ChordPathLengthRow } from "./chord-math";
export { chordNode, CHORD_STATES } from "./chord-node";
export type { ChordRef, ChordState, ChordNodeOptions, ChordNodeHandle, ChordLookupResult } from "./chord-node";
export { chordRing, runChordChurn, runChordReplication, runChordLookupTrace, runChordJoin } from "./chord-runs";
export type { ChordRingOptions, ChordChurnOptions, ChordChurnResult, ChordReplicationOptions, ChordReplicationResult } from "./chord-runs";
export { xorDistance, bucketIndex, randomIds, kademliaNetwork, closestIds, kademliaLookup, kademliaLookupTable } from "./kademlia";
export { sybilTakeover } from "./kademlia-sybil";
export type { KademliaNetworkOptions, KademliaNetwork, KademliaLookupResult, KademliaLookupRow } from "./kademlia";
export type { SybilRow } from "./kademlia-sybil";
