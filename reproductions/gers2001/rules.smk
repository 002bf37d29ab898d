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


# one target per language: a^n b^n gathers its model comparison too
GERS2001_ANBN_MODELS = ["anbn_budget", "anbn_no_peepholes", "anbn_no_forget_gate", "anbn_srn", "anbn_gru"]


rule gers2001_anbn_models:
    input:
        [experiment_outputs("gers2001", e) for e in GERS2001_ANBN_MODELS],


rule gers2001_anbncn:
    input:
        experiment_outputs("gers2001", "anbncn"),


rule gers2001_anbmBmAn:
    input:
        experiment_outputs("gers2001", "anbmBmAn"),


rule gers2001_languages:
    input:
        rules.gers2001_anbn.input,
        rules.gers2001_anbncn.input,
        rules.gers2001_anbmBmAn.input,


rule gers2001_new:
    # everything added after the a^n b^n slice (used to time the default profile)
    input:
        rules.gers2001_anbncn.input,
        rules.gers2001_anbmBmAn.input,
        rules.gers2001_anbn_models.input,


rule gers2001_anbn_budget:
    input:
        experiment_outputs("gers2001", "anbn_budget"),


rule gers2001_anbn_no_peepholes:
    input:
        experiment_outputs("gers2001", "anbn_no_peepholes"),


rule gers2001_anbn_no_forget_gate:
    input:
        experiment_outputs("gers2001", "anbn_no_forget_gate"),


rule gers2001_anbn_srn:
    input:
        experiment_outputs("gers2001", "anbn_srn"),


rule gers2001_anbn_gru:
    input:
        experiment_outputs("gers2001", "anbn_gru"),
