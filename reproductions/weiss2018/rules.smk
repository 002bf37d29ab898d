# Weiss, Goldberg & Yahav 2018: named targets. The shared rules (reproductions/rules/common.smk)
# train, gather, report and execute the notebook.


rule weiss2018:
    input:
        paper_outputs("weiss2018"),


rule weiss2018_lstm_anbn:
    input:
        experiment_outputs("weiss2018", "lstm_anbn"),


rule weiss2018_lstm_anbncn:
    input:
        experiment_outputs("weiss2018", "lstm_anbncn"),


rule weiss2018_gru_anbn:
    input:
        experiment_outputs("weiss2018", "gru_anbn"),


rule weiss2018_gru_anbncn:
    input:
        experiment_outputs("weiss2018", "gru_anbncn"),


rule weiss2018_srn_tanh_anbn:
    input:
        experiment_outputs("weiss2018", "srn_tanh_anbn"),


rule weiss2018_srn_tanh_anbncn:
    input:
        experiment_outputs("weiss2018", "srn_tanh_anbncn"),


rule weiss2018_srn_relu_anbn:
    input:
        experiment_outputs("weiss2018", "srn_relu_anbn"),


rule weiss2018_srn_relu_anbncn:
    input:
        experiment_outputs("weiss2018", "srn_relu_anbncn"),


rule weiss2018_lstm_adam_anbn:
    input:
        experiment_outputs("weiss2018", "lstm_adam_anbn"),


rule weiss2018_transformer_anbn:
    input:
        experiment_outputs("weiss2018", "transformer_anbn"),


rule weiss2018_transformer_anbncn:
    input:
        experiment_outputs("weiss2018", "transformer_anbncn"),
