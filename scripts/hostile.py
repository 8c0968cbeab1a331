#!/usr/bin/env python3
"""Sends hostile requests; each must get a 4xx JSON error, the server must stay up, and stored data must not change.

usage: hostile.py BASE_URL TOKEN      prints "hostile: N tried, N failed"
"""
import http.client
import json
import sys
import urllib.parse

base, token = urllib.parse.urlparse(sys.argv[1]), sys.argv[2]


def call(method, path, body=None, headers=None):
    connection = http.client.HTTPConnection(base.hostname, base.port, timeout=10)
    connection.putrequest(method, path, skip_accept_encoding=True)
    for name, value in (headers or {}).items():
        connection.putheader(name, value)
    if body is not None:
        connection.putheader("Content-Length", str(len(body)))
    connection.endheaders(body)
    response = connection.getresponse()
    return response.status, response.getheader("Content-Type") or "", response.read()


auth = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
status, _, before = call("GET", "/posts", headers={"Range": "id ..; max=1000"})
post_id = json.loads(before)[0]["id"]
comments = "/posts/%s/comments" % post_id
status, _, comments_before = call("GET", comments, headers={"Range": "id ..; max=1000"})
injections = ["'; DROP TABLE posts; --", "\" OR 1=1 --", "1' OR '1'='1", "%00", "../../etc/passwd", "<script>", "${jndi:ldap://x}"]
cases = [
    ("POST", "/posts", b'{"title":"\xff\xfe","body":"b"}', auth),
    ("POST", "/posts", b'{"title":"a\\u0000b","body":"b"}', auth),
    ("POST", "/posts", b"[" * 10000 + b"]" * 10000, auth),
    ("POST", "/posts", b'{"title":' + b"9" * 5000 + b',"body":"b"}', auth),
    ("POST", "/posts", b'{"title":1e999,"body":"b"}', auth),
    ("POST", "/posts", b'{"title":"a","title":{"x":1},"body":"b"}', auth),
    ("POST", "/posts", b'{"title":"t","body":"b","id":"00000000-0000-0000-0000-000000000000"}', auth),
    ("POST", "/posts", b"\x00\x01\x02", auth),
    ("POST", "/posts", b'{"title":"t","body":"b"}', {"Authorization": "Bearer " + token + "x", "Content-Type": "application/json"}),
    ("POST", "/posts", b'{"title":"t","body":"b"}', {"Authorization": "bearer", "Content-Type": "application/json"}),
    ("PATCH", "/posts/" + urllib.parse.quote(injections[0]), b'{"title":"x"}', auth),
    ("DELETE", "/posts/" + urllib.parse.quote(injections[1]), None, {"Authorization": "Bearer " + token}),
    ("GET", "/posts?" + "q" * 9000, None, {}),  # 414
    ("GET", "/posts", None, {"X-Big": "b" * 9000}),  # 431
    ("GET", "/posts", None, {"X-F%d" % i: "c" * 4000 for i in range(10)}),  # 431
    ("POST", "/posts", b'{"title":"t","body":"b"}', dict(auth, **{"X-Big": "b" * 9000})),  # 431, nothing stored
    ("POST", comments, b'{"author":"\xff\xfe","body":"b"}', auth),
    ("POST", comments, b'{"author":"a\\u0000b","body":"b"}', auth),
    ("POST", comments, b"[" * 10000 + b"]" * 10000, auth),
    ("POST", comments, b'{"author":"a","author":"b","body":"b"}', auth),
    ("POST", comments, b'{"author":"a","body":"b","post_id":"00000000-0000-0000-0000-000000000000"}', auth),
    ("POST", comments, b'{"author":"a","body":"b"}', {"Authorization": "Bearer x", "Content-Type": "application/json"}),
    ("POST", "/posts/00000000-0000-4000-8000-000000000000/comments", b'{"author":"a","body":"b"}', auth),  # 404: no such post
]
for text in injections:
    cases.append(("GET", "/posts/" + urllib.parse.quote(text, safe=""), None, {}))
    cases.append(("GET", "/posts", None, {"Range": "created_at " + text + ".."}))
    cases.append(("GET", "/posts", None, {"Range": "id ]" + text + "..; max=5"}))
    cases.append(("GET", "/posts", None, {"Range": text}))
    cases.append(("POST", "/posts", json.dumps({"title": text, "body": text, text: 1}).encode(), auth))
    cases.append(("GET", "/comments/" + urllib.parse.quote(text, safe=""), None, {}))
    cases.append(("GET", "/posts/" + urllib.parse.quote(text, safe="") + "/comments", None, {}))
    cases.append(("GET", comments, None, {"Range": "id ]" + text + "..; max=5"}))
    cases.append(("PATCH", "/comments/" + urllib.parse.quote(text, safe=""), b'{"body":"x"}', auth))
failed = 0
for method, path, body, headers in cases:
    try:
        status, content_type, payload = call(method, path, body, headers)
        ok = 400 <= status < 500 and content_type.startswith("application/json") and "id" in json.loads(payload)
    except Exception as error:  # a dropped connection is a failure too
        ok, status = False, str(error)
    if not ok:
        failed += 1
        print("FAIL %s %s %r -> %s" % (method, path[:60], (body or b"")[:50], status))
status, _, after = call("GET", "/posts", headers={"Range": "id ..; max=1000"})
if after != before:
    failed += 1
    print("FAIL: stored posts changed")
status, _, comments_after = call("GET", comments, headers={"Range": "id ..; max=1000"})
if comments_after != comments_before:
    failed += 1
    print("FAIL: stored comments changed")
print("hostile: %d passed, %d failed" % (len(cases) + 2 - failed, failed))
sys.exit(1 if failed else 0)
