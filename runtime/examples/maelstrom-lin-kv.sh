#!/bin/sh
# Maelstrom --bin wrapper for the lin-kv workload: a linearizable key-value node on the course's Raft.
#   ./maelstrom test -w lin-kv --bin <repo>/runtime/examples/maelstrom-lin-kv.sh ...
# Extra distlab-node flags (e.g. --storage DIR, --trace FILE) can be given in DISTLAB_NODE_FLAGS.
repo="$(cd "$(dirname "$0")/../.." && pwd)"
exec node "$repo/bin/distlab-node.js" "$repo/runtime/examples/lin-kv.ts" linKvNode $DISTLAB_NODE_FLAGS "$@"
