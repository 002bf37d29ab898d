"""Every claim with its verdict: the review's claims table, the paper's ledger file and the
site's claims ledger.

`render_paper` (report.py) writes, beside results.md, docs/generated/<paper>/claims.json:
each claim of paper.yaml with the paper's number and source, ours (profile, trials, solved
count), the verdict by the one rule (`verdicts.judge`), the anchor of its row on the review
and the command that reproduces it. The site (docs/hooks/site.py) reads those files for the
claims ledger page (`ledger_page`) and the counts line at the top of each review
(`counts_line`). Text from paper.yaml goes through `cell` (escaped) before it is rendered.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from tabulate import tabulate

from ..atomic import write_text_atomic
from ..config import PACKAGE
from .claims import number_text, paper_mean, resolved
from .measures import MEASURES
from .text import escape_markdown_text, math_html
from .verdicts import WORDS, counts, judge

LEDGER_FILE = "claims.json"
#: the ledger's table id (the browser script sorts and filters it)
TABLE_ID = "ledger"


def cell(text) -> str:
    """Text from paper.yaml (or built from it), safe in a Markdown table cell or in the
    ledger's HTML: the shared helper escapes HTML, pipes and the Markdown that makes links."""
    return escape_markdown_text(text)


def claim_anchor(claim_id: str) -> str:
    """The id of a claim's row in its review's claims table."""
    return f"claim-{claim_id}"


def reproduce_command(paper_id: str, experiment: str) -> str:
    """The one command that reproduces a claim's experiment at the paper profile."""
    rules = PACKAGE / paper_id / "rules.smk"
    target = f"{paper_id}_{experiment}"
    if not (rules.exists() and re.search(rf"(?m)^rule {re.escape(target)}:", rules.read_text())):
        target = f"results/paper/{paper_id}/{experiment}/trials.jsonl"
    return f"snakemake {target} --cores 2 --config profile=paper"


def _cap(result: dict) -> int | None:
    return result.get("provenance", {}).get("config", {}).get("train", {}).get("max_sequences")


def claim_entries(ctx) -> list[dict]:
    """One entry per claim: the paper's number, ours at each profile shown, and the verdict
    at the profile that decides (the paper profile where its results exist)."""
    claims = resolved(ctx.paper)
    entries = []
    for claim in claims:
        experiment = claim["experiment"]
        ours = []
        for profile in ctx.profiles:
            result, label = ctx.shown(profile, experiment)
            text = MEASURES[claim["measure"]](result["trials"])[1] if result is not None else "not run"
            ours.append({"profile": profile, "label": label, "text": text})
        decides = ctx.best_profile(experiment)
        result = ctx.results[decides][experiment] if decides else None
        verdict = judge(claim, result["trials"] if result else None, _cap(result) if result else None,
                        paper_mean(claims, experiment))
        entries.append({
            "paper": ctx.paper["id"], "claim": claim["id"], "text": claim["text"], "experiment": experiment,
            "paper_number": number_text(claim["paper"]), "source": claim["source"],
            "ours": ours, "profile": decides, "trials": len(result["trials"]) if result else 0,
            # (a probing trial has no success criterion, so no `solved`)
            "solved": sum(bool(t.get("solved")) for t in result["trials"]) if result else 0,
            "ours_text": MEASURES[claim["measure"]](result["trials"])[1] if result else "not run",
            "verdict": verdict.word, "reasons": verdict.reasons,
            "anchor": claim_anchor(claim["id"]), "command": reproduce_command(ctx.paper["id"], experiment),
        })
    return entries


def verdict_slug(word: str) -> str:
    """The CSS class suffix of a verdict word ("not reproduced" -> "not-reproduced")."""
    return word.replace(" ", "-")


def badge(word: str) -> str:
    """A verdict as a coloured badge, the one wording of `verdicts.WORDS` on every page."""
    return f'<span class="verdict verdict-{verdict_slug(word)}">{word}</span>'


def breakable(name: str) -> str:
    """A code name (`reber_elman`) that may wrap after each `_`, never mid-word."""
    return escape_markdown_text(name).replace("_", "_<wbr>")


def verdict_cell(entry: dict) -> str:
    reasons = "; ".join(entry["reasons"])
    where = f"{entry['profile']} profile, {entry['trials']} trials" if entry["profile"] else ""
    small = "; ".join(x for x in (where, reasons) if x)
    return badge(entry["verdict"]) + (f"<br><small>{cell(small)}</small>" if small else "")


