// Interaction patterns and infrastructure components, one concept per file.
// — notebook 02 (infrastructure): proxy, cache, load balancer, broker with queues, master–worker
// — notebook 03 (interaction patterns): request–response, publish–subscribe, contract net
export {};
