// Meta tests of the graders of notebook 10 (test/grading/meta.ts says what each checks): the
// reference passes, the stub is pending, and each buggy fixture is rejected for its stated reason.
import { describe, expect, it } from "vitest";
import { exercise, loadModule } from "../grading";
import { BYSTANDER, measuring, metaTests, notImplemented, type Graded } from "../grading/meta";
import { checkRingStorage, TRIALS as RING_STORAGE_TRIALS, type RingStorageApi, type RingStorageStats } from "../grading/10-peer-to-peer/ring-storage";
import { checkChordLookup, HOP_SLACK, TRIALS as CHORD_LOOKUP_TRIALS, type ChordLookupApi, type ChordLookupStats } from "../grading/10-peer-to-peer/chord-lookup";
import { checkFlooding, TRIALS as FLOODING_TRIALS, type FloodingApi, type FloodingStats } from "../grading/10-peer-to-peer/flooding";
import { BOUND_MS as CHORD_BOUND_MS, checkChordStabilize, TRIALS as CHORD_STABILIZE_TRIALS, type ChordStabilizeApi, type ChordStabilizeStats } from "../grading/10-peer-to-peer/chord-stabilize";

const ringStorageMeasured = new WeakMap<object, Map<number, RingStorageStats>>();
const checkRingStorageMeasured = measuring<RingStorageApi, RingStorageStats>(
  ringStorageMeasured,
  () => ({ trials: 0, keys: 0, keysMoved: 0, studentHandoffs: 0, handoffsDropped: 0, gets: 0 }),
  checkRingStorage,
);

