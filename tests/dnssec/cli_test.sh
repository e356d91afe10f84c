#!/usr/bin/env bash
# Runs `signet sign` and `signet keys` on a master file and checks the
# output with ldns-verify-zone and dnssec-verify.
# Usage: cli_test.sh SIGNET_BINARY ZONE_FILE ORIGIN
set -euo pipefail
signet=$1
zone=$2
origin=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() {
  echo "FAILED: $*" >&2
  exit 1
}

"$signet" sign --keys "$work/keys" --origin "$origin" \
  --output "$work/signed.zone" "$zone"
[[ $(stat -c %a "$work/keys") == 700 ]] || fail "key folder is not mode 700"
for key in "$work"/keys/*.key; do
  [[ $(stat -c %a "$key") == 600 ]] || fail "$key is not mode 600"
done
ldns-verify-zone "$work/signed.zone" || fail "ldns-verify-zone rejected the zone"
dnssec-verify -q -z -o "$origin" "$work/signed.zone" ||
  fail "dnssec-verify rejected the zone"

# A second run reuses the key made by the first.
"$signet" sign --keys "$work/keys" --origin "$origin" \
  --output "$work/again.zone" "$zone"
[[ $(ls "$work/keys" | wc -l) == 1 ]] || fail "second run made another key"

list=$("$signet" keys list --keys "$work/keys" --zone "$origin")
grep -q "CSK ECDSAP256SHA256 tag [0-9]* active" <<<"$list" ||
  fail "keys list: $list"
grep -q "PRIVATE" <<<"$list" && fail "keys list printed private key material"

ds=$("$signet" keys ds --keys "$work/keys" --zone "$origin")
[[ $(grep -c "IN	DS	[0-9]* 13 2 " <<<"$ds") == 1 ]] || fail "no SHA-256 DS: $ds"
[[ $(grep -c "IN	DS	[0-9]* 13 4 " <<<"$ds") == 1 ]] || fail "no SHA-384 DS: $ds"
grep -q "IN	DNSKEY	257 3 13 " <<<"$ds" || fail "no DNSKEY: $ds"
# A missing folder or a zone without keys is an error, not empty output.
status=0
"$signet" keys ds --keys "$work/missing" --zone "$origin" 2>"$work/err" ||
  status=$?
[[ $status == 2 ]] || fail "keys ds on a missing folder exited $status"
grep -q "key folder $work/missing not found" "$work/err" ||
  fail "keys ds on a missing folder: $(cat "$work/err")"
[[ ! -e $work/missing ]] || fail "keys ds created the missing folder"
status=0
"$signet" keys ds --keys "$work/keys" --zone nosuch.example. 2>"$work/err" ||
  status=$?
[[ $status == 1 ]] || fail "keys ds for a zone without keys exited $status"
grep -q "no keys for nosuch.example. in $work/keys" "$work/err" ||
  fail "keys ds for a zone without keys: $(cat "$work/err")"
echo "1 passed, 0 failed"
