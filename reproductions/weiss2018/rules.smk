# On the practical computational power of finite precision RNNs for language recognition: named targets. The shared rules (reproductions/rules/common.smk)
# train, gather, report and execute the notebook.


rule weiss2018:
    input:
        paper_outputs("weiss2018"),


rule weiss2018_first_experiment:
    input:
        experiment_outputs("weiss2018", "first_experiment"),
