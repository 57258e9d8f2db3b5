// Channels: the link and broadcast abstractions of Cachin, Guerraoui & Rodrigues, "Introduction to
// Reliable and Secure Distributed Programming" (2nd ed.), §2.4 and ch. 3, built on the simulated
// network (fair-loss links are the raw network); push gossip after Demers et al. (1987); and the
// measurements notebooks 01 and 03 chart.
export { openFairLossLink } from "./fair-loss";
export { openStubbornLink } from "./stubborn";
export { openPerfectLink } from "./perfect";
export { openFifoLink } from "./fifo";
export { openBestEffortBroadcast } from "./best-effort-broadcast";
export { openReliableBroadcast } from "./reliable-broadcast";
export { openGossip } from "./gossip";
export { measureLinkCost, predictedLinkCost, latencyMeanMs, gossipRounds, gossipRoundsPredicted } from "./measure";
export type { FairLossLink, FairLossLinkOptions, FairLossCounters } from "./fair-loss";
export type { StubbornLink, StubbornLinkOptions, StubbornCounters } from "./stubborn";
export type { PerfectLink, PerfectLinkOptions, PerfectLinkCounters } from "./perfect";
export type { FifoLink, FifoLinkOptions, FifoLinkCounters } from "./fifo";
export type { BestEffortBroadcast, BestEffortBroadcastOptions, BroadcastCounters } from "./best-effort-broadcast";
export type { ReliableBroadcast, ReliableBroadcastOptions, ReliableBroadcastCounters } from "./reliable-broadcast";
export type { GossipBroadcast, GossipOptions, GossipCounters } from "./gossip";
export type { LinkCost, LinkCostOptions, PredictedLinkCost, GossipRoundsOptions, GossipRoundsResult } from "./measure";
