"""Probing word vectors for grammatical features: labelled word sets (`words`), probes and
their controls (`probes`), and the experiment kind `probe` that the runner runs (`suite`)."""
