#!/usr/bin/env python3
"""bench/scaling_report.py: run_scaling.sh's figures as one table and one chart.

Reads RUN/machine.json and RUN/scaling.jsonl (one line per measurement: the
section — nodes, values or pairs —, the cluster, the workload and tsbench's
JSON, or the preload's, resync's and recovery's figures). Writes OUT.md (the
table, the targets of issue 15 met or missed and by how much), OUT.json
(summary and raw lines) and OUT.png (six panels, gnuplot).

Throughput of clusters measured in alternating rounds is the mean over rounds;
the 5-node/3-node ratio is taken per round between neighbours, then averaged."""
import argparse
import json
import os
import shutil
import statistics
import subprocess


def load_jsonl(path):
    try:
        with open(path) as f:
            return [json.loads(line) for line in f if line.strip()]
    except OSError:
        return []


def fmt(x, digits=0):
    if x is None:
        return "—"
    return f"{x:,.{digits}f}"


def fmt_us(x):
    if x is None:
        return "—"
    return f"{x / 1000:,.2f} ms" if x >= 1000 else f"{x:,.0f} µs"


def mean(values):
    values = [v for v in values if v is not None]
    return statistics.mean(values) if values else None


def throughput(lines, **match):
    """Mean ops/s, p50, p99 (µs) and rounds over the lines matching every field."""
    found = [m for m in lines if all(m.get(k) == v for k, v in match.items())]
    if not found:
        return None
    lat = [m.get("latency_us") or {} for m in found]
    return {"ops": mean([m.get("ops_per_s") for m in found]), "p50": mean([l.get("p50") for l in lat]),
            "p99": mean([l.get("p99") for l in lat]), "errors": sum(m.get("errors", 0) for m in found),
            "failed": any(m.get("failed") for m in found),
            "rounds": {m.get("round", 1): m.get("ops_per_s") for m in found}}


def per_round_ratio(a, b):
    if not a or not b:
        return None
    ratios = [a["rounds"][r] / b["rounds"][r] for r in a["rounds"] if r in b["rounds"] and b["rounds"][r]]
    return mean(ratios)


def majority_backups(nodes):
    return nodes // 2


def summarise(lines):
    nodes_lines = [m for m in lines if m.get("section") == "nodes"]
    value_lines = [m for m in lines if m.get("section") == "values"]
    pair_lines = [m for m in lines if m.get("section") == "pairs"]
    summary = {"nodes": [], "values": [], "pairs": []}
    for count in sorted({m["nodes"] for m in nodes_lines}):
        row = {"nodes": count, "backups_acked": majority_backups(count)}
        for workload in ("write", "read"):
            row[workload] = throughput(nodes_lines, nodes=count, workload=workload)
        summary["nodes"].append(row)
    base = next((r for r in summary["nodes"] if r["nodes"] == 3), None)
    for row in summary["nodes"]:
        for workload in ("write", "read"):
            row[f"{workload}_vs_3"] = per_round_ratio(row[workload], base[workload]) if base else None
    for size in sorted({m["value_bytes"] for m in value_lines}):
        row = {"value_bytes": size}
        for workload in ("write", "read"):
            cell = throughput(value_lines, value_bytes=size, workload=workload)
            if cell and cell["ops"] is not None:
                cell["mb_per_s"] = cell["ops"] * size / 1e6
            row[workload] = cell
        summary["values"].append(row)
    for pairs in sorted({m["pairs"] for m in pair_lines}):
        row = {"pairs": pairs}
        for workload in ("write", "read", "get-regex", "get-scan"):
            row[workload] = throughput(pair_lines, pairs=pairs, workload=workload)
        preload = next((m for m in pair_lines if m["pairs"] == pairs and m["workload"] == "preload"), None)
        if preload and preload.get("failed"):
            row["preload_failed"] = {"after_s": preload.get("after_s"), "primaries_elected": preload.get("primaries_elected")}
        elif preload:
            p = preload.get("preload") or {}
            row["preload_s"] = p.get("seconds")
            row["preload_pairs_per_s"] = p["added"] / p["seconds"] if p.get("seconds") else None
            before, after = preload.get("rss_before_kib") or {}, preload.get("rss_after_kib") or {}
            per_node = {n: (after[n] - before[n]) * 1024 / pairs for n in after
                        if after.get(n) is not None and before.get(n) is not None}
            row["bytes_per_pair_by_node"] = per_node
            row["bytes_per_pair"] = max(per_node.values()) if per_node else None
            row["bytes_per_pair_min"] = min(per_node.values()) if per_node else None
            row["rss_after_kib"] = after
        resync = next((m for m in pair_lines if m["pairs"] == pairs and m["workload"] == "resync"), None)
        if resync:
            row["resync_s"] = resync["kill_to_in_sync_ms"] / 1000
            row["resync_from_restart_s"] = resync["restart_to_in_sync_ms"] / 1000
        recovery = next((m for m in pair_lines if m["pairs"] == pairs and m["workload"] == "recovery"), None)
        if recovery:
            row["recovery_s"] = recovery["kill_to_first_ack_ms"] / 1000
            row["recovered_last_key"] = recovery.get("check_key_read_back")
        summary["pairs"].append(row)
    return summary


