// Channels: the link and broadcast abstractions of Cachin, Guerraoui & Rodrigues, built on the
// simulated network (fair-loss links are the raw network).
export {};
