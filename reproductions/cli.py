"""Command line of the pipeline's steps: `python -m reproductions COMMAND`.

Snakemake calls these; they also work by hand:

    python -m reproductions validate                      # every paper, every profile
    python -m reproductions run gers2001 anbn --profile smoke --trials 0-3 --out DIR [--gather-into DIR]
    python -m reproductions gather gers2001 anbn --profile smoke --out DIR CHUNK_DIR...
    python -m reproductions report gers2001 --profile default
    python -m reproductions notebook SOURCE.py OUT.ipynb
    python -m reproductions new-paper weiss2018 --title "..." --authors "A; B" --year 2018
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .atomic import WriteError, check_writable
from .config import PACKAGE, PROFILES, ConfigError, discover_papers, load_experiments
from .reporting.claims import load_review


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m reproductions", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("validate", help="validate every paper's metadata and experiments for every profile")

    run = commands.add_parser("run", help="train and evaluate a chunk of trials")
    run.add_argument("paper")
    run.add_argument("experiment")
    run.add_argument("--profile", choices=PROFILES, default="default")
    run.add_argument("--trials", help="FIRST-LAST (inclusive); default all")
    run.add_argument("--out", type=Path, required=True)
    run.add_argument("--gather-into", type=Path, help="then gather this chunk as the whole experiment into DIR")
    # the pipeline sets it in the environment (config/config.yaml: checkpoint_seconds)
    run.add_argument("--checkpoint-seconds", type=float,
                     default=float(os.environ.get("REPRODUCTIONS_CHECKPOINT_SECONDS", 60.0)))

    gather = commands.add_parser("gather", help="gather chunk results into one result")
    gather.add_argument("paper")
    gather.add_argument("experiment")
    gather.add_argument("--profile", choices=PROFILES, default="default")
    gather.add_argument("--out", type=Path, required=True)
    gather.add_argument("chunks", nargs="+", type=Path)

    report = commands.add_parser("report", help="render a paper's tables and figures for the site")
    report.add_argument("paper")
    report.add_argument("--profile", choices=PROFILES, default="default")
    report.add_argument("--out", type=Path, default=None)

    notebook = commands.add_parser("notebook", help="execute a percent-format script into a notebook")
    notebook.add_argument("source", type=Path)
    notebook.add_argument("out", type=Path)

    scaffold = commands.add_parser("new-paper", help="scaffold a paper folder and its review page")
    scaffold.add_argument("id", help="folder name, e.g. weiss2018")
    scaffold.add_argument("--title", required=True)
    scaffold.add_argument("--authors", required=True, help='"First Author; Second Author"')
    scaffold.add_argument("--year", type=int, required=True)
    scaffold.add_argument("--short-title", help='as in the navigation, e.g. "Weiss et al. 2018"')

    args = parser.parse_args(argv)
    try:
        dispatch(args)
    except ConfigError as error:
        sys.exit(f"configuration error: {error}")
    except WriteError as error:
        sys.exit(f"error: {error}")


def dispatch(args) -> None:
    if args.command == "validate":
        for paper_dir in discover_papers():
            load_review(paper_dir)
            for profile in PROFILES:
                load_experiments(paper_dir, profile)
            print(f"{paper_dir.name}: ok")
        return
    if args.command in ("run", "gather"):
        from . import runner

        experiment = load_experiments(PACKAGE / args.paper, args.profile)[args.experiment]
        if args.command == "gather":
            runner.gather(experiment, args.chunks, args.out)
            return
        if args.trials:
            first, last = (int(x) for x in args.trials.split("-"))
        else:
            first, last = 0, experiment["trials"] - 1
        for directory in filter(None, [args.out, args.gather_into]):
            check_writable(directory)  # now, not after hours of training
        runner.run_chunk(experiment, first, last, args.out, args.checkpoint_seconds)
        if args.gather_into:
            runner.gather(experiment, [args.out], args.gather_into)
        return
    if args.command == "report":
        from .reporting.report import render_paper

        render_paper(args.paper, args.profile, args.out)
        return
    if args.command == "new-paper":
        from .scaffold import new_paper

        authors = [a.strip() for a in args.authors.split(";") if a.strip()]
        for path in new_paper(args.id, args.title, authors, args.year, args.short_title):
            print(f"wrote {path}")
        print(f"next: edit those files (see CONTRIBUTING.md), then: snakemake {args.id} --cores 2")
        return
    if args.command == "notebook":
        from .reporting.notebooks import execute_script

        execute_script(args.source, args.out)
