"""`python -m reproductions.sources check`: every natural-language source installed at its
pinned version with the files its checksum names (make setup runs it)."""

import sys

from . import SOURCES, check_all

if __name__ == "__main__":
    if sys.argv[1:] != ["check"]:
        sys.exit("usage: python -m reproductions.sources check")
    problems = check_all()
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"{len(SOURCES)} natural-language sources installed and checked: {', '.join(SOURCES)}")
