#!/usr/bin/env python3
"""Turns one run of bench/run_bench.sh into its report.

Reads RUN/machine.json, RUN/raw.jsonl (one line per measurement: system,
workload, config, round, ops_per_s, latency_us), and when present
RUN/micro.json (Google Benchmark), RUN/failover.json (failover_bench),
RUN/redis-memory.json and RUN/fsyncs.jsonl (per tuplestar cluster: its nodes'
fdatasyncs and log entries, from the counters each tsnode logs at exit). Writes OUT.md (the markdown table, the failover /
resync / memory figures, each target met or missed and by how much), OUT.json
(everything, summarised and raw) and OUT.png (ops/s by config, gnuplot).

Ratios are taken per round between measurements made back to back, then
averaged: on a shared, loaded machine the ratio of neighbours is steadier
than either figure."""
import argparse
import json
import os
import shutil
import statistics
import subprocess

SYSTEMS = [("tuplestar", "tuplestar (CURVE, --sync always)"), ("tuplestar-nosync", "tuplestar --sync none (CURVE)"),
           ("tuplestar-insecure", "tuplestar --insecure (--sync always)"),
           ("ceiling", "ceiling (echo_node)"), ("redis", "Redis + replica (asynchronous)"),
           ("redis-wait", "Redis + replica, WAIT 1 0 per round of SETs"),
           ("etcd", "etcd 3.4, 3 members (JSON gateway)")]
WORKLOADS = [("write", "writes (1 pair per PUT / SET)"), ("read", "reads (GET of one key)")]


def load_json(path, default=None):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return default


def fmt_int(x):
    return "—" if x is None else f"{x:,.0f}"


def fmt_us(x):
    if x is None:
        return "—"
    return f"{x / 1000:.2f} ms" if x >= 1000 else f"{x:.0f} µs"


def fmt_ratio(x):
    return "—" if x is None else f"{x:.2f}"


def summarise(raw):
    """(workload, config) -> system -> {rounds: {round: ops}, ops, p50, p99}."""
    table = {}
    for m in raw:
        cell = table.setdefault((m["workload"], m["config"]), {}).setdefault(
            m["system"], {"rounds": {}, "p50": [], "p99": [], "errors": 0})
        cell["rounds"][m["round"]] = m.get("ops_per_s", 0) or 0
        lat = m.get("latency_us") or {}
        if lat.get("p50") is not None:
            cell["p50"].append(lat["p50"])
            cell["p99"].append(lat["p99"])
        cell["errors"] += m.get("errors", 0) or 0
    for cells in table.values():
        for cell in cells.values():
            cell["ops"] = statistics.mean(cell["rounds"].values()) if cell["rounds"] else None
            cell["p50"] = statistics.mean(cell["p50"]) if cell["p50"] else None
            cell["p99"] = statistics.mean(cell["p99"]) if cell["p99"] else None
        ts = cells.get("tuplestar")
        for other in ("ceiling", "redis", "redis-wait", "etcd", "tuplestar-nosync", "tuplestar-insecure"):
            ratios = []
            if ts and other in cells:
                for rnd, ops in ts["rounds"].items():
                    base = cells[other]["rounds"].get(rnd)
                    if base:
                        ratios.append(ops / base)
            if ts:
                ts["vs_" + other] = statistics.mean(ratios) if ratios else None
    return table


def configs_in_order(raw):
    seen = []
    for m in raw:
        if m["config"] not in seen:
            seen.append(m["config"])
    return seen


def verdict(ok, text):
    """ok: True met, False missed, None not measured as the target asks (a shorter run)."""
    return ("not judged" if ok is None else "met" if ok else "**missed**") + " — " + text


def load_jsonl(path):
    try:
        with open(path) as f:
            return [json.loads(line) for line in f if line.strip()]
    except (OSError, ValueError):
        return []