def ours_cell(entry: dict) -> str:
    """Ours at the profile that decides the verdict: the number, then profile and solved of n."""
    if not entry["profile"]:
        return "not run"
    # the solved count once: a rate ("88% (88/100)") or a mean over solved trials already says it
    said = re.search(r"\(\d+/\d+\)|\d+ of \d+ solved", entry["ours_text"])
    count = f"{entry['trials']} trials" if said else f"{entry['solved']} of {entry['trials']} solved"
    return f"{cell(entry['ours_text'])}<br><small>{entry['profile']} profile, {count}</small>"


def paper_cell(entry: dict) -> str:
    return f"{cell(entry['paper_number'])}<br><small>{cell(entry['source'])}</small>"


def claims_table(ctx, entries: list[dict] | None = None) -> str:
    """The review's claims table, verdict first: the verdict by the one rule (at the profile
    that decides it), the claim, the paper's number and source, and ours at that profile
    (with the solved count beside every mean or median). Ours at the other profiles shown
    goes into `other_profiles_table`, folded away on the page."""
    entries = claim_entries(ctx) if entries is None else entries
    header = ["Verdict", "Claim", "Paper (source)", "Ours"]
    rows = [[verdict_cell(entry), f'<span id="{entry["anchor"]}"></span>{cell(entry["text"])}',
             paper_cell(entry), ours_cell(entry)] for entry in entries]
    return tabulate(rows, headers=header, tablefmt="pipe", disable_numparse=True)


def other_profiles_table(ctx, entries: list[dict]) -> str:
    """Ours at every profile shown but the one that decides each verdict (a quick check,
    e.g. the default profile's few trials); empty if there is none."""
    rows = []
    for entry in entries:
        for ours in entry["ours"]:
            if ours["profile"] != entry["profile"] and ours["text"] != "not run":
                rows.append([cell(entry["text"]), f"{cell(ours['text'])}<br><small>{cell(ours['label'])}</small>"])
    if not rows:
        return ""
    return tabulate(rows, headers=["Claim", "Ours"], tablefmt="pipe", disable_numparse=True)


def folded(title: str, body: str) -> str:
    """Markdown for a collapsed block (pymdownx.details) holding `body`."""
    indented = "\n".join(("    " + line) if line else "" for line in body.splitlines())
    return f'??? note "{title}"\n\n{indented}\n'


def glance_table(entries: list[dict], detail_link: str, with_paper: str | None = None) -> str:
    """Results at a glance: one row per claim, the verdict badge first, the claim linked to
    its row in the review's claims table (`detail_link` is the review's page from where the
    table is shown), the paper's number with its source, ours at the deciding profile."""
    header = (["Paper"] if with_paper is not None else []) + ["Verdict", "Claim", "Paper's number (source)", "Ours"]
    rows = []
    for entry in entries:
        row = [with_paper] if with_paper is not None else []
        row += [badge(entry["verdict"]), f"[{cell(entry['text'])}]({detail_link}#{entry['anchor']})",
                paper_cell(entry), ours_cell(entry)]
        rows.append(row)
    return tabulate(rows, headers=header, tablefmt="pipe", disable_numparse=True)


def counts_text(verdicts: list[str]) -> str:
    found = counts(verdicts)
    return " · ".join(f"{found[word]} {word}" for word in WORDS)


def write_ledger(ctx, entries: list[dict]) -> Path:
    path = Path(ctx.out_dir) / LEDGER_FILE
    write_text_atomic(json.dumps({"paper": ctx.paper["id"], "short_title": ctx.paper["short_title"],
                                  "counts": counts([e["verdict"] for e in entries]), "claims": entries},
                                 indent=1, ensure_ascii=False) + "\n", path)
    return path


# --- the site: the ledger page and the counts line ---------------------------------------

def load_ledger(generated: Path, paper_id: str) -> dict | None:
    path = Path(generated) / paper_id / LEDGER_FILE
    return json.loads(path.read_text()) if path.exists() else None


def counts_line(paper: dict, generated: Path, ledger_link: str) -> str:
    """The line at the top of a review: how many of its claims got each verdict."""
    ledger = load_ledger(generated, paper["id"])
    if ledger is None:
        return ""
    total = len(ledger["claims"])
    return (f"**Claims:** {total} in all · " + " · ".join(f"{ledger['counts'][w]} {badge(w)}" for w in WORDS)
            + f" ([claims ledger]({ledger_link}))\n")


