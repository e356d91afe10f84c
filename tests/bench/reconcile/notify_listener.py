#!/usr/bin/env python3
"""A stand-in secondary for the benchmark: responds to NOTIFY on a loopback
UDP port and appends "<unix time> <zone> <serial>" for each one to a file.
The serial comes from the SOA in the answer section, 0 when absent. The
response is not TSIG-signed, so the primary may resend the NOTIFY; the
serial tells a resend from the NOTIFY of a new version."""
import socket
import struct
import sys
import time


def question_end(message):
    at = 12
    while message[at] != 0:
        at += message[at] + 1
    return at + 1 + 4


def skip_name(message, at):
    while True:
        length = message[at]
        if length == 0:
            return at + 1
        if length & 0xC0 == 0xC0:
            return at + 2
        at += length + 1


def soa_serial(message, answer_at):
    ancount = struct.unpack("!H", message[6:8])[0]
    if ancount == 0:
        return 0
    at = skip_name(message, answer_at)
    rtype = struct.unpack("!H", message[at:at + 2])[0]
    if rtype != 6:
        return 0
    at = skip_name(message, at + 10)  # type, class, TTL, RDLENGTH; MNAME
    at = skip_name(message, at)  # RNAME
    return struct.unpack("!I", message[at:at + 4])[0]


def zone_name(message):
    labels, at = [], 12
    while message[at] != 0:
        length = message[at]
        labels.append(message[at + 1:at + 1 + length].decode("ascii"))
        at += length + 1
    return ".".join(labels) + "."


def main():
    port, log_path = int(sys.argv[1]), sys.argv[2]
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", port))
    with open(log_path, "a", buffering=1) as log:
        while True:
            message, peer = sock.recvfrom(65535)
            received = time.time()
            if len(message) < 12:
                continue
            ident, flags = struct.unpack("!HH", message[:4])
            if (flags >> 11) & 0xF != 4 or flags & 0x8000:
                continue
            end = question_end(message)
            # NOTIFY response: QR and AA set, the question echoed.
            reply = struct.pack("!HHHHHH", ident, 0x8000 | (4 << 11) | 0x0400,
                                1, 0, 0, 0) + message[12:end]
            sock.sendto(reply, peer)
            serial = soa_serial(message, end)
            log.write(f"{received:.6f} {zone_name(message)} {serial}\n")


if __name__ == "__main__":
    main()
