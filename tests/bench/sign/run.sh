#!/usr/bin/env bash
# Signing benchmark: signet sign against ldns-signzone, dnssec-signzone and
# knotd on generated zones, ECDSAP256SHA256 with one CSK, NSEC and NSEC3,
# plus the OpenSSL signing rate and an incremental one-record change.
#
# Usage: tests/bench/sign/run.sh BUILD_DIR [SIZES...]
#   BUILD_DIR  a CMake build folder with signet and sign_incremental_bench
#   SIZES      numbers of names (default: 10000 100000 1000000)
# Prints one line per run: tool, size, denial, wall s, CPU s, peak RSS MiB,
# RRSIGs, RRSIGs per wall second and per CPU second. knotd listens on
# 127.0.0.1 only. INCREMENTAL_SIZE (default: the last size) sets the zone
# size of the incremental run.
set -euo pipefail

build=$(cd "$1" && pwd)
shift
sizes=("$@")
((${#sizes[@]})) || sizes=(10000 100000 1000000)
here=$(cd "$(dirname "$0")" && pwd)
signet=$build/reconciler/cli/signet
incremental=$build/tests/bench/sign/sign_incremental_bench
threads=2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
origin=bench.

# Runs a command under GNU time; prints "wall cpu rss_mib".
measure() {
  /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" >/dev/null 2>"$work/err" ||
    { cat "$work/err" >&2; return 1; }
  awk '{printf "%.2f %.2f %.0f", $1, $2 + $3, $4 / 1024}' "$work/time"
}

report() {  # tool size denial "wall cpu rss" rrsigs
  local wall cpu rss
  read -r wall cpu rss <<<"$4"
  awk -v t="$1" -v n="$2" -v d="$3" -v w="$wall" -v c="$cpu" -v r="$rss" \
    -v s="$5" 'BEGIN {printf "%-16s %8s %-6s wall %7.2f s  cpu %7.2f s  rss %6d MiB  rrsigs %8d  %8.0f/s wall  %8.0f/s cpu\n",
      t, n, d, w, c, r, s, s / w, s / c}'
}

count_rrsigs() { awk '$4 == "RRSIG" || $3 == "RRSIG"' "$1" | wc -l; }

echo "# openssl speed -multi $threads ecdsap256"
openssl speed -multi "$threads" -seconds 5 ecdsap256 2>/dev/null |
  grep -E "^ *256 bits ecdsa" | tail -1

run_signet() {  # size denial
  printf 'denial: %s\n' "$2" >"$work/$2.yaml"
  rm -rf "$work/signet-keys"
  local m
  m=$(measure "$signet" sign --keys "$work/signet-keys" --policy "$work/$2.yaml" \
    --origin "$origin" --threads "$threads" --output "$work/signet.out" \
    "$work/zone")
  report signet "$1" "$2" "$m" "$(count_rrsigs "$work/signet.out")"
}

run_ldns() {
  (cd "$work" && rm -f Kbench* && ldns-keygen -a ECDSAP256SHA256 -k bench. >/dev/null)
  local key=("$work"/Kbench.*.key) args=()
  [[ $2 == nsec3 ]] && args=(-n -t 0 -s "")
  local m
  m=$(measure ldns-signzone "${args[@]}" -f "$work/ldns.out" "$work/zone" "${key[0]%.key}")
  report ldns-signzone "$1" "$2" "$m" "$(count_rrsigs "$work/ldns.out")"
}

run_bind() {
  rm -rf "$work/bind-keys" && mkdir "$work/bind-keys"
  dnssec-keygen -q -K "$work/bind-keys" -a ECDSAP256SHA256 -f KSK "$origin" >/dev/null
  local args=()
  [[ $2 == nsec3 ]] && args=(-3 - -H 0)
  local m
  m=$(measure dnssec-signzone -q -O full -S -z -K "$work/bind-keys" -d "$work" -n "$threads" \
    "${args[@]}" -o "$origin" -f "$work/bind.out" "$work/zone")
  report dnssec-signzone "$1" "$2" "$m" "$(count_rrsigs "$work/bind.out")"
}

run_knot() {
  local dir=$work/knot port=$((20000 + RANDOM % 20000))
  rm -rf "$dir" && mkdir "$dir"
  cp "$work/zone" "$dir/bench.zone"
  local nsec3=off
  [[ $2 == nsec3 ]] && nsec3=on
  cat >"$dir/knot.conf" <<CONF
server:
  rundir: "$dir"
  listen: 127.0.0.1@$port
database:
  storage: "$dir"
log:
  - target: "$dir/knot.log"
    any: info
policy:
  - id: bench
    algorithm: ecdsap256sha256
    single-type-signing: on
    nsec3: $nsec3
    nsec3-iterations: 0
    nsec3-salt-length: 0
    signing-threads: $threads
zone:
  - domain: $origin
    storage: "$dir"
    file: "bench.zone"
    dnssec-signing: on
    dnssec-policy: bench
    zonefile-sync: -1
    journal-content: none
CONF
  local start end pid
  start=$(date +%s.%N)
  knotd -c "$dir/knot.conf" >/dev/null 2>&1 &
  pid=$!
  until grep -q "loaded, serial" "$dir/knot.log" 2>/dev/null; do
    kill -0 "$pid" || { cat "$dir/knot.log" >&2; return 1; }
    sleep 0.05
  done
  end=$(date +%s.%N)
  local rss cpu ticks
  rss=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
  ticks=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  cpu=$(awk -v t="$ticks" -v h="$(getconf CLK_TCK)" 'BEGIN {print t / h}')
  knotc -c "$dir/knot.conf" zone-read "$origin" >"$dir/signed" 2>/dev/null || true
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  local m
  m=$(awk -v s="$start" -v e="$end" -v c="$cpu" -v r="$rss" \
    'BEGIN {printf "%.2f %.2f %.0f", e - s, c, r / 1024}')
  report knotd "$1" "$2" "$m" "$(count_rrsigs "$dir/signed")"
}

for size in "${sizes[@]}"; do
  python3 "$here/gen_zone.py" "$origin" "$size" >"$work/zone"
  for denial in nsec nsec3; do
    run_signet "$size" "$denial"
    run_ldns "$size" "$denial"
    run_bind "$size" "$denial"
    run_knot "$size" "$denial"
  done
done

echo "# one changed A record, incremental signing after a full signing"
last=${INCREMENTAL_SIZE:-${sizes[-1]}}
python3 "$here/gen_zone.py" "$origin" "$last" >"$work/zone"
for denial in nsec nsec3; do
  rm -rf "$work/inc-keys"
  echo "$last $denial $("$incremental" "$work/zone" "$origin" "$work/inc-keys" "$denial")"
done
