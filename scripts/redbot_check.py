#!/usr/bin/env python3
"""Lints one request with REDbot and fails on notes that say a response lacks required headers.

usage: redbot_check.py URL ['Name: value' ...]
REDbot sends the request, then its own follow-ups (If-None-Match for a 304, a Range request, ...).
Prints REDbot's text report; exits 1 when a note says "missing required headers" or the fetch failed.
"""
import sys
from configparser import ConfigParser

import thor
from redbot.formatter import find_formatter
from redbot.resource import HttpResource

url = sys.argv[1]
headers = [tuple(part.strip() for part in header.split(":", 1)) for header in sys.argv[2:]]
parser = ConfigParser()
parser.read_dict({"redbot": {"enable_local_access": "True"}})
config = parser["redbot"]
resource = HttpResource(config)
resource.set_request(url, headers=headers)
report = []
formatter = find_formatter("text", "text", False)(config, resource, report.append, {"tty_out": False, "descend": False})
formatter.bind_resource(resource)


@thor.events.on(formatter)
def formatter_done() -> None:
    thor.stop()


resource.check()
thor.run()
text = "".join(report)
print(text)
failed = resource.fetch_error is not None or "missing required headers" in text
print("%s: %s %s" % ("FAIL" if failed else "ok", url, " ".join(sys.argv[2:])))
sys.exit(1 if failed else 0)
