#!/usr/bin/env python3
"""Memory per idle kept-alive connection: RssAnon before and after N connections that each made one request.

usage: bench/conn_memory.py POSTS_BIN [N=5000] [PATH=/posts]

Seeds bench/posts.json into a fresh SQLite directory, starts the server with the cache off, warms it up,
then opens N connections one after another, each sending one GET PATH and reading the whole response,
and holds them open. Prints idle RssAnon, RssAnon with the N connections, the difference per connection
and VmHWM, from /proc. Raises the open-file limit to its hard limit (N + ~100 descriptors are needed).
"""
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time

binary = os.path.abspath(sys.argv[1])
count = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
path = sys.argv[3] if len(sys.argv) > 3 else "/posts"
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
if count < 1:
    sys.exit("conn_memory: N must be at least 1")
if count + 100 > hard:
    sys.exit("conn_memory: %d connections need %d open files; the hard limit is %d" % (count, count + 100, hard))

work = tempfile.mkdtemp(prefix="conn-memory.")
subprocess.run([binary, "seed", "--file", os.path.join(root, "bench/posts.json")], cwd=work, check=True, capture_output=True)
with socket.socket() as probe:
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
env = {**os.environ, "PORT": str(port), "HOST": "127.0.0.1", "CACHE": "off", "LOG_LEVEL": "error", "SHUTDOWN_GRACE": "0"}
server = subprocess.Popen([binary], cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def status():
    fields = {}
    for line in open("/proc/%d/status" % server.pid):
        key, value = line.split(":", 1)
        fields[key] = value.strip()
    return {key: int(fields[key].split()[0]) for key in ("RssAnon", "RssFile", "VmHWM")}


def request(conn):
    conn.sendall(("GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % path).encode())
    data = b""
    while b"\r\n\r\n" not in data:
        data += conn.recv(65536)
    head, body = data.split(b"\r\n\r\n", 1)
    length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length"))
    while len(body) < length:
        body += conn.recv(65536)


held = []
try:
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port)).close()
            break
        except OSError:
            time.sleep(0.1)
    warm = socket.create_connection(("127.0.0.1", port))
    for _ in range(50):
        request(warm)
    warm.close()
    time.sleep(0.5)
    idle = status()
    for _ in range(count):
        conn = socket.create_connection(("127.0.0.1", port))
        request(conn)
        held.append(conn)
    time.sleep(1)
    loaded = status()
    print("idle RssAnon %d kB, RssFile %d kB; with %d connections RssAnon %d kB (%.2f KB per connection), VmHWM %d kB" % (
        idle["RssAnon"], idle["RssFile"], count, loaded["RssAnon"], (loaded["RssAnon"] - idle["RssAnon"]) / count, loaded["VmHWM"]))
finally:
    for conn in held:
        conn.close()
    server.terminate()
    server.wait(timeout=30)
    subprocess.run(["rm", "-rf", work])