def verdict(ok, text):
    return ("met" if ok else "**missed**") + f": {text}"


def targets(summary):
    out = []
    five = next((r for r in summary["nodes"] if r["nodes"] == 5), None)
    if five:
        for workload in ("write", "read"):
            ratio = five.get(f"{workload}_vs_3")
            if ratio is not None:
                out.append((f"{workload}s at 5 nodes ≥ 0.8 × at 3 (issue 15)",
                            verdict(ratio >= 0.8, f"{ratio:.2f}×" + ("" if ratio >= 0.8 else f", {0.8 - ratio:.2f} short"))))
    by_pairs = {r["pairs"]: r for r in summary["pairs"]}
    one, ten = by_pairs.get(1_000_000, {}).get("bytes_per_pair"), by_pairs.get(10_000_000, {}).get("bytes_per_pair")
    if one is not None and ten is not None:
        out.append(("memory per pair at 10,000,000 ≤ at 1,000,000 (issue 15)",
                    verdict(ten <= one, f"{ten:,.0f} B against {one:,.0f} B" +
                            ("" if ten <= one else f" ({ten / one - 1:.0%} more)"))))
    return out


def markdown(machine, summary):
    out = [f"### Scaling — {machine.get('date_utc', '?')}, {machine.get('nproc', '?')} cores, "
           f"load average {', '.join(f'{x:.1f}' for x in machine.get('loadavg_start', []))} at the start, "
           f"{', '.join(f'{x:.1f}' for x in machine.get('loadavg_end', []))} at the end", ""]
    out.append(f"Command: `{machine.get('command', 'bench/run_scaling.sh')}`. Every cluster: tsbroker + tsnode "
               "via the launcher, CURVE, `--sync always`, majority acknowledgements (no `--min-acks`: a write waits "
               "for nodes/2 backups). Throughput at clients×depth "
               f"{machine.get('config', '8x16')}, {machine.get('duration_s')} s windows after "
               f"{machine.get('warmup_s')} s warm-up; writes are put-new of one 16-byte key, reads a GET of one key.")
    out.append("")
    out.append("| part | what | config | ops/s | MB/s | p50 | p99 | bytes/pair | seconds |")
    out.append("|---|---|---|---:|---:|---:|---:|---:|---:|")
    config = machine.get("config", "8x16")

    def row(part, what, cfg, cell=None, mb=None, bpp=None, secs=None):
        cell = cell or {}
        ops = fmt(cell.get("ops")) if cell else "—"
        if cell.get("failed"):
            ops += " (failed)"
        out.append(f"| {part} | {what} | {cfg} | {ops} | {fmt(mb, 1)} | {fmt_us(cell.get('p50'))} | "
                   f"{fmt_us(cell.get('p99'))} | {fmt(bpp)} | {fmt(secs, 2)} |")

    for r in summary["nodes"]:
        for workload in ("write", "read"):
            ratio = r.get(f"{workload}_vs_3")
            note = "" if r["nodes"] == 3 or ratio is None else f" ({ratio:.2f}× 3 nodes)"
            row("nodes", f"{workload}s, {r['nodes']} nodes{note}",
                f"{config}, acks from {r['backups_acked']} of {r['nodes'] - 1} backups, "
                f"{machine.get('node_keys'):,} keys, 16 B", r[workload])
    for r in summary["values"]:
        for workload in ("write", "read"):
            cell = r[workload] or {}
            row("values", f"{workload}s, {r['value_bytes']:,} B values", f"{config}, 3 nodes, "
                f"{machine.get('value_keys'):,} keys, {(r['value_bytes'] + 255) // 256} element(s)",
                cell, cell.get("mb_per_s"))
    for r in summary["pairs"]:
        n = f"{r['pairs']:,} pairs"
        if "preload_failed" in r:
            f = r["preload_failed"]
            row("pairs", f"{n}: **the preload did not complete** ({f.get('primaries_elected')} primaries elected "
                "meanwhile; nothing else measured at this size)", "3 nodes, 16 B keys and values",
                None, None, None, f.get("after_s"))
        if "preload_s" in r:
            least = r.get("bytes_per_pair_min")
            row("pairs", f"{n}: preload (1,000 pairs per PUT, 4 in flight); bytes/pair of the largest tsnode"
                + ("" if least is None else f" (smallest: {least:,.0f})"), "3 nodes, 16 B keys and values",
                {"ops": r.get("preload_pairs_per_s")}, None, r.get("bytes_per_pair"), r.get("preload_s"))
        if "preload_failed" in r:
            continue
        for workload, label in (("write", "writes"), ("read", "reads")):
            row("pairs", f"{n}: {label}", f"{config}, 3 nodes", r.get(workload))
        row("pairs", f"{n}: get-regex (literal prefix, ≤ 10 matches)", "1x1, 3 nodes", r.get("get-regex"))
        row("pairs", f"{n}: get-scan (no literal prefix: every key matched)", "1x1, 3 nodes", r.get("get-scan"))
        if "resync_s" in r:
            row("pairs", f"{n}: resync of a backup that lost its data (kill -9 to in sync)",
                f"3 nodes; {r['resync_from_restart_s']:.2f} s of it after the restart", None, None, None, r["resync_s"])
        if "recovery_s" in r:
            back = "" if r.get("recovered_last_key") else "; **the last key was not read back**"
            row("pairs", f"{n}: recovery (kill -9 every node to the first acknowledged write)",
                f"3 nodes, each replays its own log{back}", None, None, None, r["recovery_s"])
    out.append("")
    out.append("Notes: values stop at 16 KiB, the space's limit (nodes/space/space.h SpaceLimits: 64 elements of "
               "256 bytes per tuple; tsbench cuts a value into 256-byte elements), not at the issue's 64 KiB. "
               "bytes/pair is the largest over the three tsnodes of (RSS after the preload − RSS before) / pairs, "
               "RSS from /proc/PID/status once the backups caught up. get-regex is tsbench's `k<14 digits>\\d` "
               "(the space walks only the range of its literal prefix); get-scan replaces the leading `k` by `.`, so "
               "the space matches every key: the cost of a full-regex GET. Resync and recovery times are seen "
               f"through the broker's status, polled every {machine.get('poll_s')} s; the supervisor restarts a "
               "dead node after 500 ms (doubling for one restarted again). The pairs steps run one after another "
               "on a fresh cluster each, not alternated.")
    lines = targets(summary)
    if lines:
        out.append("")
        out.append("Targets:")
        for what, result in lines:
            out.append(f"- {what}: {result}")
    return "\n".join(out) + "\n"