export const ringStorage: Graded<RingStorageApi> = {
  exercise: exercise("10.1"),
  check: checkRingStorageMeasured,
  trials: RING_STORAGE_TRIALS,
  stub: { ringStorageNode: () => notImplemented(exercise("10.1")) },
  buggy: [
    // Ownership by hash mod N: requests go to the wrong node (and a join would move most keys).
    ["ring-storage-mod-n", /(to forward (put|get)\("[^"]+"\) to the key's owner|in the store of exactly its owner) .* — \w+ is where hash mod N would put it/],
    // The ring is adopted but nothing is handed off.
    ["ring-storage-no-handoff", /to hand off when \w+ (joins|leaves) the \d+ key\(s\) of its store whose owner changed .*; got it never sent .* each node sends the keys it no longer owns to their new owners/],
    // The whole store re-inserted: keys that did not change owner travel too.
    ["ring-storage-moves-every-key", /— only keys that must move; got \w+ → \w+ handoff .* carries "[^"]+", whose owner is still \w+/],
    // Destinations from the old ring.
    ["ring-storage-old-owner", /to hand "[^"]+" to its new owner \w+ \(ringOwnerOf over the new ring .*\); got .* handoff .* — to \w+, its owner by the old ring/],
    // Deleted at send time: a dropped hand-off loses the key.
    ["ring-storage-delete-before-ack", /in the store of exactly its owner .*; got it is in no store — lost; it was handed off in .* dropped at t=.* its sender deleted it although no handoff_ok naming it came back/],
    // One point per node.
    ["ring-storage-no-virtual-nodes", /(to forward (put|get)\("[^"]+"\) to the key's owner|in the store of exactly its owner) .* \w+ is its owner with 1 point per node/],
  ],
  accepted: ["ring-storage-per-key"],
};

metaTests(ringStorage);

describe("grader 10.1 ring-storage: what its trials contain", () => {
  it("the reference meets joins and leaves that move keys, lost hand-offs, and answers every get", async () => {
    const impl = await loadModule<RingStorageApi>("solutions/10-peer-to-peer/ring-storage");
    for (const seed of ringStorage.exercise.seeds) {
      if (!ringStorageMeasured.get(impl)?.has(seed)) expect((await checkRingStorageMeasured(impl, seed)).status).toBe("pass");
    }
    const all = Array.from(ringStorageMeasured.get(impl)!.values());
    const sum = (key: keyof RingStorageStats): number => all.reduce((n, s) => n + s[key], 0);
    const stats = { trials: sum("trials"), keys: sum("keys"), keysMoved: sum("keysMoved"), studentHandoffs: sum("studentHandoffs"), handoffsDropped: sum("handoffsDropped"), gets: sum("gets") };
    console.log(`10.1 reference: ${JSON.stringify(stats)}`);
    expect(stats.trials).toBe(ringStorage.exercise.seeds.length * RING_STORAGE_TRIALS);
    expect(stats.keys).toBeGreaterThan(stats.trials * 16 - 1);
    expect(stats.keysMoved).toBeGreaterThan(stats.trials * 3); // a join and a leave move keys in every trial
    expect(stats.keysMoved).toBeLessThan(stats.keys); // … but only a share of them: it is a ring
    expect(stats.studentHandoffs).toBeGreaterThan(stats.trials); // the student's nodes hand off, not only the grader's
    expect(stats.handoffsDropped).toBeGreaterThan(10); // lost hand-offs that must be resent
    expect(stats.gets).toBeGreaterThan(stats.trials * 20);
  });
});

const chordLookupMeasured = new WeakMap<object, Map<number, ChordLookupStats>>();
const checkChordLookupMeasured = measuring<ChordLookupApi, ChordLookupStats>(
  chordLookupMeasured,
  () => ({ trials: 0, lookups: 0, wrapped: 0, keyIsNode: 0, hopExcessMax: 0, largeRings: 0 }),
  checkChordLookup,
);

/** "lookupPath(start, key, fingers, m) on the ring of …" up to its closing parenthesis. */
const LOOKUP_CALL = String.raw`lookupPath\(\d+, \d+, fingers, \d+\) on the ring of [\d,]+ nodes \[[\d, …]*\] with m = \d+ \(ids 0–[\d,]+\) \(the key is [\w ']+\)`;

export const chordLookup: Graded<ChordLookupApi> = {
  exercise: exercise("10.2"),
  check: checkChordLookupMeasured,
  trials: CHORD_LOOKUP_TRIALS,
  stub: { fingerTable: () => notImplemented(exercise("10.2")), lookupPath: () => notImplemented(exercise("10.2")) },
  buggy: [
    ["chord-lookup-finger-off-by-one", /fingerTable\(\d+, nodes, \d+\) on the ring .*: entry i = successor\(\(\d+ \+ 2\^i\) mod 2\^\d+\).*; got entry \d+ \(start [\d,]+\) is \d+, not [\d,]+ — that is successor\(\d+ \+ 2\^\d+\): finger i starts at self \+ 2\^i/],
    ["chord-lookup-wrap-predecessor", new RegExp(`${LOOKUP_CALL} to end at the key's successor [\\d,]+ \\([\\d,]+ is (past the highest node [\\d,]+|at most the lowest node): it wraps around to the lowest node, not the highest\\); got the path \\[[\\d, ]+\\] ends at \\d+`)],
    ["chord-lookup-linear-walk", new RegExp(`(${LOOKUP_CALL} to take at most ⌈log₂ \\d+⌉ \\+ 2 = \\d+ hops; got it took \\d+ hops, each to the next node's successor: a walk along successors|hop \\d+ of ${LOOKUP_CALL}: .*; got the path goes \\d+ → \\d+ — \\d+ is only the successor)`)],
    ["chord-lookup-finger-start", new RegExp(`hop \\d+ of ${LOOKUP_CALL}: .*closest preceding finger.*; got the path goes \\d+ → \\d+ — finger \\d+ \\(\\d+\\) is past the key: its start \\d+ \\+ 2\\^\\d+ precedes the key, but the node it points to does not`)],
    ["chord-lookup-closed-interval", new RegExp(`hop \\d+ of ${LOOKUP_CALL}: .*; got the path goes \\d+ → (\\d+) — \\1 is the key itself: the closest preceding finger lies in the open interval`)],
  ],
  accepted: ["chord-lookup-by-distance"],
};

metaTests(chordLookup);

describe("grader 10.2 chord-lookup: what its trials contain", () => {
  it("the reference meets large rings, wrapped keys and keys that are node ids, within the hop bound", async () => {
    const impl = await loadModule<ChordLookupApi>("solutions/10-peer-to-peer/chord-lookup");
    for (const seed of chordLookup.exercise.seeds) {
      if (!chordLookupMeasured.get(impl)?.has(seed)) expect((await checkChordLookupMeasured(impl, seed)).status).toBe("pass"); // run alone (-t)
    }
    const all = Array.from(chordLookupMeasured.get(impl)!.values());
    const sum = (key: keyof ChordLookupStats): number => all.reduce((n, s) => n + s[key], 0);
    const stats = { trials: sum("trials"), lookups: sum("lookups"), wrapped: sum("wrapped"), keyIsNode: sum("keyIsNode"), largeRings: sum("largeRings"), hopExcessMax: Math.max(...all.map((s) => s.hopExcessMax)) };
    console.log(`10.2 reference: ${JSON.stringify(stats)}`);
    expect(stats.trials).toBe(chordLookup.exercise.seeds.length * CHORD_LOOKUP_TRIALS);
    expect(stats.trials).toBeGreaterThanOrEqual(135);
    expect(stats.largeRings).toBeGreaterThanOrEqual(chordLookup.exercise.seeds.length);
    expect(stats.wrapped).toBeGreaterThan(stats.trials * 20);
    expect(stats.keyIsNode).toBeGreaterThan(stats.trials * 20);
    expect(stats.hopExcessMax).toBeLessThanOrEqual(HOP_SLACK);
  });
});

const floodingMeasured = new WeakMap<object, Map<number, FloodingStats>>();
const checkFloodingMeasured = measuring<FloodingApi, FloodingStats>(
  floodingMeasured,
  () => ({ trials: 0, floods: 0, sends: 0, duplicatesArrived: 0, laterCopies: 0, sharedQueryIds: 0 }),
  checkFlooding,
);

export const flooding: Graded<FloodingApi> = {
  exercise: exercise("10.3"),
  check: checkFloodingMeasured,
  trials: FLOODING_TRIALS,
  stub: { floodingPeer: () => notImplemented(exercise("10.3")) },
  buggy: [
    // Every copy handled as new.
    ["flooding-no-dedup", /(to do nothing at a later copy of query|the origin of query .* and nothing when copies of it come back; got .* came back from).*duplicate suppression/],
    // Forwarded to the neighbour it came from, too.
    ["flooding-back-to-sender", /to forward query "[^"]+" of \w+ to every neighbour except (\w+), the one it came from; got \w+ → \1 flood .* — back to the sender/],
    // TTL off by one: a ttl-1 copy goes on with ttl 0.
    ["flooding-forwards-at-ttl-one", /to deliver but not forward query .*: its first copy arrived with ttl 1, its last hop; got .* ttl=0 .*\(forwarded at ttl 1\)/],
    // No decrement.
    ["flooding-keeps-ttl", /to forward query .* with ttl (\d+) − 1 = \d+ \(its first copy came with ttl \1\); got .* with ttl \1$/],
    // deliver on every copy.
    ["flooding-delivers-duplicates", /to deliver query .* once, at its first copy .*; got deliver called again for the copy from \w+/],
    // Seen-set keyed by queryId alone.
    ["flooding-dedup-by-query-id", /had already seen query "([^"]+)" of \w+, a different query with the same queryId: a query is the pair \(origin, queryId\)/],
  ],
  accepted: ["flooding-class"],
};

metaTests(flooding);

describe("grader 10.3 flooding: what its trials contain", () => {
  it("the reference meets duplicated copies, queries along several paths, and shared queryIds", async () => {
    const impl = await loadModule<FloodingApi>("solutions/10-peer-to-peer/flooding");
    for (const seed of flooding.exercise.seeds) {
      if (!floodingMeasured.get(impl)?.has(seed)) expect((await checkFloodingMeasured(impl, seed)).status).toBe("pass");
    }
    const all = Array.from(floodingMeasured.get(impl)!.values());
    const sum = (key: keyof FloodingStats): number => all.reduce((n, s) => n + s[key], 0);
    const stats = { trials: sum("trials"), floods: sum("floods"), sends: sum("sends"), duplicatesArrived: sum("duplicatesArrived"), laterCopies: sum("laterCopies"), sharedQueryIds: sum("sharedQueryIds") };
    console.log(`10.3 reference: ${JSON.stringify(stats)}`);
    expect(stats.trials).toBe(flooding.exercise.seeds.length * FLOODING_TRIALS);
    expect(stats.floods).toBe(stats.trials * 2);
    expect(stats.duplicatesArrived).toBeGreaterThan(100); // copies the network made
    expect(stats.laterCopies).toBeGreaterThan(stats.sends / 4); // copies that must change nothing
    expect(stats.sharedQueryIds).toBeGreaterThan(10); // two origins, one queryId
  });
});

const chordStabilizeMeasured = new WeakMap<object, Map<number, ChordStabilizeStats>>();
const checkChordStabilizeMeasured = measuring<ChordStabilizeApi, ChordStabilizeStats>(
  chordStabilizeMeasured,
  () => ({ trials: 0, crashed: 0, studentNodes: 0, lookups: 0, convergedMsMax: 0 }),
  checkChordStabilize,
);

/** The successor rule, up to "got successor() is {…}". */
const SUCCESSOR_RULE = String.raw`\d+ ms after [\w, ]+ crashed( \(and \d stabilize rounds? later\))?: (your|the grader's) node \w+ \(id \d+\) has successor \w+ \(id \d+\), the next live node on the ring [\w#→ ]+; got successor\(\) is \{"id":\d+,"node":"\w+"\}`;

export const chordStabilize: Graded<ChordStabilizeApi> = {
  exercise: exercise("10.4"),
  check: checkChordStabilizeMeasured,
  trials: CHORD_STABILIZE_TRIALS,
  stub: { chordNode: () => notImplemented(exercise("10.4")) },
  buggy: [
    // No notify: predecessors stay null, so nobody learns of the nodes that joined after it.
    ["chord-stabilize-no-notify", new RegExp(SUCCESSOR_RULE)],
    // The successor list is never refreshed: two neighbours crash and the node has no good entry left.
    ["chord-stabilize-stale-successor-list", new RegExp(SUCCESSOR_RULE)],
    // Any x becomes the successor (also one behind the node, or the node itself).
    ["chord-stabilize-no-interval-check", new RegExp(SUCCESSOR_RULE)],
    // A crashed predecessor stays and is handed to the node before it as its successor.
    ["chord-stabilize-no-check-predecessor", new RegExp(`${SUCCESSOR_RULE} — \\w+ crashed: on a failed successor take the next live entry`)],
  ],
  accepted: ["chord-stabilize-one-task"],
};

metaTests(chordStabilize);

describe("grader 10.4 chord-stabilize: what its trials contain", () => {
  it("the reference meets crashes of neighbours, mixes student and grader nodes, and converges well within the bound", async () => {
    const impl = await loadModule<ChordStabilizeApi>("solutions/10-peer-to-peer/chord-stabilize");
    for (const seed of chordStabilize.exercise.seeds) {
      if (!chordStabilizeMeasured.get(impl)?.has(seed)) expect((await checkChordStabilizeMeasured(impl, seed)).status).toBe("pass"); // run alone (-t)
    }
    const all = Array.from(chordStabilizeMeasured.get(impl)!.values());
    const sum = (key: keyof ChordStabilizeStats): number => all.reduce((n, s) => n + s[key], 0);
    const stats = { trials: sum("trials"), crashed: sum("crashed"), studentNodes: sum("studentNodes"), lookups: sum("lookups"), convergedMsMax: Math.max(...all.map((s) => s.convergedMsMax)) };
    console.log(`10.4 reference: ${JSON.stringify(stats)}`);
    expect(stats.trials).toBe(chordStabilize.exercise.seeds.length * CHORD_STABILIZE_TRIALS);
    expect(stats.crashed).toBeGreaterThanOrEqual(2 * stats.trials);
    expect(stats.studentNodes).toBeGreaterThan(3 * stats.trials);
    expect(stats.lookups).toBeGreaterThan(12 * stats.trials);
    expect(stats.convergedMsMax).toBeLessThan(CHORD_BOUND_MS);
  });
});
