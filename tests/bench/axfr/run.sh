#!/usr/bin/env bash
# AXFR of a signed 100k-name and 1M-name zone over loopback, served by the
# Signet transfer server, knotd and named from the same signed file; and
# the time Signet takes to answer an IXFR of a one-record change.
#
# Usage: tests/bench/axfr/run.sh [BUILD_DIR]   (default: build-transfer)
# Environment: SIGNET_BENCH_CACHE (default /tmp/signet-axfr-bench) keeps the
# generated and signed zones between runs; SIGNET_BENCH_SIZES (default
# "100000 1000000") and SIGNET_BENCH_RUNS (default 3) set the work;
# SIGNET_BENCH_AXFR=0 skips the AXFR comparison and times only the IXFR.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
BUILD=${1:-$ROOT/build-transfer}
CACHE=${SIGNET_BENCH_CACHE:-/tmp/signet-axfr-bench}
SIZES=${SIGNET_BENCH_SIZES:-"100000 1000000"}
RUNS=${SIGNET_BENCH_RUNS:-3}
RUN_AXFR=${SIGNET_BENCH_AXFR:-1}
ZONE=bench.test.
KEY_NAME=bench-key.
SERVER_BIN=$BUILD/tests/bench/axfr/signet_axfr_bench_server
CLIENT_BIN=$BUILD/tests/bench/axfr/signet_axfr_bench_client

for tool in ldns-keygen ldns-signzone knotd named dig python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 1; }
done
[ -x "$SERVER_BIN" ] && [ -x "$CLIENT_BIN" ] || {
  echo "build signet_axfr_bench_server and signet_axfr_bench_client in" \
       "$BUILD first" >&2
  exit 1
}

