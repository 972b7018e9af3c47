#!/usr/bin/env python3
"""Reads redis-benchmark --csv output on stdin (one test) and prints either its
ops/s (--rate) or a JSON object shaped like tsbench's (--json): ops_per_s and
latency_us {mean, min, p50, p95, p99, max}. Exits 1 with a message when the
CSV has no result row."""
import argparse
import csv
import json
import sys


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", action="store_true")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--clients", type=int, default=0)
    parser.add_argument("--depth", type=int, default=0)
    parser.add_argument("--requests", type=int, default=0)
    args = parser.parse_args()
    rows = [row for row in csv.DictReader(sys.stdin) if row.get("test")]
    if not rows:
        sys.exit("redis_csv.py: no result row in the redis-benchmark output")
    row = rows[-1]
    rps = float(row["rps"])
    if args.rate:
        print(rps)
        return
    micros = lambda name: round(float(row[name]) * 1000.0, 3) if row.get(name) else None
    print(json.dumps({
        "tool": "redis-benchmark",
        "test": row["test"],
        "clients": args.clients,
        "depth": args.depth,
        "requests": args.requests,
        "ops_per_s": rps,
        "latency_us": {
            "mean": micros("avg_latency_ms"),
            "min": micros("min_latency_ms"),
            "p50": micros("p50_latency_ms"),
            "p95": micros("p95_latency_ms"),
            "p99": micros("p99_latency_ms"),
            "max": micros("max_latency_ms"),
        },
        "errors": 0,
    }))


if __name__ == "__main__":
    main()
