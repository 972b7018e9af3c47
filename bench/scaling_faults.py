#!/usr/bin/env python3
"""bench/scaling_faults.py: run_scaling.sh's timed faults on a launcher cluster.

One process does the fault and the waiting, so the times are its own clock's
(a shell polling through python3 and tsctl would add seconds on a loaded
machine). The broker's view comes from `tsctl --json status`; every wait has
a deadline (--timeout-s), past which the command prints what it last saw and
exits 1. Prints one JSON object on stdout.

  in-sync   wait until every node is live with lag 0 and a primary is known;
  resync    kill -9 a backup, rename its DIR/node-ID.data away (at once, before
            the supervisor's restart), wait for the restarted process, then
            until the broker shows it a live backup with lag 0 at the primary's
            position, heard after the restart (not the broker's memory of the
            old process);
  recovery  kill -9 every node, then PUT a fresh key until one is acknowledged
            (the first acknowledged write), then read back --check-key."""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time


def tsctl(args, *words, timeout_ms):
    command = [args.tsctl, "--broker", args.broker, "--key", args.key, "--timeout-ms", str(timeout_ms),
               "--retries", "0", "--json", *words]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_ms / 1000 + 5)
    except subprocess.TimeoutExpired:
        return None, None
    line = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    try:
        return done.returncode, json.loads(line) if line else None
    except ValueError:
        return done.returncode, None


def key_of(pair):
    """tsctl --json writes a pair as {"key": .., "value": ..} or [key, value]; a one-element key may be a list."""
    key = pair.get("key") if isinstance(pair, dict) else (pair[0] if pair else None)
    return key[0] if isinstance(key, list) and len(key) == 1 else key


def heard_ms(text):
    m = re.match(r"([0-9.]+) (ms|s|min) ago", text or "")
    return None if not m else float(m[1]) * {"ms": 1, "s": 1000, "min": 60000}[m[2]]


def status(args):
    _, reply = tsctl(args, "status", timeout_ms=args.probe_timeout_ms)
    if not reply or "nodes" not in reply:
        return None
    now = time.time() * 1000
    nodes = {}
    for n in reply["nodes"]:
        heard = heard_ms(n.get("heard"))
        nodes[n["id"]] = {"role": n.get("role"), "applied": n.get("applied") or 0, "lag": n.get("lag"),
                          "live": bool(n.get("live")), "heard_at_ms": None if heard is None else now - heard}
    return {"primary": (reply.get("broker") or {}).get("primary"), "nodes": nodes}


def pid_of(args, node):
    try:
        with open(os.path.join(args.dir, "run", f"node-{node}.pid")) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except OSError:
        return False


def wait(args, condition, what):
    deadline = time.monotonic() + args.timeout_s
    last = None
    while time.monotonic() < deadline:
        ok, last = condition()
        if ok:
            return last
        time.sleep(args.poll_s)
    print(json.dumps({"error": f"{what}: not within {args.timeout_s} s", "last_seen": last}))
    sys.exit(1)


def all_in_sync(args):
    def check():
        s = status(args)
        ok = bool(s and s["primary"] and len(s["nodes"]) == args.nodes and
                  all(n["live"] and n["lag"] == 0 for n in s["nodes"].values()))
        return ok, s
    return wait(args, check, "every node live with lag 0")


def cmd_in_sync(args):
    started = time.monotonic()
    s = all_in_sync(args)
    print(json.dumps({"waited_ms": round((time.monotonic() - started) * 1000), "status": s}))


def cmd_resync(args):
    s = all_in_sync(args)
    primary = s["primary"]
    victim = min(n for n, v in s["nodes"].items() if n != primary and v["role"] == "backup")
    target = s["nodes"][primary]["applied"]
    old_pid = pid_of(args, victim)
    data = os.path.join(args.dir, f"node-{victim}.data")
    lost = os.path.join(args.work, f"lost-node-{victim}.data")
    os.kill(old_pid, signal.SIGKILL)
    killed = time.monotonic()
    wait(args, lambda: (not alive(old_pid), None), f"node {victim} (pid {old_pid}) to die")
    os.rename(data, lost)  # instant: gone before the supervisor restarts the node (500 ms)
    renamed = time.monotonic()

    def restarted():
        pid = pid_of(args, victim)
        return bool(pid and pid != old_pid and alive(pid)), pid
    new_pid = wait(args, restarted, f"the supervisor to restart node {victim}")
    restart_seen = time.monotonic()
    restart_seen_wall = time.time() * 1000

    def in_sync():
        st = status(args)
        n = (st or {}).get("nodes", {}).get(victim)
        ok = bool(n and n["live"] and n["role"] == "backup" and n["lag"] == 0 and n["applied"] >= target and
                  n["heard_at_ms"] is not None and n["heard_at_ms"] > restart_seen_wall)
        return ok, st
    wait(args, in_sync, f"node {victim} back in sync")
    synced = time.monotonic()
    shutil.rmtree(lost, ignore_errors=True)
    print(json.dumps({"node": victim, "primary": primary, "primary_applied": target, "old_pid": old_pid,
                      "new_pid": new_pid, "kill_to_in_sync_ms": round((synced - killed) * 1000),
                      "restart_to_in_sync_ms": round((synced - restart_seen) * 1000),
                      "kill_to_restart_seen_ms": round((restart_seen - killed) * 1000),
                      "rename_ms": round((renamed - killed) * 1000), "poll_s": args.poll_s}))


def cmd_recovery(args):
    all_in_sync(args)
    pids = {}
    for name in os.listdir(os.path.join(args.dir, "run")):
        m = re.fullmatch(r"node-(\d+)\.pid", name)
        if m:
            pids[int(m[1])] = pid_of(args, int(m[1]))
    for pid in pids.values():
        os.kill(pid, signal.SIGKILL)
    killed = time.monotonic()
    probes = [0]

    def acknowledged():
        probes[0] += 1
        code, reply = tsctl(args, "put", f"recoveryprobe{probes[0]}", "v", timeout_ms=args.probe_timeout_ms)
        return code == 0 and bool(reply and reply.get("ok")), None
    wait(args, acknowledged, "the first acknowledged write after killing every node")
    first_ack = time.monotonic()
    found = False
    if args.check_key:
        code, reply = tsctl(args, "get", args.check_key, timeout_ms=max(args.probe_timeout_ms, 5000))
        found = bool(reply and any(key_of(p) == args.check_key for p in reply.get("pairs", [])))
    print(json.dumps({"killed": pids, "kill_to_first_ack_ms": round((first_ack - killed) * 1000),
                      "probes": probes[0], "check_key": args.check_key, "check_key_read_back": found,
                      "poll_s": args.poll_s}))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["in-sync", "resync", "recovery"])
    parser.add_argument("--dir", required=True, help="the launcher's cluster directory")
    parser.add_argument("--broker", required=True)
    parser.add_argument("--key", required=True, help="the client key (DIR/keys/clients/client)")
    parser.add_argument("--tsctl", required=True)
    parser.add_argument("--nodes", type=int, required=True)
    parser.add_argument("--work", default="/tmp", help="where a lost data directory is renamed to")
    parser.add_argument("--check-key", default="", help="recovery: a key that must be there afterwards")
    parser.add_argument("--timeout-s", type=float, default=900)
    parser.add_argument("--poll-s", type=float, default=0.1)
    parser.add_argument("--probe-timeout-ms", type=int, default=1000)
    args = parser.parse_args()
    {"in-sync": cmd_in_sync, "resync": cmd_resync, "recovery": cmd_recovery}[args.command](args)


if __name__ == "__main__":
    main()
