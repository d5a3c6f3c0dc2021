#!/usr/bin/env python3
"""The table of deploy/bench/drop-vs-baseline.sh: medians over the runs of each side and shape, then the ratios.

    deploy/bench/drop-report.py OUT_DIR RUNS SHAPE...

Reads OUT_DIR/{fleamarket,baseline}-SHAPE-N.json (tools/LoadTest --json, with --cost-probe figures) and, if
present, OUT_DIR/fleamarket-hot-half.json.
"""
import json
import os
import statistics
import sys


def load(out, name):
    path = os.path.join(out, name + ".json")
    try:
        doc = json.load(open(path))
    except (OSError, ValueError) as e:
        sys.exit(f"{name}: no report ({e}); see {os.path.join(out, name + '.err')}")
    if "run" not in doc:
        sys.exit(f"{name}: the load tool failed: {doc.get('error', doc)}")
    return doc


def figures(doc):
    run, cost = doc["run"], doc.get("cost") or {}
    per_thousand = cost.get("perThousandOrders", {})
    row = {
        "orders/s": run["ordersPerSecondUntilLastOrder"] or 0.0,
        "p50": run["latencyMs"]["p50"],
        "p99": run["latencyMs"]["p99"],
        "orders": run["orders"],
        "5xx": sum(v for k, v in run["statuses"].items() if k.startswith("5")),
        "cpu": per_thousand.get("cpu.total"),
        "pg tx/order": per_thousand["pg.write_transactions"] / 1000 if "pg.write_transactions" in per_thousand else None,
        "wal KB/order": per_thousand["pg.wal_bytes"] / 1000 / 1024 if "pg.wal_bytes" in per_thousand else None,
    }
    for name, value in per_thousand.items():
        if name.startswith("cpu.") and name != "cpu.total":
            row[name] = value
    return row


def median(rows, key):
    values = [r[key] for r in rows if r.get(key) is not None]
    return statistics.median(values) if values else None


def fmt(value, digits=1):
    return "–" if value is None else f"{value:,.{digits}f}"


def main():
    out, runs, shapes = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    medians = {}
    print("| run | orders/s until the last order | p50 ms | p99 ms | CPU-s per 1,000 orders (by process group) | PG write transactions per order | WAL KB per order | 5xx |")
    print("|---|---|---|---|---|---|---|---|")
    for shape in shapes:
        for system in ("fleamarket", "baseline"):
            rows = []
            for run in range(1, runs + 1):
                name = f"{system}-{shape}-{run}"
                row = figures(load(out, name))
                rows.append(row)
                groups = ", ".join(f"{k[4:]} {v:.2f}" for k, v in sorted(row.items()) if k.startswith("cpu."))
                print(f"| {name} | {fmt(row['orders/s'], 0)} | {fmt(row['p50'])} | {fmt(row['p99'])} | "
                      f"**{fmt(row['cpu'], 2)}** ({groups}) | {fmt(row['pg tx/order'], 3)} | {fmt(row['wal KB/order'], 2)} | {row['5xx']} |")
            m = medians[(system, shape)] = {k: median(rows, k) for k in ("orders/s", "p50", "p99", "cpu", "pg tx/order", "wal KB/order")}
            print(f"| **{system}-{shape} median** | **{fmt(m['orders/s'], 0)}** | {fmt(m['p50'])} | **{fmt(m['p99'])}** | **{fmt(m['cpu'], 2)}** | "
                  f"{fmt(m['pg tx/order'], 3)} | {fmt(m['wal KB/order'], 2)} | |")
    print()
    for shape in shapes:
        f, b = medians[("fleamarket", shape)], medians[("baseline", shape)]
        ratio = f["orders/s"] / max(b["orders/s"], 1)
        cpu = f"{f['cpu'] / b['cpu']:.2f}x" if f["cpu"] and b["cpu"] else "–"
        print(f"{shape}: FleaMarket / baseline orders/s = {ratio:.2f}x; p99 {fmt(f['p99'])} vs {fmt(b['p99'])} ms; "
              f"CPU per order = {cpu} ({fmt(f['cpu'], 2)} vs {fmt(b['cpu'], 2)} CPU-s per 1,000 orders)")
    half = os.path.join(out, "fleamarket-hot-half.json")
    if os.path.exists(half):
        doc = load(out, "fleamarket-hot-half")
        row = figures(doc)
        print(f"hot at half the median rate (--rate {doc['parameters']['rate']}): {fmt(row['orders/s'], 0)} orders/s, "
              f"p50 {fmt(row['p50'])} ms, p99 {fmt(row['p99'])} ms, {fmt(row['cpu'], 2)} CPU-s per 1,000 orders")


if __name__ == "__main__":
    main()
