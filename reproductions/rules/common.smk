# Rules every paper shares: train a chunk of trials, gather chunks, render the
# paper's tables and figures, execute its notebook. A paper's rules.smk adds
# its named targets (and any rule of its own).
import json
import os
from pathlib import Path

from reproductions.config import experiment_hash, ROOT
from reproductions.runner import chunk_name, chunks


wildcard_constraints:
    profile=PROFILE,
    paper="[a-z][a-z0-9_]*",
    experiment="[A-Za-z0-9_]+",
    first=r"\d+",
    last=r"\d+",


# The checkpoint interval reaches the training jobs through the environment, not as a
# rule's param or in its command: Snakemake re-runs a job whose params or command change,
# and this setting does not change results. (A cluster job re-reads this file, and sets it
# again from the same --config.)
os.environ["REPRODUCTIONS_CHECKPOINT_SECONDS"] = str(PIPELINE["checkpoint_seconds"])


def experiment_config(wildcards):
    return PAPERS[wildcards.paper]["experiments"][wildcards.experiment]


def results_dir(paper, experiment, profile=PROFILE):
    return f"results/{profile}/{paper}/{experiment}"


def experiment_outputs(paper, experiment):
    return [f"{results_dir(paper, experiment)}/trials.jsonl"]


def paper_outputs(paper):
    """What `all` and `site` need of a paper: its rendered results and notebook."""
    outputs = [f"docs/generated/{paper}/results.md"]
    if (PAPERS[paper]["dir"] / "explore.py").exists():
        outputs.append(f"docs/generated/{paper}/explore.ipynb")
    return outputs


def committed_results(paper):
    """Paper-profile results already on disk (committed data), shown beside this profile's."""
    if PROFILE == "paper":
        return []
    return [str(p) for p in Path("results/paper").glob(f"{paper}/*/trials.jsonl")]


# What a job needs, so that a cluster scheduler can place it. A chunk is one
# ensemble on one core; its time limit follows the profile (the paper profile's
# longest chunks take hours) and doubles on a retry, which resumes from the
# chunk's checkpoint. Memory is mostly the Python, torch and numba runtime.
CHUNK_MINUTES = {"smoke": 10, "default": 60, "paper": 24 * 60}
CHUNK_MEM_MB = 2000
# Gathering and the site build only move and render files: they run where
# Snakemake runs, not as cluster jobs that would mostly wait in the queue.
localrules:
    gather,
    site,


def chunk_runtime(wildcards, attempt):
    return CHUNK_MINUTES[PROFILE] * 2 ** (attempt - 1)


rule train_chunk:
    output:
        trials="results/{profile}/{paper}/{experiment}/chunks/{first}-{last}/trials.jsonl",
        weights="results/{profile}/{paper}/{experiment}/chunks/{first}-{last}/weights.pt",
        info="results/{profile}/{paper}/{experiment}/chunks/{first}-{last}/chunk.json",
    log:
        "logs/{profile}/{paper}/{experiment}/chunk-{first}-{last}.log",
    params:
        # a changed experiment definition re-runs its jobs; settings that do not change
        # results (the checkpoint interval) are no params, so changing them re-runs nothing
        config_hash=lambda w: experiment_hash(experiment_config(w)),
    threads: 1
    resources:
        mem_mb=CHUNK_MEM_MB,
        runtime=chunk_runtime,
    shell:
        # as many math-library threads as the job was given cores, on any node
        "OMP_NUM_THREADS={threads} MKL_NUM_THREADS={threads} {PYTHON} -m reproductions run {wildcards.paper} {wildcards.experiment} --profile {wildcards.profile}"
        " --trials {wildcards.first}-{wildcards.last} --out $(dirname {output.trials}) > {log} 2>&1"


rule gather:
    input:
        lambda w: [
            f"{results_dir(w.paper, w.experiment, w.profile)}/chunks/{chunk_name(a, b)}/trials.jsonl"
            for a, b in chunks(experiment_config(w))
        ],
    output:
        trials="results/{profile}/{paper}/{experiment}/trials.jsonl",
        weights="results/{profile}/{paper}/{experiment}/weights.pt",
        provenance="results/{profile}/{paper}/{experiment}/provenance.json",
    log:
        "logs/{profile}/{paper}/{experiment}/gather.log",
    params:
        config_hash=lambda w: experiment_hash(experiment_config(w)),
        chunk_dirs=lambda w, input: " ".join(str(Path(p).parent) for p in input),
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    shell:
        "{PYTHON} -m reproductions gather {wildcards.paper} {wildcards.experiment} --profile {wildcards.profile}"
        " --out $(dirname {output.trials}) {params.chunk_dirs} > {log} 2>&1"


rule report:
    input:
        lambda w: [p for e in PAPERS[w.paper]["experiments"] for p in experiment_outputs(w.paper, e)],
        lambda w: committed_results(w.paper),
        "reproductions/{paper}/paper.yaml",
        # a paper's own figures code: editing it re-renders the report
        lambda w: [str(p) for p in [PAPERS[w.paper]["dir"] / "report.py"] if p.exists()],
    output:
        "docs/generated/{paper}/results.md",
        "docs/generated/{paper}/figures.md",
        "docs/generated/{paper}/provenance.md",
    log:
        "logs/" + PROFILE + "/{paper}/report.log",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=30,
    shell:
        "{PYTHON} -m reproductions report {wildcards.paper} --profile " + PROFILE + " > {log} 2>&1"


rule notebook:
    input:
        source="reproductions/{paper}/explore.py",
        results=lambda w: [p for e in PAPERS[w.paper]["experiments"] for p in experiment_outputs(w.paper, e)],
    output:
        "docs/generated/{paper}/explore.ipynb",
    log:
        "logs/" + PROFILE + "/{paper}/notebook.log",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=30,
    shell:
        "REPRODUCTIONS_PROFILE=" + PROFILE + " {PYTHON} -m reproductions notebook {input.source} {output} > {log} 2>&1"