def targets(table, failover, redis_mem):
    lines = []
    write = table.get(("write", "8x16"), {}).get("tuplestar", {})
    r = write.get("vs_tuplestar-nosync")
    if r is not None:
        lines.append(("durable writes at 8×16 ≥ 0.85 × --sync none (issue 10)", verdict(r >= 0.85, f"{r:.2f} × --sync none" +
                      ("" if r >= 0.85 else f" ({(0.85 - r) / 0.85:.0%} short of 0.85)"))))
    r = write.get("vs_etcd")
    if r is not None:
        lines.append(("durable writes at 8×16 ≥ 3 × etcd (issue 15)", verdict(r >= 3.0, f"{r:.2f} × etcd")))
    r = write.get("vs_redis-wait")
    if r is not None:
        lines.append(("durable writes at 8×16 ≥ 1.0 × Redis + WAIT (issue 15)", verdict(r >= 1.0, f"{r:.2f} × Redis + WAIT" +
                      ("" if r >= 1.0 else f" (Redis + WAIT is {1 / r:.1f}× faster)"))))
    r = write.get("vs_ceiling")
    if r is not None:
        lines.append(("writes at 8×16 ≥ 0.6 × ceiling (issue 15)", verdict(r >= 0.6, f"{r:.2f} × ceiling" +
                      ("" if r >= 0.6 else f" ({(0.6 - r) / 0.6:.0%} short of 0.6)"))))
    r = table.get(("read", "8x16"), {}).get("tuplestar", {}).get("vs_ceiling")
    if r is not None:
        lines.append(("reads at 8×16 ≥ 0.9 × ceiling (issue 15)", verdict(r >= 0.9, f"{r:.2f} × ceiling")))
    one = table.get(("write", "1x1"), {})
    ours, ceiling = (one.get("tuplestar") or {}).get("p50"), (one.get("ceiling") or {}).get("p50")
    if ours and ceiling:
        lines.append(("1×1 write p50 ≤ 2 × the ceiling's (issue 15)", verdict(ours <= 2 * ceiling,
                      f"{fmt_us(ours)} vs {fmt_us(ceiling)} ({ours / ceiling:.1f}×)")))
    r = write.get("vs_tuplestar-insecure")
    if r is not None:
        lines.append(("writes at 8×16 with CURVE ≥ 0.8 × --insecure", verdict(r >= 0.8, f"{r:.2f} × plain text")))
    r = write.get("vs_redis")
    if r is not None:
        lines.append(("writes at 8×16 against asynchronous Redis (no target: it acknowledges before the replica has it)",
                      f"{r:.2f} × Redis"))
    kill = (failover or {}).get("kill_loop") or {}
    dist = kill.get("failover_ms") or {}
    if dist:
        lines.append(("median failover ≤ 500 ms", verdict(dist["median"] <= 500, f"{dist['median']:.0f} ms" +
                      ("" if dist["median"] <= 500 else f" ({dist['median'] - 500:.0f} ms over)"))))
        lines.append(("p90 failover ≤ 1 s", verdict(dist["p90"] <= 1000, f"{dist['p90']:.0f} ms")))
    sat = (failover or {}).get("saturated") or {}
    if "false_failovers" in sat:
        n, secs = sat["false_failovers"], sat["seconds"]
        lines.append(("no false failover in 5 saturated minutes",
                      verdict(False if n else (True if secs >= 300 else None), f"{n} in a {secs:.0f} s saturated run" +
                              ("" if secs >= 300 else " (shorter than the target's 5 min: TS_BENCH_SATURATED_S=300)"))))
    resync = (failover or {}).get("resync") or {}
    if "spawn_to_in_sync_ms" in resync:
        ms, pairs = resync["spawn_to_in_sync_ms"], resync["pairs"]
        short = "" if pairs >= 1_000_000 else " (fewer pairs than the target's 1,000,000: not a verdict)"
        lines.append((f"resync of 1,000,000 pairs ≤ 2 s", verdict((ms <= 2000) if pairs >= 1_000_000 else None,
                      f"{ms / 1000:.2f} s for {pairs:,} pairs" + short +
                      ("" if ms <= 2000 else f" ({(ms - 2000) / 1000:.2f} s over)"))))
    mem = resync.get("memory") or {}
    if mem and redis_mem:
        ours, theirs = mem["fresh_backup_bytes_per_pair"], redis_mem["bytes_per_pair"]
        lines.append(("memory per pair ≤ Redis's", verdict(ours <= theirs, f"{ours:.0f} B vs Redis {theirs:.0f} B" +
                      ("" if ours <= theirs else f" ({ours / theirs:.1f}×)"))))
    return lines


