#!/usr/bin/env python3
"""Turns the `name value` lines of tests/bench/run into one table (every
figure beside the limit measured in the same run, and the ratio), the growth
table, and SVG plots of each growth curve; rewrites the generated part of
docs/performance.md (between the bench markers). --check fails if any
figure is missing, for the smoke run."""
import argparse
import html
import math
import os
import sys

BEGIN = "<!-- bench:begin (tests/bench/run writes this part) -->"
END = "<!-- bench:end -->"


def load(path):
    values = {}
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 2:
                values[parts[0]] = float(parts[1])
    return values


def fmt(value, digits=0):
    if value is None:
        return "missing"
    if digits == 0:
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}"


class Table:
    def __init__(self, values):
        self.v = values
        self.rows = []
        self.missing = []

    def get(self, name):
        if name not in self.v:
            self.missing.append(name)
            return None
        return self.v[name]

    def row(self, figure, value, limit_name, limit, ratio, goal):
        self.rows.append((figure, value, limit_name, limit, ratio, goal))

    def markdown(self):
        out = ["| figure | measured | limit (same run) | ratio | goal |", "|---|---:|---|---:|---|"]
        for figure, value, limit_name, limit, ratio, goal in self.rows:
            limit_text = f"{limit_name} {limit}" if limit_name else ""
            out.append(f"| {figure} | {value} | {limit_text} | {ratio} | {goal} |")
        return "\n".join(out)


def ratio(a, b, digits=2):
    if a is None or b is None or b == 0:
        return "missing"
    return f"{a / b:.{digits}f}"


def main_table(t, sizes):
    verify_1, verify_all = t.get("verify_1"), t.get("verify_all")
    cores = int(t.v.get("cores", 0))
    t.row("ed25519 verifications/s, 1 thread", fmt(verify_1), "", "", "", "the limit")
    t.row(f"ed25519 verifications/s, all {cores} cores", fmt(verify_all), "", "", "", "the limit")
    t.row("RocksDB synced WriteBatch, 1 record of 220 B each: records/s", fmt(t.get("rocks_sync_1")), "", "", "",
          "the limit for one entry per commit")
    t.row("RocksDB synced WriteBatch, 1,000 records each: records/s", fmt(t.get("rocks_sync_1000")), "", "", "",
          "")
    va = fmt(verify_all)
    for key, label, goal in [
        ("ingest_64x1", "ingest, 64 submitters × 1 entry: entries/s", "≥ 0.8"),
        ("ingest_2x1", "ingest, 2 submitters × 1 entry: entries/s", ""),
        ("ingest_b256", "ingest, batches of 256: entries/s", "≥ 0.8"),
        ("ingest_b1000", "ingest, batches of 1,000: entries/s", "≥ 0.8"),
    ]:
        rate = t.get(f"{key}_ingest_rate")
        t.row(label, fmt(rate), "verify/s all cores", va, ratio(rate, verify_all), goal)
    cpu = t.get("ingest_b1000_ingest_cpu_us")
    one_verify = 1e6 / verify_1 if verify_1 else None
    t.row("CPU per ingested entry (batches of 1,000), µs", fmt(cpu, 1), "one verification, µs", fmt(one_verify, 1),
          ratio(one_verify, cpu), "1.0 would be verification alone")
    for key, label in [("ingest_64x1", "64 × 1"), ("ingest_2x1", "2 × 1")]:
        p50, p99 = t.get(f"{key}_submit_p50_us"), t.get(f"{key}_submit_p99_us")
        t.row(f"one submission in-process ({label}): p50 / p99 ms",
              f"{fmt(p50 / 1000 if p50 else None, 2)} / {fmt(p99 / 1000 if p99 else None, 2)}", "", "", "", "")
    big = sizes[-1]
    records, ms = t.get(f"sync_records_{big}"), t.get(f"sync_ms_{big}")
    sync_rate = records * 1000 / ms if records and ms else None
    t.row(f"sync catch-up of {fmt(records)} records, one fresh receiver: records/s", fmt(sync_rate),
          "verify/s all cores", va, ratio(sync_rate, verify_all), "≥ 0.7")
    records, seconds = t.get(f"audit_records_{big}"), t.get(f"audit_seconds_{big}")
    audit_rate = records / seconds if records and seconds else None
    t.row(f"`audit verify` of {fmt(records)} records: records/s", fmt(audit_rate), "verify/s all cores", va,
          ratio(audit_rate, verify_all), "≥ 0.9")
    rss = t.get(f"audit_rss_kb_{big}")
    t.row(f"`audit verify` of {fmt(records)} records: peak RSS, MiB", fmt(rss / 1024 if rss else None), "", "", "",
          "flat")
    stored, raw = t.get(f"store_bytes_{big}"), t.get(f"record_bytes_{big}")
    t.row(f"store on disk, {fmt(t.get(f'records_{big}'))} records: bytes", fmt(stored), "the records' own bytes",
          fmt(raw), ratio(stored, raw), "≤ 2")
    written = t.get(f"store_bytes_written_{big}")
    t.row("… as the writer leaves it (before a reopen)", fmt(written), "the records' own bytes", fmt(raw),
          ratio(written, raw), "≤ 2")
    mid = sizes[-2] if len(sizes) > 1 else sizes[-1]
    p50, p99 = t.get(f"cli_{mid}_p50_us"), t.get(f"cli_{mid}_p99_us")
    t.row(f"`hours log` through the CLI, no daemon, {fmt(mid)} records: p50 / p99 ms",
          f"{fmt(p50 / 1000 if p50 else None, 1)} / {fmt(p99 / 1000 if p99 else None, 1)}", "", "", "",
          "p99 < 20 ms")
    p50, p99 = t.get("daemon_cli_p50_us"), t.get("daemon_cli_p99_us")
    t.row("one submission through the daemon, by the CLI, reads running: p50 / p99 ms",
          f"{fmt(p50 / 1000 if p50 else None, 1)} / {fmt(p99 / 1000 if p99 else None, 1)}", "", "", "", "p99 < 5 ms")
    p50, p99 = t.get("api_submit_p50_ms"), t.get("api_submit_p99_ms")
    t.row("one submission through the HTTP API (POST /v1/entries), reads running: p50 / p99 ms",
          f"{fmt(p50, 1)} / {fmt(p99, 1)}", "", "", "", "p99 < 5 ms")
    reads = t.get(f"balance_reads_{big}")
    t.row(f"balance look-ups in-process, {fmt(big)} records: reads/s", fmt(reads), "", "", "", "")
    rps = t.get("api_me_rps")
    t.row("GET /v1/me, signed, 32 connections (wrk): requests/s", fmt(rps), "verify/s all cores", va,
          ratio(rps, verify_all), "")
    p50, p99 = t.get("api_me_p50_ms"), t.get("api_me_p99_ms")
    t.row("GET /v1/me: p50 / p99 ms", f"{fmt(p50, 1)} / {fmt(p99, 1)}", "", "", "", "")
    rss = [t.get(f"cohoursd_rss_kb_{s}") for s in sizes]
    t.row(f"cohoursd peak RSS after catching up {' / '.join(fmt(s) for s in sizes)} records, MiB",
          " / ".join(fmt(r / 1024 if r else None) for r in rss), "", "", "", "< 256 MiB, flat")
    return sync_rate


