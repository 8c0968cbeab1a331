#!/usr/bin/env python3
"""Turns bench/run's raw wrk and hey output into results.json, report.md and PNG plots."""
import json
import os
import re
import statistics
import sys

SERVERS = ["posts-sqlite", "posts-pg", "posts-sqlite-nocache", "posts-pg-nocache", "nginx", "sinatra",
           "go-sqlite", "go-pg", "vapor-sqlite", "vapor-pg"]
LABELS = {
    "posts-sqlite": "posts, SQLite, cached",
    "posts-pg": "posts, PostgreSQL, cached",
    "posts-sqlite-nocache": "posts, SQLite, CACHE=off",
    "posts-pg-nocache": "posts, PostgreSQL, CACHE=off",
    "nginx": "nginx static file (ceiling)",
    "sinatra": "Sinatra+Puma+Sequel+pg (Pliny's stack)",
    "go-sqlite": "Go net/http, SQLite",
    "go-pg": "Go net/http, PostgreSQL",
    "vapor-sqlite": "Vapor+Fluent, SQLite",
    "vapor-pg": "Vapor+Fluent, PostgreSQL",
}
# Servers whose database is the PostgreSQL server, whose CPU is counted beside theirs.
ON_POSTGRES = {"posts-pg", "posts-pg-nocache", "sinatra", "go-pg", "vapor-pg"}


def seconds(value, unit):
    return float(value) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[unit]


def parse_common(text, result):
    m = re.search(r"peak_rss_kb=(\d+) cpu_ticks=(\d+) (?:db_cpu_ticks=(-?\d+) )?clk_tck=(\d+)", text)
    if m:
        result["peak_rss_mb"] = int(m.group(1)) / 1024
        result["cpu_seconds"] = int(m.group(2)) / int(m.group(4))
        # bench/tree_ticks.py reads the tree consistently; should a difference still come out
        # negative, the run has no DB number, rather than a value that would drag a median down.
        db_ticks = int(m.group(3) or 0)
        result["db_cpu_seconds"] = db_ticks / int(m.group(4)) if db_ticks >= 0 else None


def parse_wrk(text):
    r = {"tool": "wrk"}
    m = re.search(r"Requests/sec:\s+([\d.]+)", text)
    r["rps"] = float(m.group(1)) if m else 0.0
    m = re.search(r"Latency\s+([\d.]+)(us|ms|s|m)", text)
    r["avg"] = seconds(*m.groups()) if m else None
    for pct in ("50", "99"):
        m = re.search(r"\s%s%%\s+([\d.]+)(us|ms|s|m)" % pct, text)
        r["p" + pct] = seconds(*m.groups()) if m else None
    m = re.search(r"(\d+) requests in", text)
    r["requests"] = int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    r["errors"] = dict(zip(["connect", "read", "write", "timeout"], map(int, m.groups()))) if m else {}
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    r["non2xx"] = int(m.group(1)) if m else 0
    parse_common(text, r)
    return r


