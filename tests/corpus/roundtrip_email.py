#!/usr/bin/env python3
"""Python's email package as an oracle for clean.

usage: roundtrip_email.py ROUNDTRIP_GMIME SHARED EXAMPLES

Runs ROUNDTRIP_GMIME with a temporary directory to get every corpus
message and its cleaned form (policy trackers), parses both with
email.message_from_bytes(policy=email.policy.default), and compares, for
each message that clean changed: the content types of msg.walk() in
order, and the defects of every part and of every header value, counted
per defect class. The cleaned message may have no class more often than
the original. Prints a FIGURE line; exit 1 on any new defect.
"""
import collections
import email
import email.policy
import os
import subprocess
import sys
import tempfile


def shape(data):
    msg = email.message_from_bytes(data, policy=email.policy.default)
    types, defects = [], collections.Counter()
    for part in msg.walk():
        types.append(part.get_content_type())
        for d in part.defects:
            defects[type(d).__name__] += 1
        for name in part.keys():
            try:
                values = part.get_all(name) or []
            except Exception as e:  # a header the parser gives up on
                defects["header-exception:" + type(e).__name__] += 1
                continue
            for v in values:
                for d in getattr(v, "defects", ()):
                    defects["header:" + type(d).__name__] += 1
    return types, defects


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    tool, shared, examples = sys.argv[1:]
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([tool, shared, examples, tmp], check=False,
                       stdout=subprocess.DEVNULL)
        names = sorted(n[:-5] for n in os.listdir(tmp) if n.endswith(".orig"))
        if not names:
            print("no messages written")
            return 1
        changed = same = bad = 0
        before = collections.Counter()
        for n in names:
            with open(os.path.join(tmp, n + ".orig"), "rb") as f:
                orig = f.read()
            with open(os.path.join(tmp, n + ".clean"), "rb") as f:
                clean = f.read()
            if orig == clean:
                continue
            changed += 1
            ta, da = shape(orig)
            tb, db = shape(clean)
            before.update(da)
            new = {k: db[k] - da[k] for k in db if db[k] > da[k]}
            if ta != tb or new:
                bad += 1
                if bad <= 20:
                    print("FAIL %s: types %s / %s, new defects %s"
                          % (n, ta, tb, new))
            else:
                same += 1
    print("FIGURE clean roundtrip python-email: %d messages, %d changed by "
          "clean, %d with the same parts and no new defect "
          "(%d defects in the originals), %d with new defects"
          % (len(names), changed, same, sum(before.values()), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
