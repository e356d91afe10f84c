#!/usr/bin/env python3
"""A stand-in secondary for the benchmark: responds to NOTIFY on a loopback
UDP port and appends "<unix time> <zone>" for each one to a file."""
import socket
import struct
import sys
import time


def question_end(message):
    at = 12
    while message[at] != 0:
        at += message[at] + 1
    return at + 1 + 4


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
            log.write(f"{received:.6f} {zone_name(message)}\n")


if __name__ == "__main__":
    main()
