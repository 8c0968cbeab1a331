#!/usr/bin/env python3
"""Smoke test of a generated app's binary over HTTP: the demo app scripts/test builds with
`plinth generate scaffold widget ...` and `... part widget:references ...` (and gadget, made part
by part). Usage: scaffold_smoke.py BASE_URL TOKEN. Exits 1 naming the first check that fails."""
import json
import sys
import urllib.error
import urllib.request
import uuid

base, token = sys.argv[1], sys.argv[2]


def call(method, path, body=None, headers=None, auth=True):
    request = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode())
    if auth:
        request.add_header("Authorization", "Bearer " + token)
    if body is not None:
        request.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, fields, data = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, fields, data = error.code, error.headers, error.read()
    return status, fields, (json.loads(data) if data else None)


def check(condition, what):
    if not condition:
        print("scaffold smoke FAILED: " + what, file=sys.stderr)
        sys.exit(1)
    print("ok  " + what)


status, _, _ = call("POST", "/widgets", {"name": "Sprocket", "size": 3}, auth=False)
check(status == 401, "POST /widgets without the token is 401")
status, fields, widget = call("POST", "/widgets", {"name": "Sprocket", "size": 3})
check(status == 201 and widget["name"] == "Sprocket" and widget["size"] == 3, "POST /widgets creates a widget (201)")
check(fields["Location"] == "/widgets/" + widget["id"], "the Location names it")
wid = widget["id"]
parts = []
for index in range(3):
    status, _, part = call("POST", f"/widgets/{wid}/parts", {"label": f"Part {index}"})
    check(status == 201 and part["widget_id"] == wid and part["label"] == f"Part {index}", f"POST /widgets/:id/parts creates part {index}")
    parts.append(part)
status, _, listed = call("GET", "/widgets")
check(status == 200 and [w["id"] for w in listed] == [wid], "GET /widgets lists it")
status, fields, page = call("GET", f"/widgets/{wid}/parts", headers={"Range": "created_at ..; max=2"})
check(status == 206 and len(page) == 2 and fields.get("Next-Range"), "Range max=2 gives a 206 page of 2 with Next-Range")
status, _, rest = call("GET", f"/widgets/{wid}/parts", headers={"Range": fields["Next-Range"]})
seen = [p["id"] for p in page + rest]
check(status == 200 and sorted(seen) == sorted(p["id"] for p in parts) and len(seen) == 3, "Next-Range gives the last part (200)")
status, fields, shown = call("GET", f"/widgets/{wid}")
check(status == 200 and shown == widget and fields.get("ETag"), "GET /widgets/:id shows it with an ETag")
status, _, _ = call("GET", f"/widgets/{wid}", headers={"If-None-Match": fields["ETag"]})
check(status == 304, "If-None-Match with its ETag is 304")
status, _, error = call("POST", "/widgets", {"name": "", "size": "many"})
check(status == 422 and error["id"] == "unprocessable_entity" and "name" in error["message"] and "size" in error["message"],
      "invalid fields are a 422 naming each")
status, _, error = call("PATCH", f"/widgets/{wid}", {"size": 2.5})
check(status == 422, "a non-integer size is a 422")
status, _, error = call("GET", f"/widgets/{uuid.uuid4()}")
check(status == 404 and error["id"] == "not_found", "an unknown widget is a JSON 404")
status, _, _ = call("POST", f"/widgets/{uuid.uuid4()}/parts", {"label": "Lost"})
check(status == 404, "a part for an unknown widget is a 404")
status, _, changed = call("PATCH", f"/widgets/{wid}", {"size": 4})
check(status == 200 and changed["size"] == 4 and changed["name"] == "Sprocket", "PATCH changes only what it sends")

gadget_body = {"active": True, "made_at": "2015-03-01T12:00:52Z", "code": str(uuid.uuid4()), "notes": "Line one\nLine two ✓"}
status, _, gadget = call("POST", f"/widgets/{wid}/gadgets", gadget_body)
check(status == 201 and all(gadget[k] == v for k, v in gadget_body.items()), "a gadget (bool, timestamp, uuid, text) round-trips")

status, _, deleted = call("DELETE", f"/widgets/{wid}")
check(status == 200 and deleted["id"] == wid, "DELETE /widgets/:id deletes it")
for part in parts:
    status, _, _ = call("GET", "/parts/" + part["id"])
    check(status == 404, f"its part {part['label']} is gone")
status, _, _ = call("GET", "/gadgets/" + gadget["id"])
check(status == 404, "its gadget is gone")
status, _, _ = call("GET", f"/widgets/{wid}/parts")
check(status == 404, "its parts list is a 404")
print("scaffold smoke: all passed")
