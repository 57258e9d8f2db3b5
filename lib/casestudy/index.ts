// The capstone's chat service (notebook 13). Not yet re-exported from lib/index.ts.
export { applyMessage, messagesAfter, checkRoomHistories } from "./rooms";
export { CHAT_ERRORS, parsePost, parseRead } from "./wire";
export type { ChatMessage, RoomHistories, ApplyOutcome, AckedPost } from "./rooms";
export type { PostRequest, PostOk, ReadRequest, ReadOk, Parsed } from "./wire";
export { chatFrontEnd } from "./frontend";
export type { ChatFrontEndOptions, ChatFrontEnd } from "./frontend";
export { historyMaterializer } from "./materializer";
export type { HistoryMaterializerOptions, HistoryMaterializer } from "./materializer";
