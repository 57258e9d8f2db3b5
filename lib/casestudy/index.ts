// The capstone's chat service (notebook 13): room histories, the wire, the post handler, the
// front-end, the history materializer and store, the gateway, the client, the whole cluster, and
// the acceptance scenarios.
export { applyMessage, messagesAfter, checkRoomHistories } from "./rooms";
export { CHAT_ERRORS, parsePost, parseRead } from "./wire";
export { handlePost, answerAppendedOffset } from "./post";
export { historyKey, encodeHistory, decodeHistory, mergeHistories } from "./store";
export { chatFrontEnd } from "./frontend";
export { historyMaterializer } from "./materializer";
export { chatGateway, joinChatGateway, GATEWAY_POLICIES } from "./gateway";
export { chatClient } from "./client";
export { spawnChat } from "./cluster";
export { REQUIREMENTS, SCALE_LOAD, runScenario, acceptanceTable, findFailingSeed } from "./acceptance";
export type { ChatMessage, RoomHistories, ApplyOutcome, AckedPost } from "./rooms";
export type { PostRequest, PostOk, ReadRequest, ReadOk, Parsed } from "./wire";
export type { ChatRecord, PostContext, PostHandler } from "./post";
export type { ChatFrontEndOptions, ChatFrontEnd, HistoryStoreOptions } from "./frontend";
export type { HistoryMaterializerOptions, HistoryMaterializer } from "./materializer";
export type { ChatGatewayOptions, ChatGateway, ChatGatewayCounters, GatewayPolicy, JoinChatGatewayOptions, ChatGatewayMember } from "./gateway";
export type { ChatClientOptions, ChatClient } from "./client";
export type { ChatDesign, ChatClusterOptions, ChatCluster } from "./cluster";
export type { RequirementId, Requirement, ScenarioOptions, ScenarioResult, AcceptanceRow } from "./acceptance";