def parse_hey(text):
    r = {"tool": "hey"}
    m = re.search(r"Requests/sec:\s+([\d.]+)", text)
    r["rps"] = float(m.group(1)) if m else 0.0
    m = re.search(r"Average:\s+([\d.]+) secs", text)
    r["avg"] = float(m.group(1)) if m else None
    for pct in ("50", "99"):
        m = re.search(r"%s%% in ([\d.]+) secs" % pct, text)
        r["p" + pct] = float(m.group(1)) if m else None
    codes = {code: int(n) for code, n in re.findall(r"\[(\d{3})\]\s+(\d+) responses", text)}
    r["status"] = codes
    r["requests"] = sum(codes.values())
    errors = re.findall(r"^\s+\[(\d+)\]\s+(.*)$", text.split("Error distribution:")[1], re.M) if "Error distribution:" in text else []
    r["errors"] = sum(int(n) for n, _ in errors)
    r["error_kinds"] = sorted({re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", e)[:100] for _, e in errors})[:5]
    parse_common(text, r)
    return r


def ms(value):
    return "–" if value is None else ("%.1f" % (value * 1000) if value < 10 else "%.0f" % (value * 1000))


def main(out):
    raw = os.path.join(out, "raw")
    results = {}
    for name in SERVERS:
        entry = {"wrk": {}, "hey": {}, "writes": {}, "alt": {}}
        idle = os.path.join(raw, name + ".idle.txt")
        if os.path.exists(idle):
            entry["idle_rss_mb"] = int(open(idle).read().split("=")[1]) / 1024
        for fn in sorted(os.listdir(raw)):
            if not fn.startswith(name + ".") or fn[len(name) + 1:].count(".") != 1:
                continue
            label = fn[len(name) + 1:-4]
            text = open(os.path.join(raw, fn), errors="replace").read()
            if label.startswith("wrk-c"):
                entry["wrk"][int(label[5:])] = parse_wrk(text)
            elif label.startswith("hey-c"):
                entry["hey"][int(label[5:])] = parse_hey(text)
            elif label.startswith(("write-", "mix-")):
                entry["writes"][label] = parse_wrk(text)
            elif label.startswith("alt-c"):  # alt-c<level>-r<round>
                level, round_ = label[5:].split("-r")
                entry["alt"].setdefault(int(level), {})[int(round_)] = parse_wrk(text)
        results[name] = entry
    json.dump(results, open(os.path.join(out, "results.json"), "w"), indent=1, sort_keys=True)

    machine = open(os.path.join(out, "machine.txt")).read() if os.path.exists(os.path.join(out, "machine.txt")) else ""
    lines = ["# GET /posts benchmark", "", "```", machine.strip(), "```", ""]
    lines += ["Every server serves the same 38,335-byte body (checked before the run; byte for byte, but Vapor's keys come in",
              "Foundation's order). wrk: `wrk -t4 -c N -d D --latency`;",
              "hey: `hey -n 5000 -c N` (and `-n 10000 -c 10000`), which asks for gzip. Peak RSS covers the process and its",
              "workers, sampled every 0.2 s. Latencies in ms.", ""]
    levels = sorted({c for e in results.values() for c in e["wrk"]})
    # Side by side.
    lines += ["## Side by side (wrk)", "", "| c | " + " | ".join(LABELS[n] + " req/s" for n in SERVERS) + " |",
              "|---|" + "---|" * len(SERVERS)]
    for c in levels:
        row = ["%.0f" % results[n]["wrk"][c]["rps"] if c in results[n]["wrk"] else "–" for n in SERVERS]
        lines.append("| %d | %s |" % (c, " | ".join(row)))
    lines += ["", "## Ratios (wrk req/s, same run)", "", "| c | cached SQLite / nginx | cached PG / nginx | SQLite cache off / Sinatra | PG cache off / Sinatra | cached SQLite / Sinatra |", "|---|---|---|---|---|---|"]
    def ratio(a, b, c):
        x, y = results[a]["wrk"].get(c), results[b]["wrk"].get(c)
        return "%.2f×" % (x["rps"] / y["rps"]) if x and y and y["rps"] else "–"
    for c in levels:
        lines.append("| %d | %s | %s | %s | %s | %s |" % (c, ratio("posts-sqlite", "nginx", c), ratio("posts-pg", "nginx", c),
                     ratio("posts-sqlite-nocache", "sinatra", c), ratio("posts-pg-nocache", "sinatra", c), ratio("posts-sqlite", "sinatra", c)))
    def us_per_request(r, key="cpu_seconds"):
        return r[key] / r["requests"] * 1e6 if r and r.get("requests") and r.get(key) is not None else None

    def fmt(value, pattern="%.0f"):
        return "–" if value is None else pattern % value

    # The honest path: every request reads the database and serializes.
    lines += ["", "## The honest path: uncached GET /posts beside the Go and Vapor peers (wrk)", "",
              "CPU is µs per request: the server's process (and, on PostgreSQL, the PostgreSQL server's processes).", ""]
    for store, ours, go, vapor in (("SQLite", "posts-sqlite-nocache", "go-sqlite", "vapor-sqlite"),
                                   ("PostgreSQL", "posts-pg-nocache", "go-pg", "vapor-pg")):
        lines += ["### " + store, "", "| c | posts req/s | Go req/s | Vapor req/s | posts / Go | posts / Vapor | posts p99 | Go p99 |"
                  " posts CPU µs/req | Go CPU µs/req | Vapor CPU µs/req | posts DB µs/req | Go DB µs/req |",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for c in levels:
            a, g, v = (results[n]["wrk"].get(c) for n in (ours, go, vapor))
            lines.append("| %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                c, fmt(a and a["rps"]), fmt(g and g["rps"]), fmt(v and v["rps"]), ratio(ours, go, c), ratio(ours, vapor, c),
                ms(a and a["p99"]), ms(g and g["p99"]), fmt(us_per_request(a)), fmt(us_per_request(g)), fmt(us_per_request(v)),
                fmt(us_per_request(a, "db_cpu_seconds")) if store == "PostgreSQL" else "–",
                fmt(us_per_request(g, "db_cpu_seconds")) if store == "PostgreSQL" else "–"))
        lines.append("")
    # The same comparisons with the two servers of each pair taking turns, so that the machine's drift
    # between servers (up to 2x within a run here) falls on both: medians over rounds, and the median of
    # each round's ratio.
    def med(runs, f):
        values = [f(r) for r in runs.values() if f(r) is not None]
        return statistics.median(values) if values else None

    def in_turns(title, intro, pairs, peer_label):
        if not any(results[n]["alt"] for pair in pairs for n in pair[1:]):
            return
        rounds = max(len(v) for n in results for v in results[n]["alt"].values())
        lines.extend(["## " + title, "", intro + " %d rounds. Medians over rounds; a ratio is the median of each round's ratio." % rounds, "",
                      "| posts | c | posts req/s | %s req/s | posts / %s | per-round ratios | posts p99 | %s p99 | p99 posts / %s |"
                      " posts CPU µs/req | %s CPU µs/req | posts DB µs/req | %s DB µs/req |" % ((peer_label,) * 6),
                      "|---|---|---|---|---|---|---|---|---|---|---|---|---|"])
        for label, ours, peer in pairs:
            for c in sorted(set(results[ours]["alt"]) & set(results[peer]["alt"])):
                a, g = results[ours]["alt"][c], results[peer]["alt"][c]
                paired = sorted(set(a) & set(g))
                ratios = [a[r]["rps"] / g[r]["rps"] for r in paired if g[r]["rps"]]
                p99s = [a[r]["p99"] / g[r]["p99"] for r in paired if a[r]["p99"] and g[r]["p99"]]
                db = ours in ON_POSTGRES
                lines.append("| %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                    label, c, fmt(med(a, lambda r: r["rps"])), fmt(med(g, lambda r: r["rps"])),
                    "%.2f×" % statistics.median(ratios) if ratios else "–", ", ".join("%.2f" % x for x in ratios),
                    ms(med(a, lambda r: r["p99"])), ms(med(g, lambda r: r["p99"])),
                    "%.2f×" % statistics.median(p99s) if p99s else "–",
                    fmt(med(a, us_per_request)), fmt(med(g, us_per_request)),
                    fmt(med(a, lambda r: us_per_request(r, "db_cpu_seconds"))) if db else "–",
                    fmt(med(g, lambda r: us_per_request(r, "db_cpu_seconds"))) if db and peer in ON_POSTGRES else "–"))
        lines.append("")

    in_turns("The honest path, alternating: posts (cache off) and the Go peer in turns (wrk)",
             "Each round runs posts on SQLite, Go on SQLite, posts on PostgreSQL and Go on PostgreSQL back to back at each level;",
             (("SQLite, CACHE=off", "posts-sqlite-nocache", "go-sqlite"), ("PostgreSQL, CACHE=off", "posts-pg-nocache", "go-pg")), "Go")
    in_turns("Cached, alternating: posts (cached) and nginx in turns (wrk)",
             "In the same rounds, right after the Go peer: cached posts on SQLite, nginx, cached posts on PostgreSQL (the CACHE=off"
             " rows set the uncached runs of the same rounds against nginx, for p99);",
             (("SQLite, cached", "posts-sqlite", "nginx"), ("PostgreSQL, cached", "posts-pg", "nginx"),
              ("SQLite, CACHE=off", "posts-sqlite-nocache", "nginx"), ("PostgreSQL, CACHE=off", "posts-pg-nocache", "nginx")), "nginx")
    lines += ["## CPU µs per request, every server (wrk; server + PostgreSQL where it has one)", "",
              "| c | " + " | ".join(LABELS[n] for n in SERVERS) + " |", "|---|" + "---|" * len(SERVERS)]
    for c in levels:
        cells = []
        for n in SERVERS:
            r = results[n]["wrk"].get(c)
            own, db = us_per_request(r), us_per_request(r, "db_cpu_seconds")
            cells.append("–" if own is None else ("%.0f + %s" % (own, fmt(db)) if n in ON_POSTGRES else "%.0f" % own))
        lines.append("| %d | %s |" % (c, " | ".join(cells)))
    for name in SERVERS:
        e = results[name]
        lines += ["", "## %s" % LABELS[name], "", "Idle RSS: %.1f MB" % e.get("idle_rss_mb", 0), "",
                  "| tool | c | req/s | avg | p50 | p99 | socket errors (connect/read/write/timeout) | non-2xx | peak RSS MB | CPU s |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for c, r in sorted(e["wrk"].items()):
            err = r["errors"]
            lines.append("| wrk | %d | %.0f | %s | %s | %s | %s | %d | %.1f | %.1f |" % (
                c, r["rps"], ms(r["avg"]), ms(r["p50"]), ms(r["p99"]),
                "/".join(str(err.get(k, 0)) for k in ("connect", "read", "write", "timeout")), r["non2xx"], r.get("peak_rss_mb", 0), r.get("cpu_seconds", 0)))
        for c, r in sorted(e["hey"].items()):
            ok = r["status"].get("200", 0)
            lines.append("| hey | %d | %.0f | %s | %s | %s | %d errors %s | %d of %d not 200 | %.1f | %.1f |" % (
                c, r["rps"], ms(r["avg"]), ms(r["p50"]), ms(r["p99"]), r["errors"], "; ".join(r["error_kinds"]),
                sum(r["status"].values()) - ok, sum(r["status"].values()) + r["errors"], r.get("peak_rss_mb", 0), r.get("cpu_seconds", 0)))
        for label, r in sorted(e["writes"].items()):
            lines.append("| wrk %s | 50 | %.0f | %s | %s | %s | %s | %d | %.1f | %.1f |" % (
                label, r["rps"], ms(r["avg"]), ms(r["p50"]), ms(r["p99"]),
                "/".join(str(r["errors"].get(k, 0)) for k in ("connect", "read", "write", "timeout")), r["non2xx"], r.get("peak_rss_mb", 0), r.get("cpu_seconds", 0)))
    lines += ["", "![requests per second](rps.png)", "", "![latency](latency.png)", ""]
    open(os.path.join(out, "report.md"), "w").write("\n".join(lines))

    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib missing: no plots", file=sys.stderr)
        return
    fig, ax = plt.subplots(figsize=(9, 5))
    for name in SERVERS:
        pts = sorted(results[name]["wrk"].items())
        ax.plot([c for c, _ in pts], [r["rps"] for _, r in pts], marker="o", label=LABELS[name])
    ax.set_xscale("log"); ax.set_xlabel("connections (wrk -t4)"); ax.set_ylabel("requests/s"); ax.set_title("GET /posts (38 KB)")
    ax.grid(True, alpha=0.3); ax.legend(fontsize=8)
    fig.tight_layout(); fig.savefig(os.path.join(out, "rps.png"), dpi=100)
    fig, axes = plt.subplots(1, 2, figsize=(12, 5), sharey=True)
    for ax, pct in zip(axes, ("p50", "p99")):
        for name in SERVERS:
            pts = [(c, r[pct]) for c, r in sorted(results[name]["wrk"].items()) if r[pct] is not None]
            ax.plot([c for c, _ in pts], [v * 1000 for _, v in pts], marker="o", label=LABELS[name])
        ax.set_xscale("log"); ax.set_yscale("log"); ax.set_xlabel("connections"); ax.set_title(pct + " latency (ms)"); ax.grid(True, alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.tight_layout(); fig.savefig(os.path.join(out, "latency.png"), dpi=100)


if __name__ == "__main__":
    main(sys.argv[1])
