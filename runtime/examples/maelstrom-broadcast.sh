#!/bin/sh
# Maelstrom --bin wrapper for the broadcast workload: reliable broadcast (exercise 03.3's reference) behind Maelstrom's broadcast/read/topology.
#   ./maelstrom test -w broadcast --bin <repo>/runtime/examples/maelstrom-broadcast.sh ...
# Extra distlab-node flags (e.g. --storage DIR, --trace FILE) can be given in DISTLAB_NODE_FLAGS.
repo="$(cd "$(dirname "$0")/../.." && pwd)"
exec node "$repo/bin/distlab-node.js" "$repo/runtime/examples/broadcast.ts" broadcastNode $DISTLAB_NODE_FLAGS "$@"