def peers_table(t, sync_rate):
    if "peer_pg_c2_tps" not in t.v:
        return None
    rows = ["| like for like | cohours | peer | cohours ÷ peer | goal | what each verifies |", "|---|---:|---:|---:|---|---|"]
    ours = t.v.get("ingest_2x1_ingest_rate")
    pg = t.v.get("peer_pg_c2_tps")
    rows.append(f"| durable transfers/s, 2 clients sending one at a time | {fmt(ours)} | PostgreSQL {fmt(pg)} | "
                f"{ratio(ours, pg)} | ≥ 5 | cohours: a member's ed25519 signature on every entry, hash chain, "
                "Merkle tree, signed heads; PostgreSQL: the balance floor only |")
    hc = t.v.get("peer_hc_replicated")
    rows.append(f"| replicated records/s, one receiving node | {fmt(sync_rate)} | Hypercore {fmt(hc)} | "
                f"{ratio(sync_rate, hc)} | ≥ 3 | cohours: every entry's signature and the ledger rules; "
                "Hypercore: signed tree roots, no per-entry author |")
    ours_b, hc_b = t.v.get("ingest_b1000_ingest_rate"), t.v.get("peer_hc_batched_appends")
    rows.append(f"| appends/s, 1,000 per call | {fmt(ours_b)} | Hypercore {fmt(hc_b)} | {ratio(ours_b, hc_b)} | "
                "| cohours verifies each entry's signature first; Hypercore signs one root per call |")
    return "\n".join(rows)


GROWTH = [
    # (column, unit, function of (values, size) -> number or None)
    ("fill ingest ÷ verify/s all cores", "ratio",
     lambda v, s: v.get(f"fill_rate_{s}", 0) / v["verify_all"] if f"fill_rate_{s}" in v else None),
    ("store bytes per record", "bytes",
     lambda v, s: v[f"store_bytes_{s}"] / v[f"records_{s}"] if f"records_{s}" in v else None),
    ("audit verify ÷ verify/s all cores", "ratio",
     lambda v, s: v[f"audit_records_{s}"] / v[f"audit_seconds_{s}"] / v["verify_all"]
     if v.get(f"audit_seconds_{s}") else None),
    ("audit verify peak RSS", "MiB", lambda v, s: v[f"audit_rss_kb_{s}"] / 1024 if f"audit_rss_kb_{s}" in v else None),
    ("sync catch-up ÷ verify/s all cores", "ratio",
     lambda v, s: v[f"sync_records_{s}"] * 1000 / v[f"sync_ms_{s}"] / v["verify_all"]
     if v.get(f"sync_ms_{s}") else None),
    ("cohoursd peak RSS (receiver)", "MiB",
     lambda v, s: v[f"cohoursd_rss_kb_{s}"] / 1024 if f"cohoursd_rss_kb_{s}" in v else None),
    ("balance read p99", "µs", lambda v, s: v.get(f"balance_p99_us_{s}")),
    ("`hours log` CLI p99, no daemon", "ms",
     lambda v, s: v[f"cli_{s}_p99_us"] / 1000 if f"cli_{s}_p99_us" in v else None),
]


