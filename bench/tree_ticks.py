#!/usr/bin/env python3
"""CPU ticks (user + system) of a process tree: the root's own and its reaped children's, and every
living descendant's own. usage: bench/tree_ticks.py PID

A child that exits while the tree is being read moves its ticks from its own line to its parent's
reaped-children count, and can land in neither count (PostgreSQL's pool connections close on an
idle timeout right after a run). So the whole tree is read in one quick pass over /proc, between
two reads of the root's line, and read again if the root reaped a child meanwhile.
"""
import os
import sys


def stat(pid):
    """The fields after the command name: [0] state, [1] ppid, [11] utime, [12] stime, [13] cutime, [14] cstime."""
    with open("/proc/%d/stat" % pid) as f:
        return f.read().rsplit(")", 1)[1].split()


def root_ticks(pid):
    fields = stat(pid)
    return sum(int(x) for x in fields[11:15])


def descendants_ticks(root):
    own, children = {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = stat(int(entry))
        except (OSError, IndexError):
            continue
        own[int(entry)] = int(fields[11]) + int(fields[12])
        children.setdefault(int(fields[1]), []).append(int(entry))
    total, stack = 0, [root]
    while stack:
        for child in children.get(stack.pop(), []):
            total += own[child]
            stack.append(child)
    return total


def tree_ticks(root):
    """The tree's ticks; 0 when `root` is gone."""
    try:
        for _ in range(20):
            before = root_ticks(root)
            below = descendants_ticks(root)
            if root_ticks(root) == before:
                break
        return before + below
    except OSError:
        return 0


if __name__ == "__main__":
    print(tree_ticks(int(sys.argv[1])))
