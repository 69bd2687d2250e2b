# Sourced by scripts and benchmarks that run a real bc-tracker (with its
# origin seed) on loopback: scripts/rollout-demo.sh, bench/*_memory_bench.sh.
#
# bc_start_tracker BUILD_DIR DIR ORIGIN_ANNOUNCE_KEY [EXTRA_TOML]
#   Writes DIR/tracker.toml (127.0.0.1, ephemeral port, origin on
#   127.0.0.100), a signing key and an admin token, starts bc-tracker
#   (log: DIR/tracker.log) and waits for its port (bounded, 10 s).
#   It serves HTTPS with its own CA's certificate (DIR/data/pki/ca.pem).
#   Sets TRACKER_PID, URL (https://127.0.0.1:PORT), TRACKER_CA (the CA file
#   nodes pin with --tracker-ca), TOKEN and TRACKER_PK; defines api METHOD
#   PATH [JSON] (the admin API with the token, checking the tracker against
#   TRACKER_CA; curl exits non-zero on a non-2xx answer).
#   The caller owns the process (kill it on exit). Returns 1 if it did not start.
bc_start_tracker() {
  local build="$1" dir="$2" origin_key="$3" extra="${4:-}"
  mkdir -p "$dir"
  "$build/layers/tool/bc-layer" keygen --out "$dir/tracker.key" >/dev/null
  head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$dir/admin.token"
  TOKEN=$(cat "$dir/admin.token")
  printf '%s\n' '[server]' 'listen = "127.0.0.1"' 'port = 0' 'port_file = "port"' '[storage]' 'data_dir = "data"' \
    '[auth]' 'signing_key = "tracker.key"' 'admin_token_file = "admin.token"' '[origin]' 'enabled = true' \
    'listen = "127.0.0.100:0"' "announce_key = \"$origin_key\"" "$extra" > "$dir/tracker.toml"
  rm -f "$dir/port"
  "$build/tracker/bc-tracker" serve --config "$dir/tracker.toml" > "$dir/tracker.log" 2>&1 &
  TRACKER_PID=$!
  for _ in $(seq 100); do [ -s "$dir/port" ] && break; sleep 0.1; done
  if [ ! -s "$dir/port" ]; then cat "$dir/tracker.log" >&2; return 1; fi
  URL="https://127.0.0.1:$(cat "$dir/port")"
  TRACKER_CA="$dir/data/pki/ca.pem"
  TRACKER_PK=$(api GET /api/v1/tracker | jq -r .public_key)
}

api() {
  curl -sS --max-time 300 --fail-with-body --cacert "$TRACKER_CA" -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' -X "$1" "$URL$2" ${3:+-d "$3"}
}
