#!/usr/bin/env python3
"""Turns fuzz_pattern inputs into a Python-oracle corpus (tests/data/re_oracle.py
format), so that the patterns libFuzzer found are held to Python's own `re`:

  tests/fuzz/pattern_oracle_corpus.py CORPUS_DIR... > /tmp/fuzzed_re.txt
  TS_RE_CORPUS=/tmp/fuzzed_re.txt build/tests/ts_pattern_tests "[oracle]"

Each input is split as fuzz_pattern splits it (tests/fuzz/fuzz_input.h: the
last byte is the flags, the pattern a FuzzedDataProvider random-length string,
the subject the rest). Kept: patterns and subjects that are strict UTF-8 (a
Python str), patterns within the default 4096-byte limit, and cases Python
itself settles within a second (a pattern whose match backtracks for longer
is the cost limit's business, not the oracle's). Dropped on purpose: patterns
with \\N{...}, which tuplestar refuses though Python accepts them
(nodes/pattern/pattern.h).
"""
import multiprocessing
import os
import re
import sys
import warnings

MAX_PATTERN_BYTES = 4096
MAX_FUZZED_PATTERN_BYTES = 8192  # fuzz_input.h's kMaxFuzzedPatternBytes
PYTHON_SECONDS = 1.0


def split_input(data):
    """(pattern bytes, subject bytes), as FuzzedDataProvider splits them."""
    if not data:
        return b"", b""
    body = data[:-1]  # the flags byte comes off the end first
    pattern = bytearray()
    i = 0
    while i < len(body) and len(pattern) < MAX_FUZZED_PATTERN_BYTES:
        c = body[i]
        i += 1
        if c == 0x5C and i < len(body):  # backslash
            c = body[i]
            i += 1
            if c != 0x5C:
                break
        pattern.append(c)
    return bytes(pattern), body[i:]


def escaped(text):
    """The text as re_oracle.py's decode() reads it back (unicode_escape)."""
    out = []
    for ch in text:
        code = ord(ch)
        if ch == "\\":
            out.append("\\\\")
        elif 0x20 <= code < 0x7F:
            out.append(ch)
        elif code <= 0xFFFF:
            out.append("\\u%04x" % code)
        else:
            out.append("\\U%08x" % code)
    return "".join(out)


def python_verdict(case):
    pattern, subject = case
    warnings.simplefilter("ignore")
    try:
        return bool(re.fullmatch(pattern, subject))
    except Exception:  # noqa: BLE001 - any refusal is a verdict
        return None


def main(directories):
    cases = []
    seen = set()
    for directory in directories:
        for name in sorted(os.listdir(directory)):
            with open(os.path.join(directory, name), "rb") as f:
                raw_pattern, raw_subject = split_input(f.read())
            if len(raw_pattern) > MAX_PATTERN_BYTES:
                continue
            try:
                pattern = raw_pattern.decode("utf-8")
                subject = raw_subject.decode("utf-8")
            except UnicodeDecodeError:
                continue
            if "\\N" in pattern or (pattern, subject) in seen:
                continue
            seen.add((pattern, subject))
            cases.append((pattern, subject))

    kept = []
    pool = multiprocessing.Pool(1)
    for case in cases:
        pending = pool.apply_async(python_verdict, (case,))
        try:
            pending.get(PYTHON_SECONDS)
        except multiprocessing.TimeoutError:
            pool.terminate()
            pool = multiprocessing.Pool(1)
            continue
        kept.append(case)
    pool.terminate()

    print("# fuzz_pattern inputs as oracle cases (tests/fuzz/pattern_oracle_corpus.py)")
    for pattern, subject in kept:
        print("P " + escaped(pattern))
        print("t " + escaped(subject))
    print("# %d of %d cases kept" % (len(kept), len(cases)), file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
