"""Load and validate the pipeline's configuration before anything trains.

Two kinds of file:

* `config/config.yaml` — which profile to run and pipeline-wide settings
  (schema `config/config.schema.yaml`);
* `reproductions/<paper>/experiments.yaml` — a paper's experiments: the paper's
  protocol, then per profile (`smoke`, `default`, `paper`) the trial count and
  any override (schema `reproductions/schemas/experiments.schema.yaml`).

The parameters of a task, model, stopping rule or evaluation are checked
against the fields of the registered class they name. Every error names the
file and the key, e.g. ``reproductions/gers2001/experiments.yaml: anbn.profiles.smoke.train:
unknown key 'max_sequnces'``.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import hashlib
import typing
from pathlib import Path

import jsonschema
import yaml

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = Path(__file__).resolve().parent
PROFILES = ("smoke", "default", "paper")


class ConfigError(ValueError):
    """A configuration file is malformed; the message names file and key."""


def read_yaml(path: Path) -> dict:
    try:
        data = yaml.safe_load(Path(path).read_text())
    except yaml.YAMLError as error:
        raise ConfigError(f"{display(path)}: not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{display(path)}: expected a mapping at the top level")
    return data


def display(path: Path) -> str:
    path = Path(path).resolve()
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def describe_error(error: jsonschema.ValidationError, prefix: list) -> str:
    """'key.path: message' in words a user can act on."""
    where = ".".join(str(p) for p in [*prefix, *error.absolute_path]) or "(top level)"
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        unknown = sorted(set(error.instance) - set(allowed))
        return f"{where}: unknown key {', '.join(map(repr, unknown))} (allowed: {', '.join(allowed)})"
    if error.validator == "required":
        return f"{where}: missing key {error.message.split(' ')[0]}"
    if error.validator == "type":
        return f"{where}: {error.instance!r} is not of type {error.validator_value!r}"
    if error.validator == "pattern" and error.schema.get("description"):
        # the schema's words, not its regular expression
        return f"{where}: {error.instance!r} is not {error.schema['description']}"
    return f"{where}: {error.message}"


def validate(data, schema: dict, path: Path, prefix: list | None = None) -> None:
    """Raise ConfigError for the first (most specific) violation."""
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(data), key=lambda e: (-len(e.absolute_path), str(e.absolute_path)))
    if errors:
        raise ConfigError(f"{display(path)}: {describe_error(errors[0], prefix or [])}")


# -- schemas of registered components, from their dataclass fields ------------

def _type_schema(hint) -> dict:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is bool:
        return {"type": "boolean"}
    if hint is int:
        return {"type": "integer"}
    if hint is float:
        return {"type": "number"}
    if hint is str:
        return {"type": "string"}
    if origin in (tuple, list):
        if len(args) == 2 and args[1] is Ellipsis or origin is list:
            return {"type": "array", "items": _type_schema(args[0])}
        return {"type": "array", "items": _type_schema(args[0]), "minItems": len(args), "maxItems": len(args)}
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        return {"anyOf": [_type_schema(a) for a in args if a is not type(None)]}
    raise TypeError(f"no schema for type {hint!r}")


def dataclass_schema(cls, skip: tuple[str, ...] = ()) -> dict:
    """JSON schema of a dataclass's init fields: types, required, no extras."""
    hints = typing.get_type_hints(cls)
    properties, required = {}, []
    for field in dataclasses.fields(cls):
        if not field.init or field.name in skip or field.name.startswith("_"):
            continue
        properties[field.name] = _type_schema(hints[field.name])
        if field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            required.append(field.name)
    return {"type": "object", "properties": properties, "required": required, "additionalProperties": False}


def component_registries() -> dict[str, tuple[dict, tuple[str, ...]]]:
    """Which experiment section names a component from which registry."""
    from .models import MODELS
    from .tasks import TASKS
    from .training.evaluation import EVALUATIONS
    from .training.stopping import STOPPING_RULES

    return {
        "task": ({k: v for k, v in TASKS.items()}, ()),
        "model": ({k: spec for k, (spec, _) in MODELS.items()}, ("input_size", "output_size")),
        "train.stopping": (STOPPING_RULES, ()),
        "evaluate": (EVALUATIONS, ()),
    }


def _get(tree: dict, dotted: str):
    for key in dotted.split("."):
        tree = tree[key]
    return tree


def deep_merge(base: dict, patch: dict) -> dict:
    merged = copy.deepcopy(base)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def without_required(schema):
    """The schema of a partial override: same keys and types, nothing required."""
    if isinstance(schema, dict):
        return {k: without_required(v) for k, v in schema.items() if k != "required"}
    if isinstance(schema, list):
        return [without_required(v) for v in schema]
    return schema


# -- experiments ---------------------------------------------------------------

def experiments_schema() -> dict:
    return yaml.safe_load((PACKAGE / "schemas" / "experiments.schema.yaml").read_text())


