#!/usr/bin/env python3
"""Kills the server with SIGKILL in the middle of a write load and checks that no acknowledged write is lost.

usage: durability.py POSTS_BIN WORKDIR [DATABASE_URL]
50 writers POST posts for ~1.5 s; the server is killed with SIGKILL while they write; it is restarted,
and every post that got a 201 must be there, intact. Prints a summary; exits non-zero on any loss.
"""
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

binary, workdir = os.path.abspath(sys.argv[1]), sys.argv[2]
database_url = sys.argv[3] if len(sys.argv) > 3 else None


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start(port):
    env = dict(os.environ, PORT=str(port), HOST="127.0.0.1", API_TOKEN="durable", LOG_LEVEL="warning", CACHE="off", SHUTDOWN_GRACE="0")
    if database_url:
        env["DATABASE_URL"] = database_url
    process = subprocess.Popen([binary, "serve"], cwd=workdir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", "/health")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.05)
    raise SystemExit("server did not start")


port = free_port()
server = start(port)
acked = {}
lock = threading.Lock()
stop = threading.Event()
headers = {"Authorization": "Bearer durable", "Content-Type": "application/json"}


def writer(number):
    sequence = 0
    connection = None
    while not stop.is_set():
        sequence += 1
        title = "writer %d post %d" % (number, sequence)
        body = json.dumps({"title": title, "body": "Кириллица 🚀 \"%d\"\n%s" % (sequence, "x" * (sequence % 50))})
        try:
            if connection is None:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("POST", "/posts", body=body, headers=headers)
            response = connection.getresponse()
            payload = response.read()
            if response.status == 201:
                post = json.loads(payload)
                with lock:
                    acked[post["id"]] = json.loads(body)
        except (OSError, http.client.HTTPException, ValueError):
            connection = None
            time.sleep(0.01)


threads = [threading.Thread(target=writer, args=(n,)) for n in range(50)]
for thread in threads:
    thread.start()
time.sleep(1.5)
os.kill(server.pid, signal.SIGKILL)
server.wait()
with lock:
    acknowledged = dict(acked)
stop.set()
for thread in threads:
    thread.join()

server = start(port)
lost = corrupt = 0
connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
for post_id, sent in acknowledged.items():
    connection.request("GET", "/posts/" + post_id)
    response = connection.getresponse()
    payload = response.read()
    if response.status != 200:
        lost += 1
        continue
    stored = json.loads(payload)
    if stored["title"] != sent["title"] or stored["body"] != sent["body"]:
        corrupt += 1
connection.request("GET", "/posts", headers={"Range": "created_at ..; max=1000"})
listing = connection.getresponse()
all_valid = listing.status in (200, 206) and isinstance(json.loads(listing.read()), list)
server.send_signal(signal.SIGTERM)
server.wait(timeout=10)
print("durability (%s): %d writes acknowledged before SIGKILL, %d lost, %d corrupt, list readable: %s"
      % ("PostgreSQL" if database_url else "SQLite", len(acknowledged), lost, corrupt, all_valid))
sys.exit(0 if acknowledged and lost == 0 and corrupt == 0 and all_valid else 1)
