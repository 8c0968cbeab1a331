#!/usr/bin/env python3
"""Past one machine, measured: 3 posts instances behind HAProxy (deploy/haproxy.cfg) on a PostgreSQL
primary and a streaming replica. Run by bench/scale, which builds the release binary and starts the
two PostgreSQL servers; see bench/README.md.

usage: bench/scale.py --bin POSTS --primary URL --replica URL --out DIR

Exits 1 when a target is missed: a stale read, a non-2xx or socket error during the rolling
restart, a failed request when an instance is killed or the replica stops, or reads not back on the
replica after it returns. Loopback only; every load is bounded by wrk's -d.
"""
import argparse
import http.client
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

parser = argparse.ArgumentParser()
parser.add_argument("--bin", required=True)
parser.add_argument("--primary", required=True)
parser.add_argument("--replica", required=True)
parser.add_argument("--out", required=True)
parser.add_argument("--writes", type=int, default=200)
args = parser.parse_args()
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.makedirs(args.out, exist_ok=True)
TOKEN = "scale-token"
HEADERS = {"Authorization": "Bearer " + TOKEN, "Content-Type": "application/json"}
failures = []


def log(message):
    print("== " + message, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port, method, path, body=None, headers=None, timeout=5):
    """(status, parsed JSON or None) over a fresh connection."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
        try:
            return response.status, json.loads(data) if data else None
        except ValueError:
            return response.status, None
    finally:
        connection.close()


def cpu_ticks(pids):
    total = 0
    for pid in pids:
        try:
            fields = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError):
            pass
    return total


def postgres_ticks():
    """CPU ticks of both PostgreSQL servers: each postmaster, its reaped children (backends closed
    meanwhile: the pool closes idle ones) and its living ones."""
    total = 0
    for data_dir in (os.environ.get("PG_DIR"), os.environ.get("REPLICA_DIR")):
        try:
            parent = int(open(os.path.join(data_dir, "data", "postmaster.pid")).readline())
            fields = open("/proc/%d/stat" % parent).read().rsplit(")", 1)[1].split()
        except (OSError, TypeError, ValueError, IndexError):
            continue
        total += sum(int(value) for value in fields[11:15])
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    child = open("/proc/%s/stat" % entry).read().rsplit(")", 1)[1].split()
                except (OSError, IndexError):
                    continue
                if int(child[1]) == parent:
                    total += int(child[11]) + int(child[12])
    return total


class Instance:
    def __init__(self, number):
        self.number = number
        self.port = free_port()
        self.log_path = os.path.join(args.out, "instance%d.log" % number)
        self.process = None

    def start(self):
        env = {
            **os.environ, "DATABASE_URL": args.primary, "DATABASE_REPLICA_URL": args.replica, "PORT": str(self.port),
            "HOST": "127.0.0.1", "LOG_LEVEL": "notice", "API_TOKEN": TOKEN,
        }
        self.process = subprocess.Popen([args.bin, "serve"], env=env, stdout=open(self.log_path, "a"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if request(self.port, "GET", "/health/db", timeout=1)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        sys.exit("bench/scale: instance %d did not start; see %s" % (self.number, self.log_path))

    def terminate(self):
        """SIGTERM, then the exit code (the drain takes SHUTDOWN_GRACE, 5 s)."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30)

    def kill(self):
        self.process.kill()
        self.process.wait()

    def log_text(self):
        return open(self.log_path).read()


