"""On the practical computational power of finite precision RNNs for language recognition (2018): the paper folder. See CONTRIBUTING.md."""
