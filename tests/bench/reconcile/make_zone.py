#!/usr/bin/env python3
"""Writes a zone YAML file with NAMES A records: make_zone.py ZONE NAMES."""
import sys

zone, names = sys.argv[1], int(sys.argv[2])
out = sys.stdout
out.write(f"zone: {zone}\nttl: 3600\nsoa:\n  primary: ns1.{zone}.\n"
          f"  contact: hostmaster@{zone}\nrecords:\n"
          f"  '@':\n    NS: [ns1.{zone}.]\n  ns1:\n    A: 192.0.2.1\n")
for i in range(names):
    out.write(f"  host{i}:\n    A: 10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}\n")