class Balancer:
    def __init__(self, instances):
        self.port, self.stats_port = free_port(), free_port()
        env = {**os.environ, "PLINTH_LISTEN": "127.0.0.1:%d" % self.port, "PLINTH_STATS": "127.0.0.1:%d" % self.stats_port}
        for instance in instances:
            env["PLINTH_%d" % instance.number] = "127.0.0.1:%d" % instance.port
        self.process = subprocess.Popen(["haproxy", "-db", "-f", os.path.join(root, "deploy/haproxy.cfg")], env=env,
                                        stdout=open(os.path.join(args.out, "haproxy.log"), "w"), stderr=subprocess.STDOUT)

    def states(self):
        with urllib.request.urlopen("http://127.0.0.1:%d/stats;csv" % self.stats_port, timeout=2) as response:
            lines = response.read().decode().splitlines()
        header = lines[0].lstrip("# ").split(",")
        rows = [dict(zip(header, line.split(","))) for line in lines[1:] if line]
        return {row["svname"]: row["status"] for row in rows if row["pxname"] == "posts" and row["svname"].startswith("posts")}

    def wait_for(self, server, status, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.states().get(server, "").startswith(status):
                    return True
            except OSError:
                pass
            time.sleep(0.1)
        return False


def wrk(port, path, connections, seconds, threads=2):
    """Starts wrk; returns (process, output path)."""
    out = os.path.join(args.out, "wrk-%d-%s.txt" % (int(time.time() * 1000), re.sub(r"\W", "_", path)))
    process = subprocess.Popen(["wrk", "-t%d" % threads, "-c%d" % connections, "-d%ds" % seconds, "--timeout", "10s",
                                "http://127.0.0.1:%d%s" % (port, path)], stdout=open(out, "w"), stderr=subprocess.STDOUT)
    return process, out


def wrk_result(process, out):
    process.wait()
    text = open(out).read()
    total = int(re.search(r"(\d+) requests in", text).group(1))
    non2xx = int((re.search(r"Non-2xx or 3xx responses: (\d+)", text) or [0, 0])[1])
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    socket_errors = sum(int(value) for value in errors.groups()) if errors else 0
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    return {"requests": total, "non2xx": non2xx, "socket_errors": socket_errors, "rps": rate, "raw": os.path.basename(out)}


def check(condition, what):
    if not condition:
        failures.append(what)
    return "met" if condition else "**missed**"


# --- Start ------------------------------------------------------------------------------------------
instances = [Instance(number) for number in (1, 2, 3)]
for instance in instances:
    instance.start()
balancer = Balancer(instances)
for instance in instances:
    if not balancer.wait_for("posts%d" % instance.number, "UP"):
        sys.exit("bench/scale: HAProxy did not mark posts%d up" % instance.number)
log("3 instances behind HAProxy on 127.0.0.1:%d" % balancer.port)
report = ["# bench/scale", "", "3 posts instances (release build, cache on, `DATABASE_REPLICA_URL` set) behind HAProxy "
          "(`deploy/haproxy.cfg`) on a PostgreSQL 15 primary and a streaming replica (`pg_basebackup -R`), all on this "
          "2-core machine. wrk -t2, `--timeout 10s`.", ""]
results = {}

# --- 1. Coherence -----------------------------------------------------------------------------------
log("coherence: %d writes, each read back through the balancer and polled on every instance" % args.writes)
newest = "/posts"
# Every post, newest first (posts created in the same second are ordered by id, so a short page
# of the newest need not hold the latest write).
range_newest = {"Range": "created_at ..; order=desc, max=1000"}
stale, stale_reads, balancer_reads, visible_after = 0, [], 0, []
for index in range(args.writes):
    writer = instances[index % 3]
    status, post = request(writer.port, "POST", "/posts", {"title": "scale %d" % index, "body": "written through posts%d" % writer.number}, HEADERS)
    written = time.monotonic()
    if status != 201:
        failures.append("write %d answered %d" % (index, status))
        continue
    path = "/posts/" + post["id"]
    seen = {}

    def poll(instance):
        deadline = written + 10
        while time.monotonic() < deadline:
            one = request(instance.port, "GET", path)[0] == 200
            page = request(instance.port, "GET", newest, headers=range_newest)[1] or []
            if one and any(item.get("id") == post["id"] for item in page):
                seen[instance.number] = time.monotonic() - written
                return
    pollers = [threading.Thread(target=poll, args=(instance,)) for instance in instances]
    # Reads through the balancer, issued right after the 201: each must show the write.
    for _ in range(3):
        status, _ = request(balancer.port, "GET", path)
        if status != 200:
            stale_reads.append({"write": index, "read": "GET /posts/:id", "status": status, "ms_after_201": (time.monotonic() - written) * 1000})
        page = request(balancer.port, "GET", newest, headers=range_newest)[1] or []
        if not any(item.get("id") == post["id"] for item in page):
            stale_reads.append({"write": index, "read": "page", "ms_after_201": (time.monotonic() - written) * 1000})
        balancer_reads += 2
    stale = len(stale_reads)
    for poller in pollers:
        poller.start()
    for poller in pollers:
        poller.join()
    if len(seen) < 3:
        failures.append("write %d not visible on every instance within 10 s" % index)
    else:
        visible_after.append(max(seen.values()))
visible_after.sort()
p50 = statistics.median(visible_after) * 1000 if visible_after else float("nan")
p99 = visible_after[min(len(visible_after) - 1, int(len(visible_after) * 0.99))] * 1000 if visible_after else float("nan")
results["coherence"] = {"writes": args.writes, "balancer_reads": balancer_reads, "stale": stale, "stale_reads": stale_reads, "visible_p50_ms": p50, "visible_p99_ms": p99}
report += ["## Targets", "", "| scenario | measured | target | |", "|---|---|---|---|",
           "| coherence: %d writes spread over the 3 instances, each read back 6 times through the balancer (`GET /posts/:id` and the cached page of every post, newest first) | %d stale of %d reads | 0 stale | %s |"
           % (args.writes, stale, balancer_reads, check(stale == 0, "%d stale reads" % stale))]
log("coherence: %d stale of %d; visible everywhere p50 %.1f ms, p99 %.1f ms" % (stale, balancer_reads, p50, p99))

# --- 2. Rolling restart -------------------------------------------------------------------------------
log("rolling restart of the 3 instances under wrk -c200")
load, out = wrk(balancer.port, "/posts", 200, 45)
time.sleep(3)
exit_codes = []
restart_started = time.monotonic()
for instance in instances:
    exit_codes.append(instance.terminate())
    instance.start()
    if not balancer.wait_for("posts%d" % instance.number, "UP"):
        failures.append("posts%d not back up after its restart" % instance.number)
restarts_took = time.monotonic() - restart_started
rolling = wrk_result(load, out)
rolling["exit_codes"] = exit_codes
rolling["restarts_s"] = restarts_took
results["rolling_restart"] = rolling
ok = rolling["non2xx"] == 0 and rolling["socket_errors"] == 0 and exit_codes == [0, 0, 0] and restarts_took < 42
report.append("| rolling restart (SIGTERM one at a time, each back in rotation before the next) under `wrk -c200 -d45s` `GET /posts` | %d requests, %d non-2xx, %d socket errors; exits %s; restarts took %.0f s | 0 non-2xx, 0 socket errors, exit 0 | %s |"
              % (rolling["requests"], rolling["non2xx"], rolling["socket_errors"], exit_codes, restarts_took, check(ok, "rolling restart: %s" % rolling)))
log("rolling restart: %s" % rolling)

# --- 3. kill -9 --------------------------------------------------------------------------------------
log("kill -9 of one instance under wrk -c200")
load, out = wrk(balancer.port, "/posts", 200, 15)
time.sleep(4)
instances[1].kill()
time.sleep(5)
instances[1].start()
killed = wrk_result(load, out)
balancer.wait_for("posts2", "UP")
results["kill9"] = killed
failed = killed["non2xx"] + killed["socket_errors"]
report.append("| `kill -9` of one instance under `wrk -c200 -d15s` `GET /posts` (restarted 5 s later) | %d requests, %d failed | 0 failed (retries) | %s |"
              % (killed["requests"], failed, check(failed == 0, "kill -9: %d failed" % failed)))
log("kill -9: %s" % killed)

# --- 4. Replica stopped and started -------------------------------------------------------------------
log("replica stopped and started under wrk -c200 (uncached GET /posts/:id)")
some_id = request(balancer.port, "GET", "/posts")[1][0]["id"]
marks = [instance.log_text().count("reading from the replica again") for instance in instances]
load, out = wrk(balancer.port, "/posts/" + some_id, 200, 20)
time.sleep(4)
subprocess.run(["bash", "-c", os.environ["SCALE_REPLICA_STOP"]], check=True)
time.sleep(6)
subprocess.run(["bash", "-c", os.environ["SCALE_REPLICA_START"]], check=True)
replica_run = wrk_result(load, out)
deadline = time.monotonic() + 15
while time.monotonic() < deadline:
    back = [instance.log_text().count("reading from the replica again") > mark for instance, mark in zip(instances, marks)]
    if all(back):
        break
    request(balancer.port, "GET", "/posts/" + some_id)
    time.sleep(0.2)


def replica_reads():
    query = "SELECT sum(xact_commit) FROM pg_stat_database"
    return int(subprocess.run([os.environ["SCALE_PSQL"], args.replica, "-Atc", query], capture_output=True, text=True, check=True).stdout.strip())


time.sleep(3)  # a backend's statistics reach pg_stat_database when it exits (idle 1 s) or every second or more
before = replica_reads()
for _ in range(60):
    request(balancer.port, "GET", "/posts/" + some_id)
time.sleep(3)  # a backend's statistics reach pg_stat_database when it exits (idle 1 s) or every second or more
served_by_replica = replica_reads() - before
replica_run["back_on_replica"] = all(back)
replica_run["replica_transactions_for_60_reads"] = served_by_replica
results["replica_stop"] = replica_run
failed = replica_run["non2xx"] + replica_run["socket_errors"]
report.append("| replica stopped (`pg_ctl stop -m fast`) 4 s into `wrk -c200 -d20s` `GET /posts/:id` (uncached), started 6 s later | %d requests, %d failed; every instance logged it was reading from the replica again: %s; the replica ran %d transactions for 60 reads after | 0 failed, back on the replica | %s |"
              % (replica_run["requests"], failed, "yes" if all(back) else "no", served_by_replica,
                 check(failed == 0 and all(back) and served_by_replica >= 60, "replica stop: %s" % replica_run)))
log("replica stop/start: %s" % replica_run)

# --- 5. One instance and three -------------------------------------------------------------------------
log("throughput with 1 and 3 instances")
throughput = {}


def measure(label, live):
    for path, name in (("/posts", "GET /posts (cached page)"), ("/posts/" + some_id, "GET /posts/:id (read from the replica)")):
        pids = [instance.process.pid for instance in live] + [balancer.process.pid]
        app_before, db_before = cpu_ticks(pids), postgres_ticks()
        load, out = wrk(balancer.port, path, 100, 10)
        result = wrk_result(load, out)
        ticks = os.sysconf("SC_CLK_TCK")
        result["app_cpu_us"] = (cpu_ticks(pids) - app_before) / ticks / max(result["requests"], 1) * 1e6
        result["db_cpu_us"] = (postgres_ticks() - db_before) / ticks / max(result["requests"], 1) * 1e6
        throughput[(label, name)] = result


for instance in instances[1:]:
    instance.terminate()
for instance in instances[1:]:
    balancer.wait_for("posts%d" % instance.number, "DOWN")
measure("1", instances[:1])
for instance in instances[1:]:
    instance.start()
    balancer.wait_for("posts%d" % instance.number, "UP")
measure("3", instances)
results["throughput"] = {"%s instances, %s" % key: value for key, value in throughput.items()}
report += ["", "## One instance and three (`wrk -t2 -c100 -d10s` through HAProxy)", "",
           "| request | instances | req/s | instances + HAProxy CPU µs/request | PostgreSQL CPU µs/request | non-2xx |", "|---|---|---|---|---|---|"]
for (label, name), result in throughput.items():
    report.append("| %s | %s | %s | %.0f | %.0f | %d |" % (name, label, "{:,.0f}".format(result["rps"]), result["app_cpu_us"], result["db_cpu_us"], result["non2xx"] + result["socket_errors"]))
report += ["", "The machine has 2 cores, shared by every instance, HAProxy, both PostgreSQL servers and wrk: three instances "
           "cannot be faster than one here, they only split the same 2 cores. What carries over to a machine per instance "
           "is the CPU per request: at N µs of instance CPU per request, one core serves about 1,000,000 / N requests per second.",
           "", "## Coherence", "",
           "Time from a write's 201 until every instance serves it (`GET /posts/:id` and the page of every post, polled on each instance directly by three Python threads, so the figure includes the polls' own time): "
           "p50 **%.1f ms**, p99 **%.1f ms** over %d writes." % (p50, p99, len(visible_after))]

for instance in instances:
    instance.terminate()
balancer.process.terminate()
balancer.process.wait()
json.dump(results, open(os.path.join(args.out, "results.json"), "w"), indent=2, default=str)
if failures:
    report += ["", "## Missed", ""] + ["- " + failure for failure in failures]
open(os.path.join(args.out, "report.md"), "w").write("\n".join(report) + "\n")
print("\n".join(report))
sys.exit(1 if failures else 0)
