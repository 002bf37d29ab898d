# Reproductions pipeline: validate config, include each paper's rules, define `all` and `site`.
#
#   snakemake --cores 2 site                          # default profile, then the site
#   snakemake site --cores 2 --config profile=smoke   # seconds per experiment
#   snakemake --cores 2 gers2001                      # one paper
#   snakemake --cores 2 gers2001_anbn                 # one experiment
import sys
from pathlib import Path

# this checkout's package, even when another checkout is installed in the environment
sys.path.insert(0, str(workflow.basedir))
from reproductions.config import ConfigError, discover_papers, load_experiments, load_paper, load_pipeline_config

# Validate everything before any job runs: a bad key stops here with one line naming file and key.
try:
    PIPELINE = load_pipeline_config(config)
    PROFILE = PIPELINE["profile"]
    PAPERS = {
        folder.name: {"dir": folder, "meta": load_paper(folder), "experiments": load_experiments(folder, PROFILE)}
        for folder in discover_papers()
    }
except ConfigError as error:
    sys.exit(f"configuration error: {error}")
PYTHON = sys.executable


include: "reproductions/rules/common.smk"


for _paper in PAPERS.values():

    include: str(_paper["dir"] / "rules.smk")


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
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    shell:
        "{PYTHON} -m mkdocs build --strict > {log} 2>&1"
