# Rules every paper shares: train a chunk of trials, gather chunks, render the
# paper's tables and figures, execute its notebook. The targets of papers and
# experiments are in targets.smk; a paper's own rules.smk may add group targets.
# What these rules compute (file names, input functions) is reproductions/pipeline.py.


wildcard_constraints:
    profile=PROFILE,
    paper="[a-z][a-z0-9_]*",
    experiment="[A-Za-z0-9_]+",
    first=r"\d+",
    last=r"\d+",


experiment_config = PIPELINE.experiment_config
committed_results = PIPELINE.committed_results


# What a job needs, so that a cluster scheduler can place it. A chunk is one
# ensemble on one core; its time limit follows the profile and doubles on a retry
# (pipeline.CHUNK_MINUTES). Memory is mostly the Python, torch and numba runtime.
CHUNK_MEM_MB = 2000


# The site build only renders files: it runs where Snakemake runs, not as a cluster job
# that would mostly wait in the queue. (Gathering is a cluster job: for an experiment of
# one chunk it trains that chunk too.)
localrules:
    site,


rule train_chunk:
    output:
        trials="results/{profile}/{paper}/{experiment}/chunks/{first}-{last}/trials.jsonl",
        weights="results/{profile}/{paper}/{experiment}/chunks/{first}-{last}/weights.pt",
        info="results/{profile}/{paper}/{experiment}/chunks/{first}-{last}/chunk.json",
    log:
        "logs/{profile}/{paper}/{experiment}/chunk-{first}-{last}.log",
    # with --software-deployment-method conda; otherwise jobs run in the interpreter
    # running Snakemake (reproductions/rules/conda.yaml)
    conda:
        "conda.yaml"
    threads: 1
    resources:
        mem_mb=CHUNK_MEM_MB,
        runtime=PIPELINE.chunk_runtime,
    params:
        # a changed experiment definition or training code re-runs its jobs; settings that
        # do not change results (the checkpoint interval) are no params, so changing them
        # re-runs nothing
        config_hash=PIPELINE.config_hash,
        code_hash=CODE_HASH,
    shell:
        # as many math-library threads as the job was given cores, on any node
        "OMP_NUM_THREADS={threads} MKL_NUM_THREADS={threads} python -m reproductions run {wildcards.paper} {wildcards.experiment} --profile {wildcards.profile}"
        " --trials {wildcards.first}-{wildcards.last} --out $(dirname {output.trials}) > {log} 2>&1"


# An experiment's results: its chunks joined in trial order, with provenance. An
# experiment of one chunk at this profile has no train_chunk job: this job trains the chunk
# (in results/.../chunks/, where an interrupted run resumes) and joins it, in one process.
rule gather:
    input:
        PIPELINE.chunk_results,
    output:
        trials="results/{profile}/{paper}/{experiment}/trials.jsonl",
        weights="results/{profile}/{paper}/{experiment}/weights.pt",
        provenance="results/{profile}/{paper}/{experiment}/provenance.json",
    log:
        "logs/{profile}/{paper}/{experiment}/gather.log",
    conda:
        "conda.yaml"
    threads: 1
    resources:
        mem_mb=CHUNK_MEM_MB,
        runtime=PIPELINE.gather_runtime,
    params:
        config_hash=PIPELINE.config_hash,
        code_hash=CODE_HASH,
        command=PIPELINE.gather_command,
    shell:
        "OMP_NUM_THREADS={threads} MKL_NUM_THREADS={threads} {params.command} > {log} 2>&1"


rule report:
    input:
        lambda w: [p for e in PAPERS[w.paper]["experiments"] for p in experiment_outputs(w.paper, e)],
        lambda w: committed_results(w.paper),
        "reproductions/{paper}/paper.yaml",
        # the shared reporting code and the paper's own report.py: editing either re-renders
        lambda w: PIPELINE.report_code(w.paper),
    output:
        # (figures and a paper's snippets are named by its report.py, and written beside these)
        "docs/generated/{paper}/results.md",
        "docs/generated/{paper}/claims.json",
        "docs/generated/{paper}/figures.md",
        "docs/generated/{paper}/provenance.md",
    log:
        f"logs/{PROFILE}/{{paper}}/report.log",
    conda:
        "conda.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=30,
    shell:
        f"python -m reproductions report {{wildcards.paper}} --profile {PROFILE} > {{log}} 2>&1"


rule notebook:
    input:
        source="reproductions/{paper}/explore.py",
        results=lambda w: [p for e in PAPERS[w.paper]["experiments"] for p in experiment_outputs(w.paper, e)],
    output:
        "docs/generated/{paper}/explore.ipynb",
    log:
        f"logs/{PROFILE}/{{paper}}/notebook.log",
    conda:
        "conda.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=30,
    shell:
        f"REPRODUCTIONS_PROFILE={PROFILE} python -m reproductions notebook {{input.source}} {{output}} > {{log}} 2>&1"
