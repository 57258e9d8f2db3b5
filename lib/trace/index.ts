// The record of a run and everything that reads it: Mermaid diagrams (sequence, state, message
// flow), a terminal timeline, statistics and charts.
export { Trace, EventHash, filterEvents, hashEvents } from "./trace";
export { eventsOf, nodesOf, nodesIn } from "./source";
export { messageLabel, describeEvent, timerLabel, dropCause } from "./describe";
export { escapeMermaidText, mermaidLabel, MermaidIds } from "./mermaid-escape";
export { toSequenceDiagram, drawnAsNote, SEQUENCE_MESSAGES_MAX, SEQUENCE_NOTES_MAX, SEQUENCE_CHARS_MAX } from "./sequence-diagram";
export { toStateDiagram, stateGraph, stateRoles, CRASHED_STATE } from "./state-diagram";
export { toMessageFlowGraph, messageFlow } from "./message-flow";
export { formatTimeline } from "./timeline";
export { summarize, formatStats, percentiles } from "./stats";
export { chartMetric, seriesOverTime, CHART_BUCKETS_MAX } from "./chart";
export { formatTable } from "./table";
export { formatSeriesChart } from "./series-chart";
export { queueLevels } from "./queue-level";
export {
  failureDiagram,
  wrapText,
  EVENT_NOTE_LINES_MAX,
  EVIDENCE_MARK,
  FAILURE_LEGEND,
  FAILURE_MESSAGES_MAX,
  FAILURE_NOTES_MAX,
  NOTE_LINE_CHARS,
  NOTE_LINES_MAX,
} from "./failure-diagram";

export type {
  ClockEvent,
  CrashEvent,
  CutEvent,
  DelayEvent,
  DeliverEvent,
  DropEvent,
  DropReason,
  DuplicateEvent,
  ErrorEvent,
  HealEvent,
  IsolateEvent,
  LeaveEvent,
  LogEvent,
  MessageRef,
  PartitionEvent,
  QueueEvent,
  RestartEvent,
  RpcEvent,
  SendEvent,
  SpawnEvent,
  StateEvent,
  TimerEvent,
  TraceEvent,
  TraceEventKind,
  TraceEventOf,
  UnhandledEvent,
} from "./events";
export type { TraceFilter, TraceOptions } from "./trace";
export type { TraceSource } from "./source";
export type { MermaidTextOptions } from "./mermaid-escape";
export type { SequenceDiagramOptions, SequenceMessage } from "./sequence-diagram";
export type { StateDiagramOptions, StateGraph, StateTransition, TransitionCause } from "./state-diagram";
export type { MessageFlow, MessageFlowEdge, MessageFlowOptions, MessageFlowVertex } from "./message-flow";
export type { TimelineOptions } from "./timeline";
export type { CopyCounts, MessageCounts, OperationSource, Percentiles, SummarizeOptions, TraceStats, TypeStats } from "./stats";
export type { ChartOptions, Metric, MetricName, SeriesOptions, TimeSeries } from "./chart";
export type { TableOptions } from "./table";
export type { SeriesChartOptions } from "./series-chart";
export type { FailureDiagramInput } from "./failure-diagram";
