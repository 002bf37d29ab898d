# Named targets, from each paper's experiments.yaml: `<paper>` (the whole paper: its
# rendered results and notebook) and `<paper>_<experiment>` (one experiment's results).
# Renaming or adding an experiment renames or adds its target; a paper's rules.smk only
# holds group targets of its own.


for _paper, _entry in PAPERS.items():

    rule:
        name:
            _paper
        input:
            paper_outputs(_paper),

    for _experiment in _entry["experiments"]:

        rule:
            name:
                f"{_paper}_{_experiment}"
            input:
                experiment_outputs(_paper, _experiment),