mkdir -p "$CACHE"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/signet-axfr-run-XXXXXX")
PIDS=()
cleanup() {
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

# A TSIG secret for this run only.
SECRET=$(head -c 32 /dev/urandom | base64)
echo "$SECRET" > "$WORK/tsig.secret"
chmod 600 "$WORK/tsig.secret"

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Writes the unsigned zone with $1 hosts and serial $2; serial 2 adds one
# record to serial 1.
make_zone() {
  python3 - "$1" "$2" <<'EOF'
import sys
names, serial = int(sys.argv[1]), int(sys.argv[2])
out = sys.stdout
out.write("$ORIGIN bench.test.\n$TTL 3600\n")
out.write(f"@ IN SOA ns1 hostmaster {serial} 3600 600 1209600 300\n")
out.write("@ IN NS ns1\nns1 IN A 192.0.2.1\n")
for i in range(1, names + 1):
    out.write(f"host{i} IN A 10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}\n")
if serial > 1:
    out.write("changed IN A 203.0.113.9\n")
EOF
}

# Signs both versions once per size with the same Ed25519 keys and fixed
# times, so the second differs from the first only where the zone changed.
prepare_zone() {
  local names=$1 dir=$CACHE/$1
  mkdir -p "$dir"
  if [ ! -s "$dir/v2.signed" ]; then
    echo "generating and signing the ${names}-name zone (cached in $dir)" >&2
    (cd "$dir" && rm -f K* && ldns-keygen -a ED25519 -k $ZONE > ksk &&
       ldns-keygen -a ED25519 $ZONE > zsk)
    for serial in 1 2; do
      make_zone "$names" "$serial" > "$dir/v$serial"
      (cd "$dir" && ldns-signzone -n -t 0 -i 20240101000000 \
         -e 20360101000000 -f "v$serial.signed" "v$serial" "$(cat zsk)" \
         "$(cat ksk)")
    done
  fi
}

wait_for_soa() {
  local port=$1 pid=$2
  for _ in $(seq 1 1200); do
    kill -0 "$pid" 2>/dev/null || return 1
    if dig +short +norec +time=1 +tries=1 -y "hmac-sha256:$KEY_NAME:$SECRET" \
         @127.0.0.1 -p "$port" $ZONE SOA 2>/dev/null | grep -q hostmaster; then
      return 0
    fi
    sleep 0.5
  done
  return 1
}

peak_rss_mb() {
  awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"
}

start_signet() {
  local port=$1 file=$2 previous=${3:-}
  local args=(--zone $ZONE --file "$file" --port "$port" --key-name $KEY_NAME
              --key-file "$WORK/tsig.secret")
  [ -n "$previous" ] && args+=(--previous "$previous")
  "$SERVER_BIN" "${args[@]}" > "$WORK/signet.out" 2>&1 &
  echo $!
}

start_knotd() {
  local port=$1 file=$2 dir=$WORK/knot
  rm -rf "$dir" && mkdir -p "$dir"
  cat > "$dir/knot.conf" <<EOF
server:
    rundir: "$dir"
    listen: 127.0.0.1@$port
database:
    storage: "$dir"
key:
  - id: $KEY_NAME
    algorithm: hmac-sha256
    secret: $SECRET
acl:
  - id: transfer
    key: $KEY_NAME
    action: transfer
template:
  - id: default
    storage: "$dir"
zone:
  - domain: $ZONE
    file: "$file"
    acl: transfer
    zonefile-sync: -1
    journal-content: none
EOF
  knotd -c "$dir/knot.conf" > "$dir/knotd.out" 2>&1 &
  echo $!
}

start_named() {
  local port=$1 file=$2 dir=$WORK/named
  rm -rf "$dir" && mkdir -p "$dir"
  cat > "$dir/named.conf" <<EOF
options {
  directory "$dir";
  listen-on port $port { 127.0.0.1; };
  listen-on-v6 { none; };
  pid-file "$dir/named.pid";
  session-keyfile "$dir/session.key";
  managed-keys-directory "$dir";
  recursion no;
  notify no;
  dnssec-validation no;
};
controls { };
key "$KEY_NAME" { algorithm hmac-sha256; secret "$SECRET"; };
zone "$ZONE" {
  type primary;
  file "$file";
  allow-transfer { key "$KEY_NAME"; };
};
EOF
  (cd "$dir" && exec named -f -c "$dir/named.conf") > "$dir/named.out" 2>&1 &
  echo $!
}

stop() {
  kill "$1" 2>/dev/null || true
  while kill -0 "$1" 2>/dev/null; do
    sleep 0.2
  done
}

median() {
  sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# Runs one verified transfer and prints "wall_ms records".
measure_axfr() {
  local port=$1
  "$CLIENT_BIN" --port "$port" --zone $ZONE --key-name $KEY_NAME \
    --key-file "$WORK/tsig.secret" --type AXFR > "$WORK/client.out"
  if grep -q error= "$WORK/client.out"; then
    cat "$WORK/client.out" >&2
    return 1
  fi
  sed 's/ms=\([0-9.]*\) records=\([0-9]*\).*/\1 \2/' "$WORK/client.out"
}

cpu_ms() {
  awk '{ printf "%d", ($14 + $15) * 10 }' "/proc/$1/stat"
}

echo "# AXFR over loopback with TSIG hmac-sha256; the three servers run side"
echo "# by side and take turns, $RUNS transfers each (median)."
echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(uname -srm), $(nproc) CPUs," \
     "$(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo)," \
     "load $(cut -d' ' -f1-3 /proc/loadavg)"
printf "%-9s %-7s %9s %10s %12s %9s %9s\n" names server records wall_ms \
  cpu_ms/xfr rss_mb vs_knotd
SERVERS="knotd named signet"
[ "$RUN_AXFR" = 0 ] && SIZES_AXFR="" || SIZES_AXFR=$SIZES
for names in $SIZES_AXFR; do
  prepare_zone "$names"
  file=$CACHE/$names/v1.signed
  declare -A port=() pid=() walls=() cpu=() records=()
  for server in $SERVERS; do
    port[$server]=$(free_port)
    pid[$server]=$(start_$server "${port[$server]}" "$file")
    PIDS+=("${pid[$server]}")
  done
  for server in $SERVERS; do
    if ! wait_for_soa "${port[$server]}" "${pid[$server]}"; then
      echo "$server did not start; its files are in $WORK" >&2
      trap - EXIT
      exit 1
    fi
    cpu[$server]=0
  done
  for _ in $(seq 1 "$RUNS"); do
    for server in $SERVERS; do
      before=$(cpu_ms "${pid[$server]}")
      read -r ms count < <(measure_axfr "${port[$server]}")
      after=$(cpu_ms "${pid[$server]}")
      walls[$server]="${walls[$server]:-} $ms"
      cpu[$server]=$(( ${cpu[$server]} + after - before ))
      records[$server]=$count
    done
  done
  declare -A median_wall=()
  for server in $SERVERS; do
    median_wall[$server]=$(echo "${walls[$server]}" | tr ' ' '\n' | sed '/^$/d' | median)
  done
  for server in $SERVERS; do
    ratio=$(awk -v a="${median_wall[$server]}" -v b="${median_wall[knotd]}" \
              'BEGIN { printf "%.2f", a / b }')
    printf "%-9s %-7s %9s %10s %12s %9s %9s\n" "$names" "$server" \
      "${records[$server]}" "${median_wall[$server]}" \
      "$(( ${cpu[$server]} / RUNS ))" "$(peak_rss_mb "${pid[$server]}")" \
      "$ratio"
  done
  for server in $SERVERS; do
    stop "${pid[$server]}"
  done
  unset port pid walls cpu records median_wall
done

# IXFR of the one-record change in the largest zone.
largest=${SIZES##* }
prepare_zone "$largest"
port=$(free_port)
pid=$(start_signet "$port" "$CACHE/$largest/v2.signed" \
        "$CACHE/$largest/v1.signed")
PIDS+=("$pid")
wait_for_soa "$port" "$pid"
journal=$(sed -n 's/.*journal_records=\([0-9]*\).*/\1/p' "$WORK/signet.out")
"$CLIENT_BIN" --port "$port" --zone $ZONE --key-name $KEY_NAME \
  --key-file "$WORK/tsig.secret" --type IXFR --serial 1 --repeat 21 \
  > "$WORK/ixfr.out"
ixfr_ms=$(sed 's/ms=\([0-9.]*\).*/\1/' "$WORK/ixfr.out" | median)
ixfr_max=$(sed 's/ms=\([0-9.]*\).*/\1/' "$WORK/ixfr.out" | sort -n | tail -1)
ixfr_records=$(sed -n 's/.*records=\([0-9]*\).*/\1/p' "$WORK/ixfr.out" | head -1)
echo
echo "# IXFR from serial 1 to 2 in the ${largest}-name zone (21 runs)"
echo "journal_records=$journal ixfr_records=$ixfr_records" \
     "median_ms=$ixfr_ms max_ms=$ixfr_max"
stop "$pid"
