// The run viewer: traces saved and loaded as versioned JSON, a playback model of a run, the
// interactive page (self-contained HTML) and its notebook cell.
export { saveTrace, loadTrace, traceToJson, traceFromJson, restoreTrace, savedTraceOf, isSavedTrace, TRACE_FORMAT, TRACE_VERSION } from "./trace-file";
export { playbackModel, frameAt, DROP_AT_SEND_PROGRESS, DROP_AT_ARRIVAL_PROGRESS } from "./playback";
export { viewerHtml, viewerFragment } from "./page";
export { VIEWER_SCRIPT } from "./page-script";
export { showRun } from "./show-run";

export type { SavedTrace, TraceMeta, ViewerSource } from "./trace-file";
export type {
  CopyFate,
  CopyOnScreen,
  DownInterval,
  MessageCopy,
  NetworkState,
  NodePlace,
  PlaybackFrame,
  PlaybackModel,
  PlaybackOptions,
  StateChange,
  TimerFire,
} from "./playback";
export type { ViewerOptions } from "./page";
export type { ShowRunOptions } from "./show-run";
