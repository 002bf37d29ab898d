"""${title} (${year}): the paper folder. See CONTRIBUTING.md."""
