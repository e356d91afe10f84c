#!/usr/bin/env python3
"""Writes a synthetic zone for the signing benchmark.

Usage: gen_zone.py ORIGIN NAMES > zone
About 5% of names are delegations (half with DS, each with glue); the
rest carry A, AAAA, TXT, MX or CNAME records. The output is deterministic.
"""
import random
import sys


def main():
    origin, count = sys.argv[1], int(sys.argv[2])
    rng = random.Random(count)
    out = sys.stdout
    out.write(f"$ORIGIN {origin}\n$TTL 3600\n")
    out.write("@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n")
    out.write("@ NS ns1\n@ NS ns2\nns1 A 192.0.2.1\nns2 A 192.0.2.2\n")
    for i in range(count):
        name = f"n{i}"
        kind = rng.random()
        if kind < 0.05:
            out.write(f"{name} NS ns.{name}\nns.{name} A 192.0.2.53\n")
            if i % 2 == 0:
                out.write(f"{name} DS {i % 65535} 13 2 "
                          f"{rng.getrandbits(256):064x}\n")
        elif kind < 0.40:
            out.write(f"{name} A 198.51.{i % 256}.{i // 256 % 256}\n")
        elif kind < 0.60:
            out.write(f"{name} AAAA 2001:db8::{i >> 16:x}:{i & 0xffff:x}\n")
        elif kind < 0.75:
            out.write(f'{name} TXT "v=spf1 ip4:192.0.2.{i % 256} -all"\n')
        elif kind < 0.90:
            out.write(f"{name} MX 10 mail{i % 100}\n")
        else:
            out.write(f"{name} CNAME n{(i + 1) % count}\n")


if __name__ == "__main__":
    main()
