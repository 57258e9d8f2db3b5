#!/bin/sh
# Maelstrom --bin wrapper for the g-set workload: a G-Set CRDT node.
#   ./maelstrom test -w g-set --bin <repo>/runtime/examples/maelstrom-g-set.sh ...
# Extra distlab-node flags (e.g. --storage DIR, --trace FILE) can be given in DISTLAB_NODE_FLAGS.
repo="$(cd "$(dirname "$0")/../.." && pwd)"
exec node "$repo/bin/distlab-node.js" "$repo/runtime/examples/g-set.ts" gSetNode $DISTLAB_NODE_FLAGS "$@"
