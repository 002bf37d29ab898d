"""Render a paper's results into Markdown snippets the review page includes.

Writes docs/generated/<paper>/:

* results.md — claims, paper vs ours with their verdicts, then one table per experiment;
* claims.json — every claim with its verdict, for the site's claims ledger (`ledger.py`);
* figures.md — the paper's figures (from `reproductions/<paper>/report.py`);
* provenance.md — which code, packages and machine produced each result;
* <name>.md — any snippet the paper's report.py `snippets(ctx)` returns (e.g. the
  numbers an open question's answer rests on; paper.yaml names it in `results`).

Every number names its profile and trial count. Shown: the profile the
pipeline ran, plus the paper profile whenever its (committed) results exist.
"""

from __future__ import annotations

import csv
import importlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from tabulate import tabulate

from ..atomic import write_text_atomic
from ..config import PACKAGE, ROOT, load_experiments
from ..runner import load_kept_run, load_results
from . import ledger
from .claims import load_review
from .measures import MEASURES
from .text import escape_html_text, escape_markdown_text, mark_bare_math, plain_math


@dataclass
class ReportContext:
    paper: dict
    experiments: dict            # resolved for the primary profile
    results: dict                # profile -> experiment -> results (or missing)
    profiles: list[str]          # profiles shown, in column order
    out_dir: Path
    #: paper-profile runs not gathered yet: experiment -> its finished chunks (`load_kept_run`)
    kept: dict = field(default_factory=dict)

    def shown(self, profile: str, experiment: str) -> tuple[dict | None, str]:
        """The results a table shows for one profile, and their label: gathered results,
        or for the paper profile the finished trials of a kept run ("so far")."""
        result = self.results[profile].get(experiment)
        if result is not None:
            return result, profile_label(profile, result)
        kept = self.kept.get(experiment) if profile == "paper" else None
        if kept is not None:
            return kept, f"{profile}, {len(kept['trials'])} trials so far (run not finished)"
        return None, profile_label(profile, None)

    def run(self, experiment: str, profile: str | None = None) -> tuple[str | None, dict | None, dict | None]:
        """(profile, results, the config they ran with) for `profile` or the best one with
        results (`best_profile`); Nones if none ran. Figures read trained nets through this."""
        profile = profile or self.best_profile(experiment)
        result = self.results.get(profile, {}).get(experiment) if profile else None
        if not result:
            return None, None, None
        return profile, result, result["provenance"]["config"]

    def best_profile(self, experiment: str) -> str | None:
        """The highest-fidelity profile with results for `experiment`."""
        for profile in ("paper", "default", "smoke"):
            if profile in self.profiles and self.results[profile].get(experiment):
                return profile
        return None


def profile_label(profile: str, results: dict | None) -> str:
    if not results:
        return f"{profile} (not run)"
    return f"{profile}, {len(results['trials'])} trials"


def claims_table(ctx: ReportContext) -> str:
    """Claims, the paper's number and ours, with the verdict (reproductions.reporting.ledger)."""
    return ledger.claims_table(ctx)


