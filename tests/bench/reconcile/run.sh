#!/usr/bin/env bash
# Measures how fast `signet run` turns a commit into a NOTIFY:
#   1. a one-record change in a 100-name zone,
#   2. a one-record change in a 1,000,000-name zone,
#   3. 100 tenants with 10 zones each, one commit to every tenant at once.
# Latency runs from just before `git commit` to the NOTIFY arriving at a
# stand-in secondary on loopback (notify_listener.py). Everything runs in a
# temporary folder on 127.0.0.1.
#
# Usage: run.sh [small|large[=NAMES]|tenants ...]   (default: all three)
# large=NAMES sets the size of the large zone (default 1000000), e.g.
# large=200000 for a quicker run.
# SIGNET points at the binary (default: build/reconciler/cli/signet).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
signet=${SIGNET:-$root/build/reconciler/cli/signet}
# Seconds the service idles before the second commit of a one-change case.
IDLE_SECONDS=${IDLE_SECONDS:-30}
cases=("$@")
((${#cases[@]})) || cases=(small large tenants)

work=$(mktemp -d /tmp/signet-bench-XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a - b}'; }

notify_port=$(free_port)
python3 "$here/notify_listener.py" "$notify_port" "$work/notify.log" &
pids+=($!)
touch "$work/notify.log"
openssl rand -base64 32 >"$work/tsig.secret"
chmod 0600 "$work/tsig.secret"

# make_repo DIR ZONE NAMES: a tenant repository with one zone.
make_repo() {
  local dir=$1 zone=$2 names=$3
  mkdir -p "$dir/zones"
  python3 "$here/make_zone.py" "$zone" "$names" >"$dir/zones/$zone.yaml"
  add_secondaries "$dir"
}

add_secondaries() {
  cat >"$1/secondaries.yaml" <<EOT
secondaries:
  listener:
    address: 127.0.0.1
    port: $notify_port
    tsig_key: bench.
EOT
}

commit_all() {
  git -C "$1" add -A
  git -C "$1" -c user.name=Bench -c user.email=bench@example.invalid \
    commit -q -m "$2"
}

init_repo() {
  git -C "$1" init -q -b main
  commit_all "$1" "Add zones"
}

# config_header FILE; config_tenant FILE NAME REPO ZONES...
config_header() {
  cat >"$1" <<EOT
state_dir: $work/state-$(basename "$1" .yaml)
dns_listen: ["127.0.0.1:$(free_port)"]
http_listen: ["127.0.0.1:$(free_port)"]
tenants:
EOT
}
config_tenant() {
  local file=$1 name=$2 repo=$3
  shift 3
  local zones
  zones=$(printf '%s, ' "$@")
  cat >>"$file" <<EOT
  - name: $name
    repository: $repo
    allowed_zones: [${zones%, }]
    key_store:
      type: files
      path: $work/keys/$name
    tsig_keys:
      - name: bench.
        algorithm: hmac-sha256
        secret_file: $work/tsig.secret
EOT
}

start_signet() {
  : >"$2"
  "$signet" run --config "$1" 2>"$2" &
  signet_pid=$!
  pids+=("$signet_pid")
}

stop_signet() {
  kill "$signet_pid"
  wait "$signet_pid" || true
}

published() {
  local n
  n=$(grep -c "zone published: " "$1" 2>/dev/null) || true
  echo "${n:-0}"
}

# wait_published LOG COUNT TIMEOUT_SECONDS
wait_published() {
  local deadline=$((SECONDS + $3))
  while (($(published "$1") < $2)); do
    if ((SECONDS > deadline)); then
      echo "timed out waiting for $2 publishes; log tail:" >&2
      tail -n 20 "$1" >&2
      return 1
    fi
    sleep 0.05
  done
}

# notifies_after T ZONE SERIAL: times of NOTIFYs for ZONE ("" for any)
# with SERIAL received after T. The serial skips resent NOTIFYs of the
# version before.
notifies_after() {
  awk -v t="$1" -v z="$2" -v s="$3" \
    '$1 > t && (z == "" || $2 == z) && $3 == s {print $1}' "$work/notify.log"
}

peak_memory_kib() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }

# one_change LABEL NAMES: commit-to-NOTIFY latency for one record.
one_change() {
  local label=$1 names=$2 zone="$1.bench"
  local repo="$work/$label" config="$work/$label.yaml" log="$work/$label.log"
  local t0 t1 first_publish
  make_repo "$repo" "$zone" "$names"
  init_repo "$repo"
  config_header "$config"
  config_tenant "$config" "$label" "$repo" "$zone"

  t0=$(now)
  start_signet "$config" "$log"
  wait_published "$log" 1 3600
  first_publish=$(elapsed "$(now)" "$t0")

  # One commit at once, and one after the service idled long enough for
  # the allocator to hand freed memory back to the system.
  local serial=1 pause
  for pause in 0 "$IDLE_SECONDS"; do
    sleep "$pause"
    serial=$((serial + 1))
    printf '  bench%s:\n    A: 192.0.2.99\n' "$serial" >>"$repo/zones/$zone.yaml"
    t0=$(now)
    commit_all "$repo" "Add bench$serial"
    until [[ -n $(notifies_after "$t0" "$zone." "$serial") ]]; do sleep 0.005; done
    t1=$(notifies_after "$t0" "$zone." "$serial" | head -n 1)
    echo "$label: names=$names first_publish_s=$first_publish" \
      "idle_before_s=$pause commit_to_notify_s=$(elapsed "$t1" "$t0")" \
      "peak_rss_kib=$(peak_memory_kib "$signet_pid")"
    wait_published "$log" "$serial" 60
  done
  grep "zone published: " "$log" | tail -n 1 | sed 's/^/  /'
  stop_signet
}

# many_tenants TENANTS ZONES: one commit to every tenant at once.
many_tenants() {
  local tenants=$1 zones=$2 config="$work/tenants.yaml" log="$work/tenants.log"
  local t0 t1 i j
  config_header "$config"
  for ((i = 0; i < tenants; i++)); do
    local repo="$work/tenants/t$i" names=()
    mkdir -p "$repo/zones"
    for ((j = 0; j < zones; j++)); do
      python3 "$here/make_zone.py" "z$j.t$i.bench" 10 \
        >"$repo/zones/z$j.t$i.bench.yaml"
      names+=("z$j.t$i.bench")
    done
    add_secondaries "$repo"
    init_repo "$repo"
    config_tenant "$config" "t$i" "$repo" "${names[@]}"
  done

  t0=$(now)
  start_signet "$config" "$log"
  wait_published "$log" $((tenants * zones)) 3600
  echo "tenants: first publish of $((tenants * zones)) zones took" \
    "$(elapsed "$(now)" "$t0") s"

  t0=$(now)
  for ((i = 0; i < tenants; i++)); do
    (printf '  bench:\n    A: 192.0.2.99\n' \
      >>"$work/tenants/t$i/zones/z0.t$i.bench.yaml" &&
      commit_all "$work/tenants/t$i" "Add bench") &
  done
  wait_published "$log" $((tenants * zones + tenants)) 600
  until (($(notifies_after "$t0" "" 2 | wc -l) >= tenants)); do
    sleep 0.01
  done
  t1=$(notifies_after "$t0" "" 2 | sort -n | tail -n 1)
  echo "tenants: $tenants tenants x $zones zones, one commit each:" \
    "all NOTIFY sent after $(elapsed "$t1" "$t0") s," \
    "peak_rss_kib=$(peak_memory_kib "$signet_pid")"
  stop_signet
}

echo "signet: $signet"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {print $2}' /proc/meminfo) KiB," \
  "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
for c in "${cases[@]}"; do
  case $c in
    small) one_change small 100 ;;
    large) one_change large 1000000 ;;
    large=*)
      names=${c#large=}
      if [[ ! $names =~ ^[1-9][0-9]*$ ]]; then
        echo "run.sh: invalid size in $c; write large=NAMES, e.g. large=200000" >&2
        exit 2
      fi
      one_change large "$names"
      ;;
    tenants) many_tenants 100 10 ;;
    *) echo "run.sh: unknown case $c (small, large, large=NAMES, tenants)" >&2; exit 2 ;;
  esac
done
