/**
 * Exercise 09D — the reference: lib/kv's server and clerk, under the names the exercise asks for.
 * (The exercise's header in exercises/09-consensus-raft/kv.ts gives the wire and how it is graded.)
 */
export { kvRaftServer as kvServer, kvRaftClerk as kvClerk } from "../../lib/kv/index";
