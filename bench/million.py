#!/usr/bin/env python3
"""A million posts: seed time and memory, page times against 100 posts, the plan, and a full walk.

usage: bench/million.py POSTS_BIN [--count 1000000] [--database-url URL --baseline-url URL2] [--workdir DIR]

Seeds COUNT posts from bench/gen_posts.py (SQLite in WORKDIR, or the empty PostgreSQL database at URL,
with the 100 benchmark posts in the empty database at URL2), then with CACHE=off measures GET /posts (the first page, 200 posts), a page in the middle
by Range, and the last page, each the median of 25 requests, against the same pages with the 100
benchmark posts; prints the query plan; and walks every page with Next-Range (max=1000), checking that
every post comes back exactly once. Loopback only; prints a Markdown table.
"""
import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

parser = argparse.ArgumentParser()
parser.add_argument("bin")
parser.add_argument("--count", type=int, default=1_000_000)
parser.add_argument("--database-url")
parser.add_argument("--baseline-url")
parser.add_argument("--workdir")
args = parser.parse_args()
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
work = args.workdir or tempfile.mkdtemp(prefix="posts-million.")
os.makedirs(work, exist_ok=True)
env = {**os.environ, "LOG_LEVEL": "warning", "CACHE": "off", "HOST": "127.0.0.1", "SHUTDOWN_GRACE": "0"}
if args.database_url:
    env["DATABASE_URL"] = args.database_url
store = "PostgreSQL" if args.database_url else "SQLite"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed(path, directory, url=None):
    started = time.monotonic()
    seed_env = {**env, "DATABASE_URL": url} if url else env
    process = subprocess.Popen([args.bin, "seed", "--file", path], cwd=directory, env=seed_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    peak = 0
    while process.poll() is None:
        try:
            peak = max(peak, int(open("/proc/%d/status" % process.pid).read().split("VmRSS:")[1].split()[0]) // 1024)
        except (OSError, IndexError):
            pass
        time.sleep(0.2)
    output = process.stdout.read().decode().strip()
    if process.returncode != 0:
        sys.exit("bench/million: seed failed: " + output)
    return time.monotonic() - started, peak


class Server:
    def __init__(self, directory, url=None):
        self.port = free_port()
        server_env = {**env, "PORT": str(self.port), **({"DATABASE_URL": url} if url else {})}
        self.process = subprocess.Popen([args.bin, "serve"], cwd=directory, env=server_env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(300):
            try:
                urllib.request.urlopen("http://127.0.0.1:%d/health" % self.port, timeout=1)
                return
            except OSError:
                time.sleep(0.1)
        sys.exit("bench/million: server did not start")

    def get(self, range_header=None):
        request = urllib.request.Request("http://127.0.0.1:%d/posts" % self.port)
        if range_header:
            request.add_header("Range", range_header)
        started = time.monotonic()
        with urllib.request.urlopen(request) as response:
            body = response.read()
            return time.monotonic() - started, json.loads(body), response.headers.get("Next-Range")

    def median(self, range_header=None):
        self.get(range_header)
        return statistics.median(self.get(range_header)[0] for _ in range(25))

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


def pages(server):
    """The first page, a page from the middle, the last page: (label, Range)."""
    _, first, _ = server.get("created_at ..; max=200")
    _, last, _ = server.get("created_at ..; max=200, order=desc")
    middle_time = first[0]["created_at"] if len(first) < 200 else None
    if middle_time is None:
        # The created_at of the post halfway through: walk the index by a timestamp halfway in time.
        low, high = first[0]["created_at"], last[0]["created_at"]
        import datetime
        parse = lambda t: datetime.datetime.strptime(t, "%Y-%m-%dT%H:%M:%SZ")
        mid = parse(low) + (parse(high) - parse(low)) / 2
        middle_time = mid.strftime("%Y-%m-%dT%H:%M:%SZ")
    return [("first page (GET /posts)", None), ("a page in the middle", "created_at %s..; max=200" % middle_time),
            ("the last page", "created_at ..; max=200, order=desc")]


# The 100 benchmark posts, then COUNT generated ones, each in its own database.
small_dir = os.path.join(work, "small")
os.makedirs(small_dir, exist_ok=True)
big_dir = os.path.join(work, "big")
os.makedirs(big_dir, exist_ok=True)
data = os.path.join(work, "posts-%d.json" % args.count)
if not os.path.exists(data):
    with open(data, "w") as out:
        subprocess.run([sys.executable, os.path.join(root, "bench/gen_posts.py"), str(args.count)], stdout=out, check=True)
seed_seconds, seed_peak = seed(data, big_dir)
server = Server(big_dir)
try:
    rows = []
    for label, range_header in pages(server):
        rows.append((label, range_header, server.median(range_header)))
    # Walk every page, 1,000 at a time.
    seen, next_range, walked, started = set(), "created_at ..; max=1000", 0, time.monotonic()
    while next_range:
        _, page, next_range = server.get(next_range)
        walked += len(page)
        seen.update(post["id"] for post in page)
    walk_seconds = time.monotonic() - started
finally:
    server.stop()

# Baseline: the same pages with the 100 benchmark posts, in a database of their own.
baseline = {}
if not args.database_url or args.baseline_url:
    seed(os.path.join(root, "bench/posts.json"), small_dir, args.baseline_url)
    server = Server(small_dir, args.baseline_url)
    try:
        for label, range_header in pages(server):
            baseline[label] = server.median(range_header)
    finally:
        server.stop()

print("## %s, %d posts\n" % (store, args.count))
print("seed: %.1f s (%.0f posts/s), peak RSS %d MB\n" % (seed_seconds, args.count / seed_seconds, seed_peak))
print("| page | Range | median ms | with 100 posts, ms | ratio |")
print("|---|---|---|---|---|")
for label, range_header, seconds in rows:
    base = baseline.get(label)
    print("| %s | %s | %.2f | %s | %s |" % (label, "`%s`" % range_header if range_header else "–", seconds * 1000,
                                          "%.2f" % (base * 1000) if base else "–", "%.2f×" % (seconds / base) if base else "–"))
print("\nwalk with Next-Range (max=1000): %d posts in %.1f s, %d distinct, every post once: %s" % (
    walked, walk_seconds, len(seen), walked == len(seen) == args.count))