def growth_table(values, sizes):
    head = "| log size | " + " | ".join(f"{name} ({unit})" for name, unit, _ in GROWTH) + " |"
    out = [head, "|---:|" + "---:|" * len(GROWTH)]
    for s in sizes:
        cells = []
        for _, unit, f in GROWTH:
            x = f(values, s)
            cells.append(fmt(x, 2 if unit == "ratio" else 1 if unit in ("µs", "ms") else 0))
        out.append(f"| {fmt(s)} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def svg_plot(title, unit, sizes, points):
    """A line over log10(size): plain SVG, no plotting library."""
    w, h, left, right, top, bottom = 480, 280, 64, 16, 36, 44
    xs = [math.log10(s) for s in sizes]
    ys = [p for p in points if p is not None]
    y_max = max(ys) * 1.15 if ys and max(ys) > 0 else 1
    x_min, x_max = min(xs), max(xs) if max(xs) > min(xs) else min(xs) + 1

    def px(x):
        return left + (x - x_min) / (x_max - x_min) * (w - left - right)

    def py(y):
        return h - bottom - y / y_max * (h - top - bottom)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" '
             f'font-size="12"><rect width="{w}" height="{h}" fill="white"/>',
             f'<text x="{w / 2}" y="20" text-anchor="middle" font-size="14">{html.escape(title)}</text>',
             f'<line x1="{left}" y1="{h - bottom}" x2="{w - right}" y2="{h - bottom}" stroke="black"/>',
             f'<line x1="{left}" y1="{top}" x2="{left}" y2="{h - bottom}" stroke="black"/>',
             f'<text x="{w / 2}" y="{h - 8}" text-anchor="middle">records in the log</text>',
             f'<text x="14" y="{h / 2}" text-anchor="middle" transform="rotate(-90 14 {h / 2})">'
             f'{html.escape(unit)}</text>']
    for i in range(5):
        y = y_max * i / 4
        parts.append(f'<text x="{left - 6}" y="{py(y) + 4:.1f}" text-anchor="end">{y:.3g}</text>')
        parts.append(f'<line x1="{left}" y1="{py(y):.1f}" x2="{w - right}" y2="{py(y):.1f}" stroke="#ddd"/>')
    for s, x in zip(sizes, xs):
        parts.append(f'<text x="{px(x):.1f}" y="{h - bottom + 16}" text-anchor="middle">{s:,}</text>')
    line = [(px(x), py(p)) for x, p in zip(xs, points) if p is not None]
    if len(line) > 1:
        parts.append('<polyline fill="none" stroke="#1f5f8b" stroke-width="2" points="' +
                     " ".join(f"{a:.1f},{b:.1f}" for a, b in line) + '"/>')
    for a, b in line:
        parts.append(f'<circle cx="{a:.1f}" cy="{b:.1f}" r="3.5" fill="#1f5f8b"/>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def slug(name):
    words = "".join(c if c.isalnum() else " " for c in name.lower()).split()
    return "-".join(words)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--results", required=True)
    parser.add_argument("--machine", required=True)
    parser.add_argument("--sizes", required=True)
    parser.add_argument("--doc")
    parser.add_argument("--plots")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    values = load(args.results)
    sizes = [int(s) for s in args.sizes.split()]
    machine = open(args.machine).read().strip().splitlines()
    t = Table(values)
    sync_rate = main_table(t, sizes)
    growth = growth_table(values, sizes)
    peers = peers_table(t, sync_rate)
    text = ["Machine: " + machine[0].removeprefix("machine ") + ".", "", t.markdown(), "", "Growth:", "", growth]
    if peers:
        text += ["", "Peers, measured by ../shared/peers in the same run:", "", peers]
    print("\n".join(text))
    if t.missing:
        print("missing figures: " + ", ".join(t.missing), file=sys.stderr)
        if args.check:
            return 1
    if args.plots:
        os.makedirs(args.plots, exist_ok=True)
        for old in os.listdir(args.plots):
            if old.endswith(".svg"):
                os.remove(os.path.join(args.plots, old))
        links = []
        for name, unit, f in GROWTH:
            path = os.path.join(args.plots, slug(name) + ".svg")
            with open(path, "w") as out:
                out.write(svg_plot(name, unit, sizes, [f(values, s) for s in sizes]))
            links.append(f"![{name}](performance/{os.path.basename(path)})")
        text += ["", "Growth curves:", "", "\n".join(links)]
    if args.doc:
        doc = open(args.doc).read()
        if BEGIN not in doc or END not in doc:
            print(f"{args.doc} has no bench markers", file=sys.stderr)
            return 1
        head, rest = doc.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        with open(args.doc, "w") as out:
            out.write(head + BEGIN + "\n" + "\n".join(text) + "\n" + END + tail)
    return 0


if __name__ == "__main__":
    sys.exit(main())
