"""${title_py} (${year}): the paper folder. See CONTRIBUTING.md.

Import here the modules of this paper's own tasks, evaluations and measures, e.g.
`from . import tasks`: they register themselves when the pipeline loads this folder
(CONTRIBUTING, step 4)."""
