#!/usr/bin/env python3
"""Writes one generated zone as an RFC 1035 master file and as zone YAML.

Usage: make_zone.py ZONE NAMES MASTER_FILE YAML_FILE

NAMES counts owner names. The mix is meant to resemble a hosting
provider's zone. About 60% are hosts with A (a third of them also AAAA),
10% CNAMEs, 10% mail names with MX and TXT, 5% SRV and 10% TXT only. The
other 5% are delegations with two in-bailiwick name servers each, whose
glue names count among the names, and every other one has a DS.
"""
import random
import sys

zone, names = sys.argv[1], int(sys.argv[2])
master = open(sys.argv[3], "w")
yaml = open(sys.argv[4], "w")
rng = random.Random(42)

master.write(f"$ORIGIN {zone}.\n$TTL 3600\n"
             f"@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
             f"@ NS ns1\n@ NS ns2\n@ MX 10 mail\n"
             f"ns1 A 192.0.2.1\nns2 A 192.0.2.2\nmail A 192.0.2.25\n")
yaml.write(f"zone: {zone}\nttl: 3600\nsoa:\n  primary: ns1.{zone}.\n"
           f"  contact: hostmaster@{zone}\nrecords:\n"
           f"  '@':\n    NS: [ns1, ns2]\n    MX: 10 mail\n"
           f"  ns1:\n    A: 192.0.2.1\n  ns2:\n    A: 192.0.2.2\n"
           f"  mail:\n    A: 192.0.2.25\n")


def ipv4(i):
    return f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}"


def ipv6(i):
    return f"2001:db8::{i >> 16 & 0xffff:x}:{i & 0xffff:x}"


digest = "".join(rng.choice("0123456789ABCDEF") for _ in range(64))
written = 6  # apex, ns1, ns2, mail and the names below count as owners
i = 0
while written < names:
    i += 1
    kind = rng.random()
    name = f"n{i}"
    if kind < 0.05 and written + 3 <= names:
        ns1, ns2 = f"ns1.{name}", f"ns2.{name}"
        master.write(f"{name} NS {ns1}\n{name} NS {ns2}\n"
                     f"{ns1} A {ipv4(2 * i)}\n{ns2} A {ipv4(2 * i + 1)}\n")
        yaml.write(f"  {name}:\n    NS: [{ns1}, {ns2}]\n")
        if i % 2 == 0:
            master.write(f"{name} DS {i % 65536} 13 2 {digest}\n")
            yaml.write(f"    DS: {i % 65536} 13 2 {digest}\n")
        yaml.write(f"  {ns1}:\n    A: {ipv4(2 * i)}\n"
                   f"  {ns2}:\n    A: {ipv4(2 * i + 1)}\n")
        written += 3
        continue
    if kind < 0.65:
        master.write(f"{name} A {ipv4(i)}\n")
        yaml.write(f"  {name}:\n    A: {ipv4(i)}\n")
        if i % 3 == 0:
            master.write(f"{name} AAAA {ipv6(i)}\n")
            yaml.write(f"    AAAA: '{ipv6(i)}'\n")
    elif kind < 0.75:
        master.write(f"{name} CNAME n{max(1, i - 1)}\n")
        yaml.write(f"  {name}:\n    CNAME: n{max(1, i - 1)}\n")
    elif kind < 0.85:
        master.write(f"{name} MX 10 mail\n{name} TXT \"v=spf1 mx -all\"\n")
        yaml.write(f"  {name}:\n    MX: 10 mail\n    TXT: v=spf1 mx -all\n")
    elif kind < 0.90:
        master.write(f"_sip._tcp.{name} SRV 10 5 5060 mail\n")
        yaml.write(f"  _sip._tcp.{name}:\n    SRV: 10 5 5060 mail\n")
    else:
        master.write(f"{name} TXT \"site-verification={i:08x}\"\n")
        yaml.write(f"  {name}:\n    TXT: site-verification={i:08x}\n")
    written += 1