def chart(out_png, machine, summary, run_dir):
    if not shutil.which("gnuplot"):
        return "gnuplot is not installed: no chart"

    def write(name, header, rows):
        path = os.path.join(run_dir, name)
        with open(path, "w") as f:
            f.write("# " + header + "\n")
            for r in rows:
                f.write(" ".join("NaN" if v is None else f"{v}" for v in r) + "\n")
        return path

    def ops(cell):
        return None if not cell else cell.get("ops")

    def p50(cell):
        return None if not cell else cell.get("p50")

    nodes = write("scaling-nodes.dat", "nodes write read",
                  [(r["nodes"], ops(r["write"]), ops(r["read"])) for r in summary["nodes"]])
    values = write("scaling-values.dat", "bytes write_mb read_mb",
                   [(r["value_bytes"], (r["write"] or {}).get("mb_per_s"), (r["read"] or {}).get("mb_per_s"))
                    for r in summary["values"]])
    pairs = write("scaling-pairs.dat", "pairs write read regex_p50 scan_p50 bytes_per_pair resync recovery preload",
                  [(r["pairs"], ops(r.get("write")), ops(r.get("read")), p50(r.get("get-regex")),
                    p50(r.get("get-scan")), r.get("bytes_per_pair"), r.get("resync_s"), r.get("recovery_s"),
                    r.get("preload_pairs_per_s")) for r in summary["pairs"]])
    title = f"tuplestar scaling — {machine.get('date_utc', '')}, {machine.get('nproc', '?')} cores"
    script = f"""
set terminal pngcairo size 1260,860 noenhanced
set output '{out_png}'
set multiplot layout 2,3 title '{title}'
set grid
set key below horizontal samplen 2
set offsets graph 0.05, graph 0.05, graph 0.05, 0
set style data linespoints
set title 'throughput by nodes ({machine.get('config')})'
set xlabel 'nodes'
set ylabel 'ops/s'
set yrange [0:*]
set xtics 1
plot '{nodes}' using 1:2 title 'writes' pt 7, '' using 1:3 title 'reads' pt 5
set title 'throughput by stored pairs'
set logscale x
set xtics auto
set xlabel 'pairs'
plot '{pairs}' using 1:2 title 'writes' pt 7, '' using 1:3 title 'reads' pt 5, '' using 1:9 title 'preload pairs/s' pt 9
set title 'MB/s by value size ({machine.get('config')})'
set xlabel 'bytes per value'
set ylabel 'MB/s'
plot '{values}' using 1:2 title 'writes' pt 7, '' using 1:3 title 'reads' pt 5
set title 'GET latency p50 by stored pairs (1x1)'
set xlabel 'pairs'
set ylabel 'µs (log)'
set logscale y
set yrange [*:*]
plot '{pairs}' using 1:4 title 'get-regex (prefix)' pt 7, '' using 1:5 title 'get-scan (every key)' pt 5
unset logscale y
set yrange [0:*]
set title 'memory per pair (RSS)'
set ylabel 'bytes'
plot '{pairs}' using 1:6 title 'largest tsnode' pt 7
set title 'resync and recovery'
set ylabel 'seconds'
plot '{pairs}' using 1:7 title 'resync (backup lost its data)' pt 7, '' using 1:8 title 'recovery (all killed)' pt 5
unset multiplot
"""
    result = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True)
    return "" if result.returncode == 0 else "gnuplot failed: " + result.stderr.strip()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--run", required=True, help="run_scaling.sh's work directory")
    parser.add_argument("--out", required=True, help="output path without extension")
    args = parser.parse_args()
    try:
        with open(os.path.join(args.run, "machine.json")) as f:
            machine = json.load(f)
    except (OSError, ValueError):
        machine = {}
    lines = load_jsonl(os.path.join(args.run, "scaling.jsonl"))
    summary = summarise(lines)
    text = markdown(machine, summary)
    if os.path.exists(os.path.join(args.run, "stopped-early.json")):
        machine["stopped_early"] = True
        text = ("**This run stopped early** (a step failed or it was interrupted; the log is in "
                f"{args.run}): only the rows below were measured.\n\n") + text
    problem = chart(args.out + ".png", machine, summary, args.run)
    if problem:
        text += f"\n({problem})\n"
    else:
        text += f"\nChart: {os.path.basename(args.out)}.png\n"
    with open(args.out + ".md", "w") as f:
        f.write(text)
    with open(args.out + ".json", "w") as f:
        json.dump({"machine": machine, "summary": summary, "targets": targets(summary), "raw": lines}, f, indent=1)


if __name__ == "__main__":
    main()
