#!/usr/bin/env python3
"""Writes tests/fuzz/corpus/fuzz_wal/: framed log records (nodes/log/record_format.h)
around a node's real segment and snapshot files when given (copy them from a
node's --data-dir and pass their paths), plus the shapes recovery must tell
apart: an empty file, a clean end, a torn tail (cut short, zeros, bad
checksum), and damage with a whole record after it. Input format: one
selector byte (bit 0: snapshot, bit 1: the other file is there too), then the
file's bytes (tests/fuzz/fuzz_wal.cpp)."""
import os
import struct
import sys

MAGIC = 0x4C57
MASK_DELTA = 0xA282EAD8


def crc32c_table():
    table = []
    for i in range(256):
        crc = i
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
        table.append(crc)
    return table


TABLE = crc32c_table()


def crc32c(data, crc=0):
    crc ^= 0xFFFFFFFF
    for byte in data:
        crc = TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def mask(crc):
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + MASK_DELTA) & 0xFFFFFFFF


def record(rtype, payload):
    head = struct.pack("<HBBI", MAGIC, rtype, 0, len(payload))
    payload_crc = crc32c(payload, crc32c(bytes([rtype])))
    framed = head + struct.pack("<II", mask(crc32c(head)), mask(payload_crc)) + payload
    return framed + b"\0" * (-len(framed) % 8)


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "fuzz_wal")
    os.makedirs(out, exist_ok=True)
    two = record(1, b"header-ish") + record(2, b"entries" * 5)
    seeds = {
        "empty-segment": b"\0",
        "empty-snapshot": b"\1",
        "two-records": b"\0" + two,
        "two-records-both-files": b"\2" + two,
        "snapshot-records": b"\1" + record(16, b"h") + record(17, b"pairs") + record(19, b"end"),
        "cut-short": b"\0" + two + record(2, b"x" * 40)[:30],
        "zero-tail": b"\0" + two + b"\0" * 64,
        "bad-checksum-tail": b"\0" + two + record(2, b"abc")[:-8] + b"\xff" * 8,
        "damage-then-record": b"\0" + record(1, b"a") + b"\x13" * 24 + record(2, b"b"),
        "unknown-type": b"\0" + record(77, b"?"),
    }
    for path in sys.argv[1:]:
        with open(path, "rb") as f:
            data = f.read()
        selector = b"\1" if os.path.basename(path).startswith("snapshot") else b"\0"
        seeds["real-" + os.path.basename(path)] = selector + data
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print(f"wrote {len(seeds)} seeds to {out}")


if __name__ == "__main__":
    main()
