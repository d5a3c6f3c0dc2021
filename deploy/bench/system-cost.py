#!/usr/bin/env python3
"""The cost probe of the drop benchmark (tools/LoadTest --cost-probe): prints what the system under test has
consumed so far, one `name value` line per counter, for the load tool to difference across the firing.

    deploy/bench/system-cost.py STATE_DIR [--postgres-port PORT]

STATE_DIR is a deploy/local/cluster.sh state directory: every process group with a pid file in it is counted
(silo-N/pid, api-N/pid, nginx/pid, redis/pid, postgres/data/postmaster.pid, and baseline/pid, which the benchmark
writes for tools/Baseline). For each group, CPU-seconds (user + system) of the process and all its live
descendants, plus what the reaped ones used (cutime/cstime: PostgreSQL's ended backends, nginx's old workers).
Lines: cpu.<group> per group (silo-1 and silo-2 summed as cpu.silo...), cpu.total, and with --postgres-port
pg.write_transactions (the next transaction id: every transaction that wrote took one, so the growth counts
write transactions, i.e. WAL flushes at commit; exact at once, where pg_stat_database's commit counts lag by up
to seconds) and pg.wal_bytes. The load tool's own process is not in STATE_DIR, so it is never counted.
"""
import glob
import os
import subprocess
import sys

TICKS = os.sysconf("SC_CLK_TCK")


def processes():
    """pid -> (ppid, own ticks, reaped children's ticks) for every process now alive."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue  # ended while we looked
        fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) ": state is fields[0]
        ppid = int(fields[1])
        utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
        table[int(entry)] = (ppid, utime + stime, cutime + cstime)
    return table


def tree_seconds(root, table):
    children = {}
    for pid, (ppid, _, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    total, stack, seen = 0, [root], set()
    while stack:
        pid = stack.pop()
        if pid in seen or pid not in table:
            continue
        seen.add(pid)
        _, own, reaped = table[pid]
        total += own + reaped
        stack.extend(children.get(pid, []))
    return total / TICKS


def read_pid(path):
    try:
        with open(path) as f:
            return int(f.readline().strip())
    except (OSError, ValueError):
        return None


def main():
    args = sys.argv[1:]
    if not args or args[0] in ("-h", "--help"):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    state, pg_port = args[0], None
    if "--postgres-port" in args:
        pg_port = args[args.index("--postgres-port") + 1]
    if not os.path.isdir(state):
        sys.exit(f"system-cost: no state directory {state}")

    groups = {}
    for pidfile in sorted(glob.glob(os.path.join(state, "*", "pid"))):
        name = os.path.basename(os.path.dirname(pidfile))
        group = name.split("-")[0]  # silo-1 -> silo, api-2 -> api
        if group == "postgres":
            continue  # its pid file below is the postmaster's own
        groups.setdefault(group, []).append(read_pid(pidfile))
    postmaster = read_pid(os.path.join(state, "postgres", "data", "postmaster.pid"))
    if postmaster:
        groups["postgres"] = [postmaster]

    table = processes()
    total = 0.0
    for group, pids in sorted(groups.items()):
        seconds = sum(tree_seconds(pid, table) for pid in pids if pid and pid in table)
        total += seconds
        print(f"cpu.{group} {seconds:.2f}")
    print(f"cpu.total {total:.2f}")

    if pg_port:
        out = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", pg_port, "-U", "postgres", "-d", "postgres", "-Atqc",
             "SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint, pg_current_wal_lsn() - '0/0'::pg_lsn"],
            capture_output=True, text=True, check=True, timeout=20)
        next_xid, wal = out.stdout.strip().split("|")
        print(f"pg.write_transactions {next_xid}")
        print(f"pg.wal_bytes {wal}")


if __name__ == "__main__":
    main()
