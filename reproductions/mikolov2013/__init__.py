"""Linguistic regularities in continuous space word representations (2013): the paper folder. See CONTRIBUTING.md."""