def markdown(machine, table, configs, failover, redis_mem, micro, fsyncs, raw=()):
    out = []
    out.append(f"### Throughput — {machine['date_utc']}, {machine['nproc']} cores (nproc), Linux {machine['kernel']}, "
               f"load average at start {machine['loadavg'][0]:.1f}")
    out.append("")
    out.append(f"{machine['rounds']} alternating round(s) of {machine['duration_s']:g} s per measurement; "
               f"tuplestar = tsbroker + 3 tsnode, writes acknowledged after both backups applied them "
               f"(--min-acks {machine['min_acks']}) and each of the three wrote them to its log, fdatasynced "
               f"(--sync always, the default) or not (--sync none, writes only); values {machine['value_size']} bytes, reads over "
               f"{machine['key_space']:,} preloaded keys. Ratios are per round, back to back, then averaged.")
    out.append("")
    out.append("| workload | clients×depth | system | ops/s | p50 | p99 | tuplestar/ceiling | tuplestar/Redis + WAIT "
               "| tuplestar/etcd | tuplestar/Redis async | always/none |")
    out.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for workload, wname in WORKLOADS:
        for config in configs:
            cells = table.get((workload, config), {})
            for system, sname in SYSTEMS:
                cell = cells.get(system)
                if not cell:
                    continue
                vs_c = fmt_ratio(cell.get("vs_ceiling")) if system == "tuplestar" else ""
                vs_r = fmt_ratio(cell.get("vs_redis")) if system == "tuplestar" else ""
                vs_w = fmt_ratio(cell.get("vs_redis-wait")) if system == "tuplestar" else ""
                vs_e = fmt_ratio(cell.get("vs_etcd")) if system == "tuplestar" else ""
                vs_n = fmt_ratio(cell.get("vs_tuplestar-nosync")) if system == "tuplestar" else ""
                errors = f" ({cell['errors']} errors)" if cell["errors"] else ""
                out.append(f"| {wname} | {config.replace('x', '×')} | {sname} | {fmt_int(cell['ops'])}{errors} | "
                           f"{fmt_us(cell['p50'])} | {fmt_us(cell['p99'])} | {vs_c} | {vs_w} | {vs_e} | {vs_r} | {vs_n} |")
    methods = {}
    for m in raw:
        if m.get("method"):
            methods.setdefault(m["system"], {})[m["workload"]] = m["method"]
    if methods:
        out.append("")
        for system, by_workload in methods.items():
            for workload, method in sorted(by_workload.items()):
                out.append(f"- {dict(SYSTEMS).get(system, system)}, {workload}s: {method}")
    if fsyncs:
        out.append("")
        for f in fsyncs:
            per = f.get("fdatasyncs_per_write")
            out.append(f"- {dict(SYSTEMS).get(f['system'], f['system'])}: {f['fdatasyncs']:,} fdatasyncs over its "
                       f"{f['nodes_counted']} nodes for {f['log_entries']:,} acknowledged writes (log entries, the "
                       f"preload's batches included): **{'—' if per is None else f'{per:.3f}'} fdatasyncs per "
                       f"acknowledged write** (from the counters each tsnode logs at exit)")
    if failover:
        out.append("")
        out.append(f"### Failover, resync, memory — failover_bench ({failover.get('nodes')} nodes, heartbeat "
                   f"{failover.get('heartbeat_ms')} ms × {failover.get('liveness')}, {failover.get('writers')} writers × "
                   f"{failover.get('depth')} in flight)")
        out.append("")
        kill = failover.get("kill_loop") or {}
        dist = kill.get("failover_ms") or {}
        if dist:
            out.append(f"- kill -9 of the primary under a steady write load, {kill.get('completed')} of {kill.get('kills')} "
                       f"rounds recovered: kill → first acknowledged write min {dist['min']:.0f} ms, median "
                       f"{dist['median']:.0f} ms, p90 {dist['p90']:.0f} ms, max {dist['max']:.0f} ms")
        if kill.get("error"):
            out.append(f"- kill loop stopped early: {kill['error']}")
        sat = failover.get("saturated") or {}
        if sat:
            out.append(f"- fault-free saturated write run of {sat.get('seconds', 0):.0f} s: {sat.get('acks_per_s', 0):,.0f} "
                       f"acked writes/s, {sat.get('false_failovers', '?')} term changes (false failovers)")
        resync = failover.get("resync") or {}
        if "spawn_to_in_sync_ms" in resync:
            out.append(f"- a fresh backup resynchronises {resync['pairs']:,} pairs in {resync['spawn_to_in_sync_ms'] / 1000:.2f} s "
                       f"(process start → it reports itself in sync; ±{resync.get('heartbeat_ms', 100)} ms heartbeat resolution)")
        elif resync.get("error"):
            out.append(f"- resync: {resync['error']}")
        mem = resync.get("memory") or {}
        if mem:
            text = (f"- resident memory (VmRSS) holding {resync['pairs']:,} pairs of 16-byte keys and values: a backup "
                    f"{mem['fresh_backup_kib'] / 1024:.0f} MiB ({mem['fresh_backup_bytes_per_pair']:.0f} B/pair over an empty "
                    f"node's {mem['empty_node_kib'] / 1024:.0f} MiB), the primary {mem['primary_kib'] / 1024:.0f} MiB "
                    f"(with its recent log)")
            if redis_mem:
                text += (f"; Redis {redis_mem['full_kib'] / 1024:.0f} MiB ({redis_mem['bytes_per_pair']:.0f} B/pair, "
                         f"used_memory {redis_mem['used_memory_bytes'] / 2**20:.0f} MiB)")
            out.append(text)
    lines = targets(table, failover, redis_mem)
    if lines:
        out.append("")
        out.append("### Targets (issues 5, 10 and 15)")
        out.append("")
        out.append("| target | result |")
        out.append("|---|---|")
        for name, result in lines:
            out.append(f"| {name} | {result} |")
    if micro and micro.get("benchmarks"):
        out.append("")
        out.append("### Micro-benchmarks (ts_microbench)")
        out.append("")
        out.append("| benchmark | time per iteration |")
        out.append("|---|---:|")
        for b in micro["benchmarks"]:
            if b.get("run_type", "iteration") != "iteration":
                continue
            out.append(f"| {b['name']} | {b['real_time']:,.3f} {b.get('time_unit', 'ns')} |")
    return "\n".join(out) + "\n"