def resolve_experiment(paper: str, name: str, raw: dict, profile: str, path: Path) -> dict:
    """The experiment as one profile runs it: protocol + the profile's override."""
    patch = raw["profiles"][profile]
    resolved = deep_merge({k: v for k, v in raw.items() if k != "profiles"}, patch)
    resolved.update(id=f"{paper}/{name}", paper=paper, experiment=name, profile=profile)
    for section, (registry, skip) in component_registries().items():
        block = _get(resolved, section)
        component = block["name"]
        if component not in registry:
            raise ConfigError(f"{display(path)}: {name}.{section}.name: unknown {section.split('.')[-1]} "
                              f"{component!r} (registered: {', '.join(sorted(registry))})")
        schema = dataclass_schema(registry[component], skip)
        # check the protocol's params and the profile's override where each is written
        validate(_get(raw, section).get("params", {}) if _section_in(raw, section) else {},
                 without_required(schema), path, [name, *section.split("."), "params"])
        if _section_in(patch, section):
            validate(_get(patch, section).get("params", {}), without_required(schema), path,
                     [name, "profiles", profile, *section.split("."), "params"])
        validate(block.get("params", {}), schema, path, [name, *section.split("."), "params"])
        for key, values in block.get("trial_params", {}).items():
            for value in values:
                validate({**block.get("params", {}), key: value}, schema, path,
                         [name, *section.split("."), "trial_params"])
    return resolved


def trial_variants(experiment: dict, trials: list[int]) -> list[tuple[dict, list[int]]]:
    """Split trials by `task.trial_params`: [(experiment with that variant's task params,
    its trials)]. The variants are crossed with the learning-rate grid (trial i has rate
    i mod R): trial i takes element (i // R) mod the length of each list."""
    varying = experiment["task"].get("trial_params", {})
    if not varying:
        return [(experiment, list(trials))]
    rates = experiment["train"]["learning_rate"]
    stride = len(rates) if isinstance(rates, list) else 1
    groups: dict[tuple, list[int]] = {}
    for trial in trials:
        choice = tuple((key, values[(trial // stride) % len(values)]) for key, values in sorted(varying.items()))
        groups.setdefault(choice, []).append(trial)
    return [(deep_merge(experiment, {"task": {"params": dict(choice)}}), members)
            for choice, members in groups.items()]


def _section_in(tree: dict, dotted: str) -> bool:
    for key in dotted.split("."):
        if not isinstance(tree, dict) or key not in tree:
            return False
        tree = tree[key]
    return True


def load_experiments(paper_dir: Path, profile: str) -> dict[str, dict]:
    """Validate a paper's experiments file and resolve every experiment for `profile`."""
    path = Path(paper_dir) / "experiments.yaml"
    raw = read_yaml(path)
    schema = experiments_schema()
    experiment_schema = {**schema, "$ref": "#/definitions/experiment"}
    # an override may leave out anything (but trials), so check it with nothing required
    override_schema = {**without_required(schema), "$ref": "#/definitions/override"}
    override_schema["definitions"]["override"]["required"] = ["trials"]
    for name, experiment in raw.items():
        if not isinstance(experiment, dict):
            raise ConfigError(f"{display(path)}: {name}: expected a mapping")
        validate(experiment, experiment_schema, path, [name])
        for profile_name, patch in experiment["profiles"].items():
            validate(patch, override_schema, path, [name, "profiles", profile_name])
    if profile not in PROFILES:
        raise ConfigError(f"profile {profile!r} is not one of {', '.join(PROFILES)}")
    return {name: resolve_experiment(paper_dir.name, name, experiment, profile, path)
            for name, experiment in raw.items()}


PROSE_KEYS = ("title", "description")


def results_relevant(experiment: dict) -> dict:
    """The experiment without its prose: what a hash of "the same run" must cover."""
    return {k: v for k, v in experiment.items() if k not in PROSE_KEYS}


def experiment_hash(experiment: dict) -> str:
    """Changes when anything that affects results changes (not the title or description)."""
    return hashlib.sha256(json.dumps(results_relevant(experiment), sort_keys=True).encode()).hexdigest()[:12]


# -- pipeline config and papers ----------------------------------------------

def load_pipeline_config(overrides: dict | None = None, path: Path = ROOT / "config" / "config.yaml") -> dict:
    """config/config.yaml with command-line overrides (`--config key=value`)."""
    data = read_yaml(path)
    data.update(overrides or {})
    schema = yaml.safe_load((Path(path).parent / "config.schema.yaml").read_text())
    validate(data, schema, path)
    return data


def discover_papers(root: Path = PACKAGE) -> list[Path]:
    """Every paper folder: a folder of the package with a paper.yaml."""
    return sorted(p.parent for p in Path(root).glob("*/paper.yaml"))


def load_paper(paper_dir: Path) -> dict:
    path = Path(paper_dir) / "paper.yaml"
    data = read_yaml(path)
    schema = yaml.safe_load((PACKAGE / "schemas" / "paper.schema.yaml").read_text())
    validate(data, schema, path)
    if data["id"] != Path(paper_dir).name:
        raise ConfigError(f"{display(path)}: id: {data['id']!r} must equal the folder name {Path(paper_dir).name!r}")
    from .reporting.measures import MEASURES

    experiments = set(read_yaml(Path(paper_dir) / "experiments.yaml"))
    for claim in data.get("claims", []):
        where = f"{display(path)}: claims: {claim['id']}"
        if claim["experiment"] not in experiments:
            raise ConfigError(f"{where}: experiment {claim['experiment']!r} is not in experiments.yaml "
                              f"(it has {', '.join(sorted(experiments))})")
        if claim["measure"] not in MEASURES:
            raise ConfigError(f"{where}: measure {claim['measure']!r} is not one of {', '.join(MEASURES)}")
    return data
