# %% [markdown]
# # Explore: every 1997 experiment, trial by trial
#
# This notebook is executed by the pipeline (`snakemake hochreiter1997`) and shown on the site
# as executed; re-run it with Jupyter from the repository root. It reads the paper profile's
# results where they are committed (all 47 rows are), otherwise those of the profile the
# pipeline ran. A trial is *solved* when it met its row's stopping criterion (ST1, ST2, ST3 or
# the row's own) within the cap; the paper reports the mean number of training sequences until
# then.

# %%
import numpy as np

from reproductions.config import read_yaml
from reproductions.reporting.figures import explore_run, new_figure, show

experiments = list(read_yaml("reproductions/hochreiter1997/experiments.yaml"))
runs = {name: run for name in experiments if (run := explore_run("hochreiter1997", name)) is not None}
print(f"{len(runs)} of {len(experiments)} experiments have results")
print(f"{'experiment':34} {'profile':8} {'solved':>9} {'median sequences':>17}")
for name, (profile, results, _) in runs.items():
    trials = results["trials"]
    solved = [t["sequences"] for t in trials if t["solved"]]
    median = f"{np.median(solved):17,.0f}" if solved else f"{'—':>17}"
    print(f"{name:34} {profile:8} {len(solved):4d} of {len(trials):<3d}{median}")

# %% [markdown]
# ## Sequences until solved
# One dot per solved trial (logarithmic axis); the number at the right of each row counts the
# trials that failed within the cap. Rows are in the order of the paper's experiments.

# %%
rows = list(runs)
fig, ax = new_figure(figsize=(6.5, 0.2 * len(rows) + 1))
for row, name in enumerate(rows):
    trials = runs[name][1]["trials"]
    solved = np.array([t["sequences"] for t in trials if t["solved"]], dtype=float)
    failed = sum(not t["solved"] for t in trials)
    jitter = np.random.default_rng(row).uniform(-0.2, 0.2, len(solved))
    ax.scatter(solved, np.full(len(solved), row) + jitter, s=6, alpha=0.6, color="tab:blue")
    if failed:
        ax.annotate(f"✕ {failed} failed", (1.01, row), xycoords=("axes fraction", "data"), va="center",
                    fontsize=6.5, color="tab:red")
# each row by its title (shortened), as the review names it
titles = [runs[name][2].get("title", name) for name in rows]
ax.set_yticks(range(len(rows)), [title if len(title) <= 70 else title[:68] + "…" for title in titles], fontsize=6.5)
ax.invert_yaxis()
ax.set_xscale("log")
ax.set_xlabel("training sequences until the stopping criterion was met (solved trials)")
show(fig)
