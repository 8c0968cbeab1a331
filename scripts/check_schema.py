#!/usr/bin/env python3
"""Validates /schema.json as OpenAPI 3.1 and checks live responses against it.

usage: check_schema.py BASE_URL TOKEN
Each request's status must be documented for its operation, and its JSON body must match the
documented schema. Prints one line per check and exits non-zero on any failure.
"""
import json
import sys
import urllib.error
import urllib.request

from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

base, token = sys.argv[1], sys.argv[2]


def call(method, path, body=None, headers=None):
    request = urllib.request.Request(base + path, method=method, data=body.encode() if body else None, headers=headers or {})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


status, raw = call("GET", "/schema.json")
doc = json.loads(raw)
validate(doc)
print("schema.json is a valid OpenAPI 3.1 document")

failures = 0
auth = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}


def check(method, template, path, body=None, headers=None):
    global failures
    status, raw = call(method.upper(), path, body, headers)
    operation = doc["paths"][template][method]
    documented = operation["responses"].get(str(status))
    problem = None
    if documented is None:
        problem = "status %d is not documented" % status
    elif raw:
        schema = documented.get("content", {}).get("application/json", {}).get("schema")
        if schema is not None:
            validator = Draft202012Validator({**schema, "components": doc["components"]})
            errors = list(validator.iter_errors(json.loads(raw)))
            if errors:
                problem = errors[0].message[:200]
    print("%s %s %s -> %d: %s" % ("FAIL" if problem else "ok  ", method.upper(), path, status, problem or "matches schema.json"))
    failures += problem is not None
    return status, raw


_, created = check("post", "/posts", "/posts", '{"title":"Schema","body":"Checked"}', auth)
post_id = json.loads(created)["id"]
check("get", "/posts", "/posts")
check("get", "/posts", "/posts", headers={"Range": "created_at ..; max=2"})
check("get", "/posts", "/posts", headers={"Range": "nonsense"})
check("get", "/posts", "/posts", headers={"Accept": "application/vnd.posts+json"})
check("get", "/posts/{id}", "/posts/" + post_id)
check("get", "/posts/{id}", "/posts/nope")
check("patch", "/posts/{id}", "/posts/" + post_id, '{"title":"Schema 2"}', auth)
check("patch", "/posts/{id}", "/posts/" + post_id, '{"title":""}', auth)
check("post", "/posts", "/posts", "{bad json", auth)
check("post", "/posts", "/posts", '{"title":"x","body":"y"}', {"Content-Type": "application/json"})
check("post", "/posts", "/posts", "title=x", {**auth, "Content-Type": "application/x-www-form-urlencoded"})
_, comment = check("post", "/posts/{id}/comments", "/posts/%s/comments" % post_id, '{"author":"Ada","body":"Hi"}', auth)
comment_id = json.loads(comment)["id"]
check("post", "/posts/{id}/comments", "/posts/nope/comments", '{"author":"Ada","body":"Hi"}', auth)
check("post", "/posts/{id}/comments", "/posts/%s/comments" % post_id, '{"author":""}', auth)
check("get", "/posts/{id}/comments", "/posts/%s/comments" % post_id)
check("get", "/posts/{id}/comments", "/posts/%s/comments" % post_id, headers={"Range": "id ..; max=1"})
check("get", "/comments/{id}", "/comments/" + comment_id)
check("patch", "/comments/{id}", "/comments/" + comment_id, '{"body":"Edited"}', auth)
check("patch", "/comments/{id}", "/comments/" + comment_id, '{"body":"x"}', {**auth, "If-Match": '"stale"'})
check("delete", "/comments/{id}", "/comments/" + comment_id, headers=auth)
check("get", "/comments/{id}", "/comments/" + comment_id)
check("delete", "/posts/{id}", "/posts/" + post_id, headers=auth)
check("delete", "/posts/{id}", "/posts/" + post_id, headers=auth)
check("get", "/posts/{id}/comments", "/posts/%s/comments" % post_id)
check("get", "/health", "/health")
check("get", "/health/db", "/health/db")
check("get", "/metrics", "/metrics")
sys.exit(1 if failures else 0)
