#!/usr/bin/env python3
"""Writes N posts in bench/posts.json's format to stdout, streamed, deterministic for a given seed.

usage: bench/gen_posts.py N [--seed 1] > posts-N.json
Posts are ~380 bytes like the benchmark's: ids are random UUIDs, created_at advances 0-3 s per post
from 2015-03-01T12:00:00Z (so several share a second), updated_at is a little later.
"""
import argparse
import datetime
import random
import sys
import uuid

parser = argparse.ArgumentParser()
parser.add_argument("count", type=int)
parser.add_argument("--seed", type=int, default=1)
args = parser.parse_args()
rng = random.Random(args.seed)
words = ("api buffer cache concurrency config endpoint error index json kernel latency memory model post "
         "postgres query response route schema serializer status thread throughput timeout trace version").split()
start = datetime.datetime(2015, 3, 1, 12, 0, 0, tzinfo=datetime.timezone.utc)
seconds = 0
out = sys.stdout
out.write("[")
for index in range(args.count):
    seconds += rng.randint(0, 3)
    created = start + datetime.timedelta(seconds=seconds)
    updated = created + datetime.timedelta(seconds=rng.randint(0, 86400))
    title = " ".join(rng.choice(words) for _ in range(rng.randint(3, 6))).capitalize()
    body = " ".join(" ".join(rng.choice(words) for _ in range(rng.randint(6, 12))).capitalize() + "." for _ in range(rng.randint(3, 5)))
    out.write('%s{"id":"%s","title":"%s","body":"%s","created_at":"%s","updated_at":"%s"}' % (
        "," if index else "", uuid.UUID(int=rng.getrandbits(128), version=4), title, body,
        created.strftime("%Y-%m-%dT%H:%M:%SZ"), updated.strftime("%Y-%m-%dT%H:%M:%SZ")))
out.write("]\n")
