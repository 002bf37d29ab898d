# Gers & Schmidhuber 2001: group targets. Every experiment has its own target already
# (gers2001_<experiment>, reproductions/rules/targets.smk), and the paper has gers2001.


# a^n b^n's model comparison (the other cell types and the larger budget)
rule gers2001_anbn_models:
    input:
        experiment_outputs(
            "gers2001", "anbn_budget", "anbn_no_peepholes", "anbn_no_forget_gate", "anbn_srn", "anbn_gru"
        ),


# one experiment per language
rule gers2001_languages:
    input:
        experiment_outputs("gers2001", "anbn", "anbncn", "anbmBmAn"),


# everything added after the a^n b^n slice (used to time the default profile)
rule gers2001_new:
    input:
        experiment_outputs("gers2001", "anbncn", "anbmBmAn"),
        rules.gers2001_anbn_models.input,
