#!/usr/bin/env bash
# Measures a full hopaudit scan against the peer scripts of the shared IMAP benchmark, on
# one Dovecot started by shared/bench/dovecot-up.sh, cold (Dovecot index and cache
# removed) and warm (right after), and prints one table row per run.
#
#   benches/scan_vs_peers.sh cert RUNDIR
#   benches/scan_vs_peers.sh RUNDIR IMAPS_PORT [TOOLS]
#
# `cert` writes RUNDIR/ssl/{cert,key}.pem before dovecot-up.sh runs: a self-signed server
# certificate with basicConstraints CA:FALSE, which dovecot-up.sh keeps. Its own certificate
# (made by `openssl req -x509`, so CA:TRUE) is rejected by hopaudit's certificate check as
# a CA certificate used by a server. Python's ssl module accepts both.
#
# RUNDIR is the benchmark instance (dovecot-up.sh RUNDIR 100000 with IMAPS_PORT set).
# TOOLS is a comma list from: raw-fields, raw-header, bulk, naive, hopaudit (default: all).
# Each hopaudit run starts from an empty database, so it fetches, classifies and stores
# every message. Needs /usr/bin/time and a release build (cargo build --release).
# Results: a markdown table on stdout; raw `time -v` output in $OUT (default
# /tmp/hopaudit-bench).
set -euo pipefail

if [ "${1:-}" = cert ]; then
  mkdir -p "$2/ssl"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -sha256 -keyout "$2/ssl/key.pem" \
    -out "$2/ssl/cert.pem" -subj "/CN=localhost" -addext "basicConstraints=critical,CA:FALSE" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null
  chmod 600 "$2/ssl/key.pem"
  exit 0
fi
RUNDIR=$(cd "${1:?usage: scan_vs_peers.sh RUNDIR IMAPS_PORT [TOOLS]}" && pwd)
PORT=${2:?usage: scan_vs_peers.sh RUNDIR IMAPS_PORT [TOOLS]}
TOOLS=${3:-raw-fields,raw-header,bulk,naive,hopaudit}
HERE=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${HOPAUDIT_SHARED:-$HERE/../shared}
[ -d "$SHARED/bench" ] || SHARED=/work/shared
BENCH="$SHARED/bench"
BIN=${HOPAUDIT_BIN:-${CARGO_TARGET_DIR:-$HERE/target}/release/hopaudit}
OUT=${OUT:-/tmp/hopaudit-bench}
USER_NAME=auditor
PASSWORD=bench-Secret-2024
CA="$RUNDIR/ssl/cert.pem"
MAILDIR="$RUNDIR/home/$USER_NAME/Maildir"
mkdir -p "$OUT"

# Dovecot's index and cache files; removing them makes the next access "cold".
reset_index() {
  find "$MAILDIR" -maxdepth 2 \( -name 'dovecot.index*' -o -name 'dovecot.list.index*' \) -delete
}

hopaudit_config() {
  cat > "$OUT/hopaudit.toml" <<EOF
database = "$OUT/bench.sqlite"
[organization]
domains = ["corp-mail.example"]
[[accounts]]
name = "bench"
host = "127.0.0.1"
port = $PORT
security = "tls"
username = "$USER_NAME"
password_env = "HOPAUDIT_BENCH_PASSWORD"
ca_file = "$CA"
EOF
}

command_for() {
  local common=(--port "$PORT" --cafile "$CA" --user "$USER_NAME" --password "$PASSWORD")
  case $1 in
    raw-fields) echo python3 "$BENCH/raw_limit.py" --item fields "${common[@]}" ;;
    raw-header) echo python3 "$BENCH/raw_limit.py" --item header "${common[@]}" ;;
    bulk) echo python3 "$BENCH/peer_bulk.py" "${common[@]}" --out "$OUT/bulk.csv" ;;
    naive) echo python3 "$BENCH/peer_naive.py" "${common[@]}" --out "$OUT/naive.csv" ;;
    hopaudit) echo "$BIN" --quiet scan --json --config "$OUT/hopaudit.toml" ;;
  esac
}

run_one() {
  local tool=$1 phase=$2 log="$OUT/$1-$2.txt"
  [ "$tool" = hopaudit ] && rm -f "$OUT"/bench.sqlite*
  # shellcheck disable=SC2046
  HOPAUDIT_BENCH_PASSWORD=$PASSWORD /usr/bin/time -v $(command_for "$tool") >"$log" 2>&1 || {
    echo "$tool $phase failed; see $log" >&2
    return
  }
  local wall rss messages
  wall=$(grep 'Elapsed (wall clock)' "$log" | awk -F': ' '{print $2}' |
    awk -F: '{ if (NF == 3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  rss=$(grep 'Maximum resident set size' "$log" | awk -F': ' '{print $2}')
  messages=$(grep -o '"messages_seen":[0-9]*\|^messages=[0-9]*' "$log" | head -1 | grep -o '[0-9]*$')
  printf '| %s | %s | %s | %.1f | %.0f | %.1f |\n' "$tool" "$phase" "$messages" "$wall" \
    "$(echo "$messages / $wall" | bc -l)" "$(echo "$rss / 1024" | bc -l)"
}

hopaudit_config
echo "| tool | phase | messages | seconds | msg/s | peak RSS MB |"
echo "|---|---|---|---|---|---|"
IFS=, read -r -a tools <<<"$TOOLS"
for tool in "${tools[@]}"; do
  reset_index
  run_one "$tool" cold
  run_one "$tool" warm
done
# Compares the store with the generator's truth through the peers' per-domain CSV shape.
if [ -s "$OUT/bench.sqlite" ] && [ -s "$RUNDIR/truth.jsonl" ] && command -v sqlite3 >/dev/null; then
  sqlite3 -header -csv "$OUT/bench.sqlite" >"$OUT/hopaudit.csv" <<'SQL'
WITH per AS (
  SELECT m.sender_domain AS domain, m.hop_count AS n,
         count(h.message_id) FILTER (WHERE h.tls = 1) AS t,
         count(*) FILTER (WHERE h.tls_version = 'TLSv1.3') AS t13,
         count(*) FILTER (WHERE h.tls_version = 'TLSv1.2') AS t12,
         count(*) FILTER (WHERE h.tls_version = 'TLSv1.1') AS t11,
         count(*) FILTER (WHERE h.tls_version = 'TLSv1.0') AS t10
  FROM messages m LEFT JOIN hops h ON h.message_id = m.id
  GROUP BY m.id)
SELECT domain, count(*) AS messages, sum(n) AS hops, sum(t) AS tls_hops, sum(n - t) AS plain_hops,
       sum(t13) AS tls13, sum(t12) AS tls12, sum(t11) AS tls11, sum(t10) AS tls10,
       sum(t - t13 - t12 - t11 - t10) AS tls_other,
       sum(n > 0 AND t = n) AS msgs_all_hops_tls, sum(n = 0) AS msgs_no_received
FROM per GROUP BY domain;
SQL
  echo
  echo "truth check: $(python3 "$BENCH/check_csv.py" "$RUNDIR/truth.jsonl" "$OUT/hopaudit.csv" | head -4)"
fi