def glance_section(paper: dict, generated: Path, review_link: str, ledger_link: str) -> str:
    """The top of a review: its verdict counts, then every claim at a glance (folded open
    when there are many). Empty until the paper's report has written claims.json."""
    ledger = load_ledger(generated, paper["id"])
    if ledger is None:
        return ""
    table = glance_table(ledger["claims"], review_link)
    title = f"Results at a glance: {len(ledger['claims'])} claims"
    block = folded(title, table).replace("??? note", "???+ abstract", 1)
    return counts_line(paper, generated, ledger_link) + "\n" + block


def home_table(papers: list[dict], generated: Path, review_link) -> str:
    """Home's table: per review, how many claims got each verdict, linked to its results at a glance."""
    header = ["Review", "Claims"] + [badge(w) for w in WORDS]
    rows = []
    for paper in papers:
        ledger = load_ledger(generated, paper["id"])
        title = f"[{cell(paper['short_title'])}]({review_link(paper['id'])}#results-at-a-glance)"
        if ledger is None:
            rows.append([title, "not yet run"] + [""] * len(WORDS))
            continue
        rows.append([title, str(len(ledger["claims"]))] + [str(ledger["counts"][w]) for w in WORDS])
    parts = [tabulate(rows, headers=header, tablefmt="pipe", disable_numparse=True), ""]
    for paper in papers:  # each review's claims at a glance, folded: the counts above come first
        ledger = load_ledger(generated, paper["id"])
        if ledger is not None:
            parts.append(folded(f"{cell(paper['short_title'])}: every claim at a glance",
                                glance_table(ledger["claims"], review_link(paper["id"]))))
    return "\n".join(parts)


def ledger_page(papers: list[dict], generated: Path, review_link) -> str:
    """The claims ledger: counts per paper, then every claim of every paper in one table that
    sorts (click a heading) and filters (the box above it) in the browser.
    `review_link(paper_id)` is the review's Markdown path from the ledger page (reviews/<id>.md)."""
    ledgers = [(p, load_ledger(generated, p["id"])) for p in papers]
    lines = ["# Claims ledger", "",
             "Every claim of every review, with the paper's number and where it is printed, ours "
             "(profile, trials, and how many solved beside every mean or median), the verdict by "
             "[the one rule](method.md#verdicts) and the command that reproduces it. Click a column "
             "heading to sort; type in the box to filter.", "",
             "| Paper | Claims | " + " | ".join(w.capitalize() for w in WORDS) + " |",
             "|---|---|" + "---|" * len(WORDS)]
    for paper, ledger in ledgers:
        if ledger is None:
            lines.append(f"| {cell(paper['short_title'])} | not rendered yet |" + " |" * len(WORDS))
            continue
        lines.append(f"| [{cell(paper['short_title'])}]({review_link(paper['id'])}) | {len(ledger['claims'])} | "
                     + " | ".join(str(ledger["counts"][w]) for w in WORDS) + " |")
    lines += ["", '<div class="ledger-filter" markdown="0">',
              f'<label>Filter: <input type="search" id="{TABLE_ID}-filter" '
              'placeholder="a word, a paper, a verdict" aria-controls="ledger"></label> '
              f'<span id="{TABLE_ID}-shown"></span></div>', ""]
    head = ["Paper", "Claim", "Paper's number (source)", "Ours (profile)", "Verdict", "Reproduce"]
    rows = [f'<table id="{TABLE_ID}">', "<thead><tr>"
            + "".join(f'<th role="columnheader">{h}</th>' for h in head) + "</tr></thead>", "<tbody>"]
    for paper, ledger in ledgers:
        for entry in (ledger or {}).get("claims", []):
            page = review_link(paper["id"])
            link = (page[:-3] + ".html" if page.endswith(".md") else page) + f"#{entry['anchor']}"
            ours = (f"{cell(entry['ours_text'])}<br><small>{entry['profile']} profile, {entry['trials']} trials</small>"
                    if entry["profile"] else "not run")
            reasons = f"<br><small>{cell('; '.join(entry['reasons']))}</small>" if entry["reasons"] else ""
            rows.append(
                f'<tr data-verdict="{entry["verdict"]}">'
                f'<td data-sort="{cell(paper["year"])} {cell(paper["id"])}">{cell(paper["short_title"])}</td>'
                f'<td><a href="{link}">{math_html(cell(entry["text"]))}</a></td>'
                f'<td>{math_html(paper_cell(entry))}</td>'
                f"<td>{math_html(ours)}</td>"
                f'<td data-sort="{WORDS.index(entry["verdict"])}">{badge(entry["verdict"])}{reasons}</td>'
                f'<td><code>{cell(entry["command"])}</code></td></tr>')
    rows += ["</tbody>", "</table>", ""]
    return "\n".join(lines + rows)
