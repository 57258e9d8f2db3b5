// Lets a notebook write `import { Simulation, showMermaid } from "./lib"`.
// tslab (the notebook kernel) compiles only files under notebooks/, so notebooks/lib is a symlink
// to ../lib, and it cannot load a folder import ("./lib" meaning ./lib/index.ts): this file is
// what "./lib" resolves to. For the same reason, code in lib/ never imports a folder by value:
// it writes "./sim/index", not "./sim" (`npm run notebooks` checks this before it starts).
export * from "./lib/index";
