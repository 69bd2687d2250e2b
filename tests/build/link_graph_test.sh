#!/usr/bin/env bash
# Proves the library graph stays narrow (issue #12): the nodes link the
# tracker's client and protocol, never its server (LMDB store, API handlers,
# origin seed); the tracker's core links no libtorrent; the model does not
# reach back into the torrent seam. Reads CMake's own link graph of a fresh
# configure (scripts/library-graph.sh --edges), so it checks what the build
# links, not what a file says.
#   usage: link_graph_test.sh [SOURCE_DIR]   (default: this repository)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source_dir="${1:-$here}"
edges="$(mktemp)"
trap 'rm -f "$edges"' EXIT
"$here/scripts/library-graph.sh" --source "$source_dir" --edges "$edges"

failures=0

# Every target reachable from $1 over link edges (itself excluded).
reach() {
  awk -v start="$1" '
    { out[$1] = out[$1] " " $2 }
    END {
      queue[0] = start; n = 1
      for (i = 0; i < n; i++) {
        k = split(out[queue[i]], next_, " ")
        for (j = 1; j <= k; j++)
          if (!(next_[j] in seen)) { seen[next_[j]] = 1; queue[n++] = next_[j]; print next_[j] }
      }
    }' "$edges"
}

# forbid TARGET PATTERN WHY: no target reachable from TARGET matches PATTERN.
forbid() {
  local target="$1" pattern="$2" why="$3" hits
  if ! grep -qx -- "$target" <(cut -d' ' -f1 "$edges"); then
    echo "FAIL: target $target is not in the link graph"; failures=$((failures + 1)); return
  fi
  hits="$(reach "$target" | grep -E -x -- "$pattern" || true)"
  if [ -n "$hits" ]; then
    echo "FAIL: $target links $(echo $hits) ($why)"; failures=$((failures + 1))
  else
    echo "ok: $target links nothing matching $pattern"
  fi
}

server='bc_tracker_core|bc_tracker_net|bc_tracker_app|bc_tracker_import|bc_tracker_origin'
libtorrent='LibtorrentRasterbar::.*'
for node in bc-endpoint bc-reflector bc_netsim; do
  forbid "$node" "$server" "a node links the tracker's client, not its store and API handlers"
done
forbid bc_tracker_client "$server|PkgConfig::LMDB|$libtorrent" \
  "the client shares only bc_tracker_protocol with the server"
forbid bc_tracker_core "$libtorrent|bc_tracker_origin|bc_swarm|bc_torrent" \
  "the tracker core (store, API, config) needs no libtorrent"
forbid bc_model "bc_torrent|$libtorrent" "the model sits below the torrent seam"

# The same for headers, which the link graph cannot see: a model file that
# includes the torrent seam, or a client file that includes server headers.
bad_includes="$(cd "$source_dir" && {
  grep -rln '#include "layers/torrent/' layers/model || true
  grep -rn '#include "tracker/' tracker/client | grep -v -E '"tracker/(client|protocol)/' || true
})"
if [ -n "$bad_includes" ]; then
  echo "FAIL: includes across the narrow edges:"; echo "$bad_includes"; failures=$((failures + 1))
else
  echo "ok: layers/model includes no torrent header; tracker/client includes only client and protocol"
fi

if ((failures)); then
  echo "link_graph_test: $failures failure(s)"
  exit 1
fi
echo "link_graph_test: the graph is narrow"
