#!/bin/sh
# Maelstrom --bin wrapper for the g-counter workload: a G-Counter CRDT node.
#   ./maelstrom test -w g-counter --bin <repo>/runtime/examples/maelstrom-g-counter.sh ...
# Extra distlab-node flags (e.g. --storage DIR, --trace FILE) can be given in DISTLAB_NODE_FLAGS.
repo="$(cd "$(dirname "$0")/../.." && pwd)"
exec node "$repo/bin/distlab-node.js" "$repo/runtime/examples/g-counter.ts" gCounterNode $DISTLAB_NODE_FLAGS "$@"
