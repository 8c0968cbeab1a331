#!/usr/bin/env python3
"""HTTP fidelity over real sockets: Request-Id, 304 headers, If-Match on writes.

usage: fidelity.py BASE_URL TOKEN
Prints one line per check and exits non-zero on any failure.
"""
import json
import sys
import threading
import urllib.error
import urllib.request
import uuid

base, token = sys.argv[1], sys.argv[2]
failures = 0


def call(method, path, body=None, headers=None):
    request = urllib.request.Request(base + path, method=method, data=body.encode() if body else None, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def check(name, ok, detail=""):
    global failures
    print("%s %s%s" % ("ok  " if ok else "FAIL", name, "" if ok else ": " + detail))
    failures += not ok


auth = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}

sent = str(uuid.uuid4())
_, headers, _ = call("GET", "/health", headers={"X-Request-Id": sent})
request_id = headers.get("Request-Id", "")
check("Request-Id is one fresh UUID", len(request_id) == 36 and request_id != sent and "," not in request_id, request_id)

for path, extra in [("/posts", {}), ("/posts", {"Range": "created_at ..; max=10"}), ("/posts?pretty=true", {})]:
    for coding in ["gzip", "deflate", None]:
        accept = {"Accept-Encoding": coding} if coding else {}
        status, full, _ = call("GET", path, headers={**extra, **accept})
        status304, revalidated, body = call("GET", path, headers={**extra, **accept, "If-None-Match": full.get("ETag", "")})
        wanted = {name: full.get(name) for name in ["ETag", "Vary", "Cache-Control"]}
        got = {name: revalidated.get(name) for name in wanted}
        check(
            "304 for %s %s (%s) carries %s" % (path, extra or "", coding or "identity", ", ".join(wanted)),
            status in (200, 206) and status304 == 304 and got == wanted and None not in got.values() and not body
            and revalidated.get("Content-Type") is None and revalidated.get("Content-Encoding") is None,
            "%d/%d %s vs %s" % (status, status304, got, wanted),
        )

status, created_headers, created = call("POST", "/posts", '{"title":"Fidelity","body":"If-Match"}', auth)
post = json.loads(created)
path = "/posts/" + post["id"]
_, shown, _ = call("GET", path)
check("POST returns the ETag GET gives", status == 201 and created_headers.get("ETag") == shown.get("ETag"))
etag = shown["ETag"]

# Twenty clients PATCH with the ETag they all read: exactly one wins.
results = []
barrier = threading.Barrier(20)


def patch(writer):
    barrier.wait()
    status, headers, body = call("PATCH", path, json.dumps({"title": "Writer %d" % writer}), {**auth, "If-Match": etag})
    results.append((writer, status, headers.get("ETag"), body))


threads = [threading.Thread(target=patch, args=(n,)) for n in range(20)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
winners = [r for r in results if r[1] == 200]
refused = [r for r in results if r[1] == 412 and json.loads(r[3])["id"] == "precondition_failed"]
check("20 concurrent PATCHes with one If-Match: one 200, 19 412", len(winners) == 1 and len(refused) == 19, str(sorted(r[1] for r in results)))
_, now_headers, now = call("GET", path)
check(
    "the winner's write is stored and its ETag is current",
    len(winners) == 1 and json.loads(now)["title"] == "Writer %d" % winners[0][0] and now_headers.get("ETag") == winners[0][2],
)
status, _, _ = call("DELETE", path, headers={**auth, "If-Match": etag})
check("DELETE with a stale If-Match is 412", status == 412)
status, _, _ = call("DELETE", path, headers={**auth, "If-Match": now_headers.get("ETag", "")})
check("DELETE with the current If-Match is 200", status == 200)
sys.exit(1 if failures else 0)
