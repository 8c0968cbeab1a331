#!/usr/bin/env python3
"""Checks GET /docs as a reader gets it, against a server seeded with bench/posts.json.

usage: docs_check.py POSTS_BIN [SCREENSHOT_DIR]

1. Every curl example on the page, replayed as written (its base URL pointed at the test server, each
   on a fresh copy of the seeded database), gets the status the page documents for it.
2. In headless Chromium (selenium, chromium-driver): every path and method of schema.json is on the
   page, every table-of-contents link lands on its section, no console errors, no request leaves the
   server, nothing wider than the window at 390 px; screenshots at 1280 and 390 px go to SCREENSHOT_DIR.
Prints one line per check; exits 1 on any failure.
"""
import html
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request

BIN = os.path.abspath(sys.argv[1])
SHOTS = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else None
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
POST_ID = "dadf6879-fed3-4b5f-8d4e-0ce894784ccf"
COMMENT_ID = "5b1e8a36-0d7f-4c1b-9a53-3c8f2a6e0b11"  # Posts' docsExampleCommentID
failures = 0


def report(ok, what):
    global failures
    failures += 0 if ok else 1
    print("%s %s" % ("ok  " if ok else "FAIL", what))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(directory):
    port = free_port()
    env = {**os.environ, "PORT": str(port), "HOST": "127.0.0.1", "API_TOKEN": "docs", "LOG_LEVEL": "warning", "SHUTDOWN_GRACE": "0"}
    env.pop("DATABASE_URL", None)
    server = subprocess.Popen([BIN, "serve"], cwd=directory, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            urllib.request.urlopen("http://127.0.0.1:%d/health" % port, timeout=1)
            return server, port
        except OSError:
            time.sleep(0.05)
    server.kill()
    sys.exit("docs_check: the server did not start")


work = tempfile.mkdtemp(prefix="posts-docs.")
try:
    seeded = os.path.join(work, "seeded")
    os.makedirs(seeded)
    subprocess.run([BIN, "seed", "--file", os.path.join(ROOT, "bench/posts.json")], cwd=seeded, check=True, capture_output=True)
    with sqlite3.connect(os.path.join(seeded, "data/posts.sqlite")) as db:
        db.execute("INSERT INTO comments (id, post_id, author, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                   (COMMENT_ID, POST_ID, "Ada", "The example comment.", "2015-03-02T10:00:00Z", "2015-03-02T10:00:00Z"))

    server, port = serve(seeded)
    try:
        page = urllib.request.urlopen("http://127.0.0.1:%d/docs" % port).read().decode()
        schema = json.loads(urllib.request.urlopen("http://127.0.0.1:%d/schema.json" % port).read())
    finally:
        server.terminate()
        server.wait(timeout=10)

    # 1. Each example, on a fresh copy of the seeded database.
    examples = re.findall(r'<pre><code class="curl">(.*?)</code></pre>\s*<p>Answers <code class="status">(\d{3})</code>', page, re.S)
    report(len(examples) == sum(len([m for m in item if m != "parameters"]) for item in schema["paths"].values()),
           "one curl example per operation (%d)" % len(examples))
    for index, (command, status) in enumerate(examples):
        command = html.unescape(command)
        copy = os.path.join(work, "example-%d" % index)
        shutil.copytree(seeded, copy)
        server, port = serve(copy)
        try:
            run = subprocess.run(["bash", "-c", command.replace("http://localhost:5000", "http://127.0.0.1:%d" % port)],
                                 env={**os.environ, "API_TOKEN": "docs"}, capture_output=True, text=True, timeout=30)
        finally:
            server.terminate()
            server.wait(timeout=10)
        got = re.match(r"HTTP/1\.1 (\d{3})", run.stdout)
        report(got is not None and got.group(1) == status,
               "%s -> %s (documented %s)" % (command.split(" '")[0] + " " + command.split("'")[1], got.group(1) if got else "?", status))

    # 2. The page in a real browser.
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    options = webdriver.ChromeOptions()
    for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    server, port = serve(seeded)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)
    try:
        driver.set_window_size(1280, 900)
        driver.get("http://127.0.0.1:%d/docs" % port)
        text = driver.find_element(By.TAG_NAME, "body").text
        missing = ["%s %s" % (method.upper(), path) for path, item in schema["paths"].items() for method in item
                   if method != "parameters" and "%s %s" % (method.upper(), path) not in text]
        report(not missing, "every path and method of schema.json is on the page" + (": missing %s" % missing if missing else ""))
        links = [a.get_attribute("href").split("#", 1)[1] for a in driver.find_elements(By.CSS_SELECTOR, "nav a")]
        astray = []
        for index, anchor in enumerate(links):
            driver.execute_script("window.scrollTo(0, 0);")
            driver.find_elements(By.CSS_SELECTOR, "nav a")[index].click()
            # At the top of the window, or as near as the end of the page lets it come.
            where = driver.execute_script(
                "var e = document.getElementById(arguments[0]); if (!e) return null;"
                "var bottom = window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 1;"
                "var top = e.getBoundingClientRect().top; return [top, bottom, window.innerHeight, location.hash];", anchor)
            if where is None or where[3] != "#" + anchor or not (abs(where[0]) < 2 or (where[1] and 0 <= where[0] < where[2])):
                astray.append(anchor)
        report(links and not astray, "every table-of-contents link (%d) lands on its section" % len(links) + (": not %s" % astray if astray else ""))
        resources = driver.execute_script("return performance.getEntriesByType('resource').map(function (r) { return r.name; });")
        report(resources == [], "no request leaves the page" + (": %s" % resources if resources else ""))
        errors = [entry for entry in driver.get_log("browser") if entry["level"] in ("SEVERE", "ERROR")]
        report(not errors, "no console errors" + (": %s" % errors[:3] if errors else ""))
        for width in (1280, 390):
            driver.set_window_size(width, 900)
            driver.get("http://127.0.0.1:%d/docs" % port)
            overflow = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth;")
            report(overflow <= 1, "nothing wider than the window at %d px (overflow %d px)" % (width, overflow))
            if SHOTS:
                os.makedirs(SHOTS, exist_ok=True)
                driver.save_screenshot(os.path.join(SHOTS, "docs-%d.png" % width))
                driver.get("http://127.0.0.1:%d/docs#post-posts" % port)  # an operation with its tables
                driver.save_screenshot(os.path.join(SHOTS, "docs-%d-post-posts.png" % width))
    finally:
        driver.quit()
        server.terminate()
        server.wait(timeout=10)
finally:
    shutil.rmtree(work, ignore_errors=True)

print("docs: %s" % ("all checks passed" if failures == 0 else "%d failed" % failures))
sys.exit(1 if failures else 0)
