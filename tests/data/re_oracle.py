#!/usr/bin/env python3
"""Python's own `re` as the oracle for tuplestar's pattern tests.

The expected verdicts are never stored: the C++ tests run this script and
compare ts::Pattern with whatever the installed python3 says. Every field it
prints is hex-encoded UTF-8 (or a plain word/number), one case per line,
tab-separated, so the C++ side needs no parser for Python literals.

  re_oracle.py CORPUS
      For each case of the corpus: LINE PATTERN TEXT VERDICT POS MESSAGE
      (TEXT is 'none' for a pattern without text; '-' is the empty string)
      VERDICT is match / nomatch / compiled (pattern without text) / error;
      POS is error.pos (-1 when Python gives none, e.g. OverflowError).

  re_oracle.py --codepoints PATTERN_HEX...
      For each pattern: PATTERN then the ranges lo-hi (hex) of the code points
      c (surrogates excluded) for which re.fullmatch(pattern, chr(c)) matches.

  re_oracle.py --version
      The Python version answering (the translator follows 3.11's re).

  re_oracle.py --casefold
      The cased code points, then for each of them c (as CODE) the code points
      d != c that re.fullmatch('(?i)' + re.escape(chr(c)), d) and the class
      form '(?i)[' + ... + ']' match: CODE LITERAL_MATCHES CLASS_MATCHES.

Corpus format: '#' comments and blank lines are skipped. 'p PATTERN' starts a
pattern, verbatim to the end of the line; 'P PATTERN' is the same with Python
backslash escapes decoded (for newlines and other invisibles); each following
't TEXT' line is a subject for it, escapes decoded (\\n, \\t, \\xNN, \\uNNNN,
\\\\). A pattern with no text is a compile-only case.
"""
import codecs
import re
import sys
import warnings

warnings.simplefilter("ignore")  # FutureWarning/DeprecationWarning are not verdicts


def decode(text):
    return codecs.decode(text.encode("ascii", "backslashreplace"), "unicode_escape")


def hexed(text):
    return text.encode("utf-8", "surrogatepass").hex() or "-"


def read_corpus(path):
    cases = []  # (line, pattern, text or None)
    pattern = None
    pattern_line = 0
    pending = False  # pattern seen, no text yet
    with open(path, encoding="utf-8") as corpus:
        for number, raw in enumerate(corpus, 1):
            line = raw.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            kind, _, rest = line.partition(" ")
            if kind in ("p", "P"):
                if pending:
                    cases.append((pattern_line, pattern, None))
                pattern = rest if kind == "p" else decode(rest)
                pattern_line = number
                pending = True
            elif kind == "t":
                if pattern is None:
                    sys.exit(f"{path}:{number}: text before any pattern")
                cases.append((number, pattern, decode(rest)))
                pending = False
            else:
                sys.exit(f"{path}:{number}: line must start with 'p ', 'P ' or 't '")
    if pending:
        cases.append((pattern_line, pattern, None))
    return cases


def verdicts(path):
    for number, pattern, text in read_corpus(path):
        try:
            compiled = re.compile(pattern)
        except Exception as error:  # re.error, OverflowError, RecursionError ...
            pos = getattr(error, "pos", None)
            message = getattr(error, "msg", None) or str(error)
            print(number, hexed(pattern), "none" if text is None else hexed(text), "error",
                  -1 if pos is None else pos, hexed(message), sep="\t")
            continue
        if text is None:
            verdict = "compiled"
        else:
            verdict = "match" if compiled.fullmatch(text) else "nomatch"
        print(number, hexed(pattern), "none" if text is None else hexed(text), verdict, -1, "-",
              sep="\t")


def code_ranges(pattern):
    compiled = re.compile(pattern)
    ranges, start = [], None
    for code in range(0x110001):
        inside = (code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF
                  and compiled.fullmatch(chr(code)) is not None)
        if inside and start is None:
            start = code
        elif not inside and start is not None:
            ranges.append(f"{start:x}-{code - 1:x}")
            start = None
    return ranges


def cased_code_points():
    cased = set()
    for code in range(0x110000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        char = chr(code)
        for other in (char.lower(), char.upper(), char.casefold(), char.title()):
            if other != char:
                cased.add(code)
                if len(other) == 1:
                    cased.add(ord(other))
    return sorted(cased)


def casefold():
    cased = cased_code_points()
    chars = [chr(code) for code in cased]
    print(" ".join(f"{code:x}" for code in cased))
    for code, char in zip(cased, chars):
        literal = re.compile("(?i)" + re.escape(char)).fullmatch
        klass = re.compile("(?i)[" + re.escape(char) + "]").fullmatch
        print(f"{code:x}",
              ",".join(f"{ord(d):x}" for d in chars if d != char and literal(d)) or "-",
              ",".join(f"{ord(d):x}" for d in chars if d != char and klass(d)) or "-",
              sep="\t")


def main(argv):
    if len(argv) == 2 and argv[1] == "--version":
        print("%d.%d.%d" % sys.version_info[:3])
    elif len(argv) == 2 and argv[1] == "--casefold":
        casefold()
    elif len(argv) >= 2 and argv[1] == "--codepoints":
        for pattern_hex in argv[2:]:
            pattern = bytes.fromhex(pattern_hex).decode("utf-8")
            print(pattern_hex, " ".join(code_ranges(pattern)), sep="\t")
    elif len(argv) == 2:
        verdicts(argv[1])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
