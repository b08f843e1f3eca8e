#!/usr/bin/env bash
# Load figures for the pages that grow with the network's data and the public pages, on the demo
# network: requests/s and latency percentiles from wrk, and the server's memory after the load.
#
#   bash bench/run.sh                       # SQLite (a fresh demo database in a temporary folder)
#   bash bench/run.sh postgres://postgres@127.0.0.1:5432/wcl_bench    # PostgreSQL (dropped and made anew)
#
# Needs wrk (Debian: apt-get install wrk) and a release build (the script makes one; PROFILE=debug
# uses the debug build instead, to try the script). Set CONNECTIONS (default 16) and DURATION
# (default 10s) to change the load, LABS and PEOPLE to add a generated network of that size
# (`wcl demo --labs --people`) beside the demo. KEEP=1 with a database URL measures a network loaded
# before, as it is (nothing dropped or loaded).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 2; }
CONNECTIONS="${CONNECTIONS:-16}"
DURATION="${DURATION:-10s}"
PORT="${PORT:-8799}"
BASE="http://127.0.0.1:$PORT"
PROFILE="${PROFILE:-release}"
if [ "$PROFILE" = release ]; then flags=(--release); else flags=(); fi
cargo build "${flags[@]}" -q
cargo build "${flags[@]}" -q -p web --example bare_page
work="$(mktemp -d)"
bare=""
trap 'kill "$pid" $bare 2>/dev/null || true; rm -rf "$work"' EXIT
if [ -n "${KEEP:-}" ]; then
  url="${1:?KEEP=1 takes the database URL of a network loaded before}"
elif [ "${1:-}" != "" ]; then
  url="$1"
  db="${url##*/}"
  psql "${url%/*}/postgres" -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
else
  url="sqlite://$work/wcl.db"
fi
# The demo is loaded by its own process, so that the server's memory is its own, not the seeding's.
generate=()
if [ -n "${LABS:-}" ]; then generate=(--labs "$LABS" --people "${PEOPLE:?PEOPLE goes with LABS}"); fi
if [ -z "${KEEP:-}" ]; then
  "target/$PROFILE/wcl" --database-url "$url" demo "${generate[@]}" >"$work/demo.log" 2>&1
  grep -h "generated" "$work/demo.log" || true
fi
WCL_BIND="127.0.0.1:$PORT" "target/$PROFILE/wcl" --database-url "$url" serve >"$work/log" 2>&1 &
pid=$!
for _ in $(seq 1 120); do curl -fs "$BASE/" -o /dev/null && break; sleep 1; done

# Ids from the demo's public pages, a signed-in coordinator for the dashboard.
# (Saved first: a grep that stops early under `pipefail` would end the script on a large network.)
first_link() { curl -fs "$BASE$1" -o "$work/page.html"; { grep -o "$2" "$work/page.html" || true; } | head -1; }
event="$(first_link /events '/events/[0-9a-f-]\{36\}')"
campaign="$(first_link /campaigns '/campaigns/[0-9a-f-]\{36\}')"
jar="$work/jar"
token="$(curl -fs -c "$jar" -b "$jar" "$BASE/login" | grep -o 'name="_csrf" value="[^"]*"' | head -1 | sed 's/.*value="//;s/"$//')"
curl -fs -c "$jar" -b "$jar" -o /dev/null -d "_csrf=$token&login=admin@wcl.kg&password=demo-password-2026" "$BASE/login"
session="$(awk '$6 ~ /session/ {print $6"="$7}' "$jar" | head -1)"

printf '%-34s %8s %10s %9s %9s %9s %7s\n' page "first" "req/s" "p50" "p99" "KB(gz)" errors
run() {
  local name="$1" path="$2"; shift 2
  local out first code
  # The first request alone: what a page costs when nothing it shows is kept yet.
  # (A cold computation longer than the request's limit answers 408/503 and goes on: shown so.)
  first="$(curl -s -o /dev/null -w '%{time_total}s' "$@" "$BASE$path" || true)"
  code="$(curl -s -o /dev/null -w '%{http_code}' "$@" "$BASE$path" || true)"
  [ "$code" = 200 ] || first="$first($code)"
  out="$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$@" "$BASE$path")"
  local rps p50 p99 errs size
  rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
  p50="$(awk '$1 == "50%" {print $2}' <<<"$out")"
  p99="$(awk '$1 == "99%" {print $2}' <<<"$out")"
  errs="$(awk '/Non-2xx|Socket errors/ {s = s $0 " "} END {print (s == "" ? 0 : s)}' <<<"$out")"
  size="$(curl -fs -H 'Accept-Encoding: gzip' "$@" "$BASE$path" | wc -c)"
  printf '%-34s %8s %10s %9s %9s %9.1f %7s\n' "$name" "$first" "$rps" "$p50" "$p99" "$(echo "$size/1024" | bc -l)" "$errs"
}
run "event page" "$event"
# The ceiling, in the same run: a bare axum server answering with the event page's exact bytes.
curl -fs "$BASE$event" -o "$work/event.html"
"target/$PROFILE/examples/bare_page" "127.0.0.1:$((PORT - 1))" "$work/event.html" &
bare=$!
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$((PORT - 1))/" -o /dev/null && break; sleep 0.1; done
BASE="http://127.0.0.1:$((PORT - 1))" run "bare axum, the event page's bytes" "$event"
kill "$bare"
run "event page (again, after the ceiling)" "$event"
run "campaign page" "$campaign"
run "campaign link preview (PNG)" "$campaign/share.png"
run "makers' showcase" "/showcase"
run "public impact" "/impact"
run "a lab's impact" "/labs/osh/impact"
run "indicators API" "/api/v1/indicators"
run "dashboard (admin)" "/impact/dashboard" -H "Cookie: $session"
run "people search (admin)" "/people?q=%D0%B0%D1%81%D0%B0%D0%BD" -H "Cookie: $session"
run "people list (admin)" "/people" -H "Cookie: $session"
echo "server RSS after the load: $(awk '/VmRSS/ {print $2, $3}' "/proc/$pid/status")"