#: what a cell holds when there is nothing to show; a column of only these is dropped
EMPTY_CELLS = ("", "—", "-")


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown (pipe) table; cells are shown as given, numbers already formatted. A
    column empty in every row says nothing and is left out."""
    if rows:
        keep = [i for i in range(len(header)) if any(row[i].strip() not in EMPTY_CELLS for row in rows)]
        header = [header[i] for i in keep]
        rows = [[row[i] for i in keep] for row in rows]
    return tabulate(rows, headers=header, tablefmt="pipe", disable_numparse=True)


def split_profiles(ctx: ReportContext, name: str) -> tuple[list[str], list[str]]:
    """(the profile a table shows, the others, folded away): the paper profile where it has
    results for `name` (or a kept run), else the profile the pipeline ran."""
    main = "paper" if "paper" in ctx.profiles and ctx.shown("paper", name)[0] is not None else ctx.profiles[0]
    return [main], [p for p in ctx.profiles if p != main]


def experiment_rows(ctx: ReportContext, name: str, profiles: list[str] | None = None):
    """(profile cell, learning rate, its trials, compute cell) per profile with results, and
    per learning rate where the experiment is a grid: the rows of every results table."""
    for profile in profiles or ctx.profiles:
        result, label = ctx.shown(profile, name)
        if result is None:
            continue
        kept = result is ctx.kept.get(name)
        seconds = result["compute_seconds"] if kept else result["provenance"].get("compute_seconds", 0)
        rates = sorted({t["learning_rate"] for t in result["trials"]})
        for rate in rates:
            trials = [t for t in result["trials"] if t["learning_rate"] == rate]
            compute = f"{seconds:,.0f} s" + (" (whole grid)" if len(rates) > 1 else "")
            yield f"{profile} (so far: run not finished)" if kept else profile, rate, trials, compute


def experiment_table(ctx: ReportContext, name: str, profiles: list[str] | None = None) -> str:
    """One row per profile, and per learning rate where the experiment is a grid; the
    columns the experiment declares (`table:`, a list of measures), or these."""
    declared = ctx.experiments.get(name, {}).get("table")
    if declared:
        return declared_table(ctx, name, declared, profiles)
    header = ["Profile", "Learning rate", "Trials", "Learned", "Sequences to learn, median [IQR]",
              "Generalisation, median [IQR]", "Best", "Compute"]
    rows = []
    binned = False
    for profile, rate, trials, compute in experiment_rows(ctx, name, profiles):
        row = [profile, f"{rate:g}", str(len(trials)), MEASURES["percent_solved"](trials)[1],
               MEASURES["median_sequences"](trials)[1]]
        if "bin_accuracy" in trials[0]:  # accuracy per length bin (Bhattamishra et al. 2020)
            binned = True
            row += ["; ".join(f"{low}–{high}: {MEASURES[f'bin{i + 1}_accuracy'](trials)[1]}"
                              for i, (low, high) in enumerate(trials[0]["bins"])), "—"]
        elif "generalisation" in trials[0]:
            row += [MEASURES["median_generalisation"](trials)[1], MEASURES["best_generalisation"](trials)[1]]
        else:
            row += ["—", "—"]
        rows.append(row + [compute])
    if binned:
        header[5:7] = ["Test strings correct per length bin, mean [lowest–highest trial]", "—"]
    return markdown_table(header, rows) if rows else ""


def declared_table(ctx: ReportContext, name: str, measures: list[str], profiles: list[str] | None = None) -> str:
    """A results table whose columns are the measures an experiment declares, each headed
    by its `heading` (reporting/measures.py: measure)."""
    header = ["Profile", "Learning rate", "Trials", *(MEASURES[m].heading for m in measures), "Compute"]
    rows = [[profile, f"{rate:g}", str(len(trials)), *(MEASURES[m](trials)[1] for m in measures), compute]
            for profile, rate, trials, compute in experiment_rows(ctx, name, profiles)]
    return markdown_table(header, rows) if rows else ""


def trial_downloads(ctx: ReportContext, name: str, profile: str) -> str:
    """Every trial of one experiment at one profile as CSV and JSONL beside the page, and the
    line that links them ("" if it has no gathered results)."""
    result = ctx.results.get(profile, {}).get(name)
    if not result:
        return ""
    stem = f"{name}-{profile}-trials"
    trials = result["trials"]
    write_text_atomic("".join(json.dumps(t, ensure_ascii=False) + "\n" for t in trials), ctx.out_dir / f"{stem}.jsonl")
    columns = list(dict.fromkeys(key for t in trials for key in t))
    table = io.StringIO()
    writer = csv.DictWriter(table, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for t in trials:  # a list (the n accepted beyond the range) as one cell, space-separated
        writer.writerow({k: " ".join(map(str, v)) if isinstance(v, list) else v for k, v in t.items()})
    write_text_atomic(table.getvalue(), ctx.out_dir / f"{stem}.csv")
    where = f"../generated/{ctx.paper['id']}/{stem}"
    return (f"Every trial ({profile} profile, {len(trials)} trials): [CSV]({where}.csv) · "
            f"[JSONL]({where}.jsonl)")


def experiment_section(ctx: ReportContext, name: str) -> str:
    """An experiment's table at the profile that decides, the other profiles' rows folded, and
    its trials to download."""
    main, others = split_profiles(ctx, name)
    parts = [experiment_table(ctx, name, main) or "*Not run yet.*", ""]
    downloads = trial_downloads(ctx, name, main[0])
    if downloads:
        parts += [downloads, ""]
    # the one command that makes this table's rows again (nothing retrains a committed result)
    parts += [f"Reproduce: `snakemake {ctx.paper['id']}_{name} --cores 2 --config profile={main[0]}`", ""]
    other = experiment_table(ctx, name, others) if others else ""
    if other:
        parts += [ledger.folded(f"Quick check: the {', '.join(others)} profile", other), ""]
    return "\n".join(parts)


def probe_section(ctx: ReportContext, name: str) -> str:
    """A probing experiment's table (reporting/probes.py), in place of the training table."""
    from .probes import feature_classes, probe_table

    parts = []
    for profile in ctx.profiles:
        result = ctx.results[profile].get(name)
        if result:
            label = f"{result['trials'][0]['embedding']}, {profile_label(profile, result)}"
            parts.append(probe_table(result["trials"], label, feature_classes(result)))
    return "\n\n".join(parts) or "Not run yet."