def chart(out_png, machine, table, configs, run_dir):
    if not shutil.which("gnuplot"):
        return "gnuplot is not installed: no chart"
    data = os.path.join(run_dir, "chart.dat")
    systems = [s for s, _ in SYSTEMS if any(s in cells for cells in table.values())]
    with open(data, "w") as f:
        f.write("# config " + " ".join(systems) + "\n")
        for workload, _ in WORKLOADS:
            for config in configs:
                cells = table.get((workload, config), {})
                values = [cells.get(s, {}).get("ops") or 0 for s in systems]
                # NaN: not measured (--sync none has no reads), a gap rather than a 0 on a log scale
                f.write(f"\"{workload} {config}\" " + " ".join(f"{v:.1f}" if v else "NaN" for v in values) + "\n")
    rows = len(WORKLOADS) * len(configs)
    titles = dict(SYSTEMS)
    plots = ", ".join(f"'{data}' using {i + 2}:xtic(1) title '{titles[s]}'" for i, s in enumerate(systems))
    script = f"""
set terminal pngcairo size 1000,560 noenhanced
set output '{out_png}'
set title 'ops/s by clients x depth — {machine['date_utc']}, {machine['nproc']} cores'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set logscale y
set yrange [100:*]
set xrange [-0.6:{rows - 0.4}]
set ylabel 'ops/s (log scale)'
set grid ytics
set key top left
set xtics rotate by -20
plot {plots}
"""
    result = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True)
    return "" if result.returncode == 0 else "gnuplot failed: " + result.stderr.strip()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--run", required=True, help="run_bench.sh's work directory")
    parser.add_argument("--out", required=True, help="output path without extension")
    args = parser.parse_args()
    machine = load_json(os.path.join(args.run, "machine.json"), {})
    raw = []
    with open(os.path.join(args.run, "raw.jsonl")) as f:
        raw = [json.loads(line) for line in f if line.strip()]
    failover = load_json(os.path.join(args.run, "failover.json"))
    redis_mem = load_json(os.path.join(args.run, "redis-memory.json"))
    micro = load_json(os.path.join(args.run, "micro.json"))
    fsyncs = load_jsonl(os.path.join(args.run, "fsyncs.jsonl"))
    table = summarise(raw)
    configs = configs_in_order(raw)
    text = markdown(machine, table, configs, failover, redis_mem, micro, fsyncs, raw)
    with open(args.out + ".md", "w") as f:
        f.write(text)
    summary = [{"workload": w, "config": c, "system": s, "ops_per_s": cell["ops"], "p50_us": cell["p50"],
                "p99_us": cell["p99"], "vs_ceiling": cell.get("vs_ceiling"), "vs_redis": cell.get("vs_redis"),
                "vs_redis_wait": cell.get("vs_redis-wait"), "vs_etcd": cell.get("vs_etcd"),
                "vs_sync_none": cell.get("vs_tuplestar-nosync"),
                "vs_insecure": cell.get("vs_tuplestar-insecure"),
                "ops_per_s_by_round": cell["rounds"]}
               for (w, c), cells in table.items() for s, cell in cells.items()]
    with open(args.out + ".json", "w") as f:
        json.dump({"machine": machine, "summary": summary, "targets": dict(targets(table, failover, redis_mem)),
                   "failover": failover, "redis_memory": redis_mem, "fsyncs": fsyncs, "raw": raw, "micro": micro},
                  f, indent=1)
    note = chart(args.out + ".png", machine, table, configs, args.run)
    if note:
        print(f"[bench] {note}")


if __name__ == "__main__":
    main()
