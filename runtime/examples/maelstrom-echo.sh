#!/bin/sh
# Maelstrom --bin wrapper for the echo workload: the course's echo server (exercise 00.2's reference; use exercises/… for yours).
#   ./maelstrom test -w echo --bin <repo>/runtime/examples/maelstrom-echo.sh ...
# Extra distlab-node flags (e.g. --storage DIR, --trace FILE) can be given in DISTLAB_NODE_FLAGS.
repo="$(cd "$(dirname "$0")/../.." && pwd)"
exec node "$repo/bin/distlab-node.js" "$repo/solutions/00-getting-started/echo.ts" echoServer $DISTLAB_NODE_FLAGS "$@"
