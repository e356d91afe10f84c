#!/usr/bin/env bash
# Installs, builds and runs Signet on the bundled example in the
# foreground: DNS on 127.0.0.1:5300, HTTP on 127.0.0.1:8053, state in a
# folder next to the example. Run as root on Debian 12 from anywhere;
# running it again keeps the example repository, its history and secrets.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
config=examples/signet.yaml

deploy/install-deps.sh
deploy/build.sh
signet=${BUILD_DIR:-build}/reconciler/cli/signet

# The value of `key:` on the first line that has it in the config, made
# absolute against the config's folder as signet does.
config_path() {
  local value
  value=$(sed -n "s/^[[:space:]-]*$1:[[:space:]]*//p" "$config" | head -n 1)
  value=${value%\"}
  value=${value#\"}
  [[ -n $value ]] || return 0
  if [[ $value = /* ]]; then
    echo "$value"
  else
    realpath -m "$(dirname "$config")/$value"
  fi
}

repository=$(config_path repository)
tenant_files=examples/tenant
if [[ -z $repository ]]; then
  echo "quickstart.sh: $config names no tenant repository" >&2
  exit 2
fi

# The example tenant's repository: a real Git repository made once from
# the example files, so commits to it are what `signet run` publishes.
if [[ ! -d $repository/.git ]]; then
  mkdir -p "$repository"
  cp -R "$tenant_files"/. "$repository"/
  git -C "$repository" init -q -b main
  git -C "$repository" add -A
  git -C "$repository" -c user.name="Signet quickstart" \
    -c user.email="quickstart@example.invalid" \
    commit -q -m "Add the example zones"
  echo "Created the example tenant repository in $repository"
fi

# Secrets are made here, never committed: 32 random octets in base64.
make_secret() {
  local file=$1
  [[ -s $file ]] && return 0
  (umask 077 && mkdir -p "$(dirname "$file")")
  (umask 077 && openssl rand -base64 32 >"$file")
  chmod 0600 "$file"
  echo "Created secret $file"
}
tsig_file=$(config_path secret_file)
webhook_file=$(config_path webhook_secret_file)
[[ -n $tsig_file ]] && make_secret "$tsig_file"
[[ -n $webhook_file ]] && make_secret "$webhook_file"
tsig_name=$(sed -n 's/^[[:space:]-]*name:[[:space:]]*\(.*\.\)$/\1/p' \
  "$config" | head -n 1)

zone=$(ls "$repository"/zones | sed -n 's/\.yaml$//p' | head -n 1)
cat <<EOT

Signet is starting in the foreground (Ctrl-C stops it).

Query the signed zone:
  dig @127.0.0.1 -p 5300 $zone SOA +dnssec
Transfer it with the tenant's TSIG key:
  dig @127.0.0.1 -p 5300 $zone AXFR -y hmac-sha256:${tsig_name:-KEY}:\$(cat $tsig_file)
Status:
  curl -s http://127.0.0.1:8053/status.json
  $root/$signet status --config $root/$config

Publish a change: edit $repository/zones/$zone.yaml, then
  git -C $repository commit -am "Change a record"
and watch the "zone published" line below with the new serial.

EOT
exec "$signet" run --config "$config"
