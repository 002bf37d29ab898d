# Gers & Schmidhuber 2001: named targets. The shared rules (reproductions/rules/common.smk)
# train, gather, report and execute the notebook.


rule gers2001:
    input:
        paper_outputs("gers2001"),


rule gers2001_anbn:
    input:
        experiment_outputs("gers2001", "anbn"),


rule gers2001_anbn_lr_sweep:
    input:
        experiment_outputs("gers2001", "anbn_lr_sweep"),
