# Reproductions pipeline: validate config, define the shared rules and every paper's and
# experiment's target, include each paper's own rules.smk (if any); `all`, `site`.
#
#   snakemake --cores 2 site                          # default profile, then the site
#   snakemake site --cores 2 --config profile=smoke   # seconds per experiment
#   snakemake --cores 2 gers2001                      # one paper
#   snakemake --cores 2 gers2001_anbn                 # one experiment
import sys
from pathlib import Path

from snakemake.utils import min_version

min_version("9.27")

# this checkout's package, even when another checkout is installed in the environment
sys.path.insert(0, str(workflow.basedir))
from reproductions.config import ConfigError
from reproductions.pipeline import Pipeline, code_hash, set_job_environment

# Validate everything before any job runs: a bad key stops here with one line naming file and key.
try:
    PIPELINE = Pipeline.load(config)
except ConfigError as error:
    sys.exit(f"configuration error: {error}")
PROFILE = PIPELINE.profile
PAPERS = PIPELINE.papers
CODE_HASH = code_hash()
set_job_environment(PIPELINE.checkpoint_seconds)
# what a paper's rules.smk names its group targets with
experiment_outputs = PIPELINE.experiment_outputs
paper_outputs = PIPELINE.paper_outputs


include: "reproductions/rules/common.smk"
include: "reproductions/rules/targets.smk"


for rules_file in PIPELINE.rules_files():

    include: rules_file


rule all:
    default_target: True
    input:
        [paper_outputs(paper) for paper in PAPERS],


rule site:
    input:
        [paper_outputs(paper) for paper in PAPERS],
        "mkdocs.yml",
        [str(p) for p in Path("docs").rglob("*") if p.is_file() and "generated" not in p.parts],
        [str(p["dir"] / "paper.yaml") for p in PAPERS.values()],
    output:
        "site/index.html",
    log:
        "logs/site.log",
    conda:
        "reproductions/rules/conda.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    shell:
        "python -m mkdocs build --strict > {log} 2>&1"