def provenance_section(ctx: ReportContext) -> str:
    header = ["Experiment", "Profile", "Trials", "Commit", "Date", "Packages", "Training path", "Machine"]
    rows = []
    for profile in ctx.profiles:
        for name, result in sorted(ctx.results[profile].items()):
            if not result:
                continue
            prov = result["provenance"]
            commit = (prov["git"]["commit"] or "no git")[:10] + (" (dirty)" if prov["git"]["dirty"] else "")
            machine = f"{prov['machine']['processor']}, {prov['machine']['cpus']} cpus"
            rows.append([f"<code>{ledger.breakable(name)}</code>", profile, str(len(result["trials"])), f"`{commit}`",
                         str(prov["date"]).replace("T", " "),
                         f"torch {prov['packages']['torch']}, numpy {prov['packages']['numpy']}",
                         ", ".join(prov.get("training_path", [])), escape_markdown_text(machine)])
    lines = [markdown_table(header, rows)]
    lines += ["", "*A commit marked (dirty) had code or configuration changes not yet committed when the run "
              "started (changed result data do not count). Every gathered paper-profile result committed here "
              "is checked against the current code anyway: `tests/test_committed_results.py` retrains its "
              "quickest trial (where that would take too long, its first few thousand sequences) and compares "
              "the weights bit for bit. The trials of a run still training (\"so far\") are checked once "
              "it is gathered.*"]
    return "\n".join(lines)


def figure_markdown(paper_id: str, figures: list[tuple[str, str]], out_dir: Path | None = None) -> str:
    """Markdown for (filename, caption) figures of docs/generated/<paper_id>/, for a snippet
    that a review page (docs/reviews/) includes: each figure shown at half its pixel size
    (saved at twice the resolution, sharp on any screen), a click opening it full size, its
    caption below; the site numbers them in page order (docs/hooks/site.py)."""
    lines = []
    out_dir = Path(out_dir or ROOT / "docs" / "generated" / paper_id)
    for filename, caption in figures:
        alt = escape_html_text(plain_math(caption))  # alt text is plain; the caption renders math
        caption = mark_bare_math(caption)
        src = f"../generated/{paper_id}/{filename}"
        size = display_width(out_dir / filename)
        width = f' width="{size}"' if size else ""
        lines += ['<figure class="result-figure" markdown="block">',
                  f'<a href="{src}" title="Open the figure at full size"><img src="{src}" alt="{alt}"{width}></a>',
                  f'<figcaption markdown="span">{caption}</figcaption>', "</figure>", ""]
    return "\n".join(lines)


def display_width(path: Path) -> int | None:
    """Half the PNG's pixel width (figures are saved at twice the display resolution)."""
    try:
        from PIL import Image

        with Image.open(path) as image:
            return image.width // 2
    except (OSError, ImportError):
        return None


def render_paper(paper_id: str, profile: str, out_dir: Path | None = None, results_root: Path | None = None) -> Path:
    paper_dir = PACKAGE / paper_id
    paper = load_review(paper_dir)
    experiments = load_experiments(paper_dir, profile)
    out_dir = Path(out_dir or ROOT / "docs" / "generated" / paper_id)
    out_dir.mkdir(parents=True, exist_ok=True)
    profiles = [profile] + (["paper"] if profile != "paper" else [])
    kwargs = {"results": results_root} if results_root else {}
    results = {p: {e: load_results(p, paper_id, e, **kwargs) for e in experiments} for p in profiles}
    kept = {}
    if profile != "paper":
        paper_profile = load_experiments(paper_dir, "paper")
        for name in experiments:
            if not results["paper"].get(name) and name in paper_profile:
                kept[name] = load_kept_run(paper_profile[name], **kwargs)
    kept = {name: run for name, run in kept.items() if run}
    # show the paper profile only where its results (or a kept run's first chunks) exist
    profiles = [p for p in profiles if p == profile or any(results[p].values()) or kept]
    ctx = ReportContext(paper, experiments, results, profiles, out_dir, kept)

    entries = ledger.claim_entries(ctx)
    ledger.write_ledger(ctx, entries)
    parts = ["#### Claims: the paper's numbers and ours", "", ledger.counts_text([e["verdict"] for e in entries]), "",
             ledger.claims_table(ctx, entries), ""]
    others = ledger.other_profiles_table(ctx, entries)
    if others:
        parts += [ledger.folded("Quick check: ours at the other profiles", others), ""]
    for name, experiment in experiments.items():
        # the id lets an open question link to this table (docs/hooks/site.py: experiment_anchor);
        # math in the heading is typeset, in the table of contents too (the site's hook)
        parts += [f"#### {escape_markdown_text(experiment['title'])} {{ #results-{name} }}", "",
                  experiment_section(ctx, name) if experiment.get("kind") != "probe" else probe_section(ctx, name), ""]
    write_text_atomic("\n".join(parts), out_dir / "results.md")

    figures = []
    if (paper_dir / "report.py").exists():
        module = importlib.import_module(f"reproductions.{paper_id}.report")
        figures = module.figures(ctx)
        # optional: named Markdown snippets, e.g. the numbers behind an open question's answer
        for snippet, text in getattr(module, "snippets", lambda ctx: {})(ctx).items():
            write_text_atomic(text, out_dir / f"{snippet}.md")
    write_text_atomic(figure_markdown(paper_id, figures, out_dir) or "No figures yet.\n", out_dir / "figures.md")
    write_text_atomic(provenance_section(ctx) + "\n", out_dir / "provenance.md")
    return out_dir
