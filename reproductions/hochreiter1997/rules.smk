# Hochreiter & Schmidhuber 1997: named targets. The shared rules (reproductions/rules/common.smk)
# train, gather, report and execute the notebook (random guessing included: the runner
# dispatches on train.method).


rule hochreiter1997:
    input:
        paper_outputs("hochreiter1997"),


rule hochreiter1997_reber_3x2:
    input:
        experiment_outputs("hochreiter1997", "reber_3x2"),


rule hochreiter1997_reber_4x1:
    input:
        experiment_outputs("hochreiter1997", "reber_4x1"),


rule hochreiter1997_exp2a_lstm_real_time:
    input:
        experiment_outputs("hochreiter1997", "exp2a_lstm_real_time"),


rule hochreiter1997_exp2b_lstm_real_time:
    input:
        experiment_outputs("hochreiter1997", "exp2b_lstm_real_time"),


rule hochreiter1997_reber_3x2_real_time:
    input:
        experiment_outputs("hochreiter1997", "reber_3x2_real_time"),


rule hochreiter1997_reber_3x2_outputs_see_inputs:
    input:
        experiment_outputs("hochreiter1997", "reber_3x2_outputs_see_inputs"),


rule hochreiter1997_reber_3x2_full_gradient:
    input:
        experiment_outputs("hochreiter1997", "reber_3x2_full_gradient"),


rule hochreiter1997_reber_elman:
    input:
        experiment_outputs("hochreiter1997", "reber_elman"),


rule hochreiter1997_reber_rnn:
    input:
        experiment_outputs("hochreiter1997", "reber_rnn"),


rule hochreiter1997_exp2a_lstm:
    input:
        experiment_outputs("hochreiter1997", "exp2a_lstm"),


rule hochreiter1997_exp2a_lstm_from_start:
    input:
        experiment_outputs("hochreiter1997", "exp2a_lstm_from_start"),


rule hochreiter1997_exp2a_bptt:
    input:
        experiment_outputs("hochreiter1997", "exp2a_bptt"),


rule hochreiter1997_exp2b_lstm:
    input:
        experiment_outputs("hochreiter1997", "exp2b_lstm"),


rule hochreiter1997_exp2c_q50_p50:
    input:
        experiment_outputs("hochreiter1997", "exp2c_q50_p50"),


rule hochreiter1997_exp2c_q100_p100:
    input:
        experiment_outputs("hochreiter1997", "exp2c_q100_p100"),


rule hochreiter1997_exp2c_q100_p100_cells_only:
    input:
        experiment_outputs("hochreiter1997", "exp2c_q100_p100_cells_only"),


rule hochreiter1997_exp2c_q200_p200:
    input:
        experiment_outputs("hochreiter1997", "exp2c_q200_p200"),


rule hochreiter1997_exp2c_q500_p500:
    input:
        experiment_outputs("hochreiter1997", "exp2c_q500_p500"),


rule hochreiter1997_exp2c_q1000_p1000:
    input:
        experiment_outputs("hochreiter1997", "exp2c_q1000_p1000"),


rule hochreiter1997_exp2c_q1000_p500:
    input:
        experiment_outputs("hochreiter1997", "exp2c_q1000_p500"),


rule hochreiter1997_exp2c_q1000_p200:
    input:
        experiment_outputs("hochreiter1997", "exp2c_q1000_p200"),


rule hochreiter1997_exp2c_q1000_p100:
    input:
        experiment_outputs("hochreiter1997", "exp2c_q1000_p100"),


rule hochreiter1997_exp2c_q1000_p50:
    input:
        experiment_outputs("hochreiter1997", "exp2c_q1000_p50"),


rule hochreiter1997_exp3a_n3_st1:
    input:
        experiment_outputs("hochreiter1997", "exp3a_n3_st1"),


rule hochreiter1997_exp3a_n3_st2:
    input:
        experiment_outputs("hochreiter1997", "exp3a_n3_st2"),


rule hochreiter1997_exp3a_n1_st1:
    input:
        experiment_outputs("hochreiter1997", "exp3a_n1_st1"),


rule hochreiter1997_exp3a_n1_st2:
    input:
        experiment_outputs("hochreiter1997", "exp3a_n1_st2"),


rule hochreiter1997_exp3a_t1000_n3_st2:
    input:
        experiment_outputs("hochreiter1997", "exp3a_t1000_n3_st2"),


rule hochreiter1997_exp3b_n3_st1:
    input:
        experiment_outputs("hochreiter1997", "exp3b_n3_st1"),


rule hochreiter1997_exp3b_n3_st2:
    input:
        experiment_outputs("hochreiter1997", "exp3b_n3_st2"),


rule hochreiter1997_exp3b_n1_st1:
    input:
        experiment_outputs("hochreiter1997", "exp3b_n1_st1"),


rule hochreiter1997_exp3b_n1_st2:
    input:
        experiment_outputs("hochreiter1997", "exp3b_n1_st2"),


rule hochreiter1997_exp3b_n1_st1_fresh_tests:
    input:
        experiment_outputs("hochreiter1997", "exp3b_n1_st1_fresh_tests"),


rule hochreiter1997_exp3b_n1_st2_fresh_tests:
    input:
        experiment_outputs("hochreiter1997", "exp3b_n1_st2_fresh_tests"),


rule hochreiter1997_exp3b_t1000_n1_st2:
    input:
        experiment_outputs("hochreiter1997", "exp3b_t1000_n1_st2"),


rule hochreiter1997_exp3c_n3:
    input:
        experiment_outputs("hochreiter1997", "exp3c_n3"),


rule hochreiter1997_exp3c_n1:
    input:
        experiment_outputs("hochreiter1997", "exp3c_n1"),


rule hochreiter1997_guess_3c_n3:
    input:
        experiment_outputs("hochreiter1997", "guess_3c_n3"),


rule hochreiter1997_guess_3a_n3:
    input:
        experiment_outputs("hochreiter1997", "guess_3a_n3"),


rule hochreiter1997_guess_3a_n1:
    input:
        experiment_outputs("hochreiter1997", "guess_3a_n1"),


rule hochreiter1997_exp4_adding_t100:
    input:
        experiment_outputs("hochreiter1997", "exp4_adding_t100"),


rule hochreiter1997_exp4_adding_t500:
    input:
        experiment_outputs("hochreiter1997", "exp4_adding_t500"),


rule hochreiter1997_exp4_adding_t1000:
    input:
        experiment_outputs("hochreiter1997", "exp4_adding_t1000"),


rule hochreiter1997_exp5_mult_nseq140:
    input:
        experiment_outputs("hochreiter1997", "exp5_mult_nseq140"),


rule hochreiter1997_exp5_mult_nseq13:
    input:
        experiment_outputs("hochreiter1997", "exp5_mult_nseq13"),


rule hochreiter1997_exp6a_temporal_order:
    input:
        experiment_outputs("hochreiter1997", "exp6a_temporal_order"),


rule hochreiter1997_exp6b_temporal_order:
    input:
        experiment_outputs("hochreiter1997", "exp6b_temporal_order"),
