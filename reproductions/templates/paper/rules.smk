# ${title}: named targets. The shared rules (reproductions/rules/common.smk)
# train, gather, report and execute the notebook.


rule ${id}:
    input:
        paper_outputs("${id}"),


rule ${id}_first_experiment:
    input:
        experiment_outputs("${id}", "first_experiment"),
