#!/usr/bin/env python3
"""Writes the malformed DNS messages in malformed/ and the fuzz seeds in
corpus/. Each malformed file carries one defect, named by the file."""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def header(qd=1, an=0, ns=0, ar=0, flags=0, msg_id=0x4242):
    return struct.pack("!HHHHHH", msg_id, flags, qd, an, ns, ar)


def name(text):
    out = b""
    for label in text.strip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


ZONE = name("example.test.")
SOA_Q = ZONE + struct.pack("!HH", 6, 1)
OPT = b"\0" + struct.pack("!HHIH", 41, 1232, 0, 0)
TSIG_RDATA = name("hmac-sha256.") + b"\0\0\0\0\0\0" + struct.pack(
    "!HH", 300, 32) + b"\0" * 32 + struct.pack("!HHH", 0x4242, 0, 0)
TSIG = name("key.") + struct.pack("!HHIH", 250, 255, 0, len(TSIG_RDATA)) + \
    TSIG_RDATA
A_RR = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 3600, 4) + b"\xc0\x00\x02\x01"

MALFORMED = {
    "short-header": header()[:5],
    "truncated-question": header() + ZONE + b"\0\x06",
    "compression-loop": header() + b"\xc0\x0c" + b"\0\x06\0\x01",
    "forward-pointer": header() + b"\xc0\x20" + b"\0\x06\0\x01" + b"\0" * 20,
    "label-type-0x40": header() + b"\x41a\0\0\x06\0\x01",
    "name-over-255-octets": header() + (b"\x3f" + b"a" * 63) * 4 + b"\0" +
    b"\0\x06\0\x01",
    "rdata-past-end": header(an=1) + SOA_Q + A_RR[:-2],
    "trailing-octets": header() + SOA_Q + b"\0\0",
    "missing-record": header(ar=1) + SOA_Q,
    "tsig-not-last": header(ar=2) + SOA_Q + TSIG + OPT,
    "two-opt-records": header(ar=2) + SOA_Q + OPT + OPT,
    "opt-in-answer": header(an=1) + SOA_Q + OPT,
    "tsig-class-not-any": header(ar=1) + SOA_Q + name("key.") +
    struct.pack("!HHIH", 250, 1, 0, len(TSIG_RDATA)) + TSIG_RDATA,
}

SEEDS = {
    "soa-query": header() + SOA_Q,
    "soa-query-edns": header(ar=1) + SOA_Q + OPT,
    "axfr-query-tsig": header(ar=1) + ZONE + struct.pack("!HH", 252, 1) +
    TSIG,
    "ixfr-query": header(ns=1) + ZONE + struct.pack("!HH", 251, 1) +
    b"\xc0\x0c" + struct.pack("!HHIH", 6, 1, 0, 22) + b"\0\0" +
    struct.pack("!IIIII", 1, 0, 0, 0, 0),
    "response-with-answer": header(an=1, flags=0x8400) + SOA_Q + A_RR,
}


def write(folder, files):
    os.makedirs(os.path.join(HERE, folder), exist_ok=True)
    for file_name, data in files.items():
        with open(os.path.join(HERE, folder, file_name + ".bin"), "wb") as f:
            f.write(data)


write("malformed", MALFORMED)
write("corpus", {**SEEDS, **MALFORMED})
