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
unknown key 'max_sequnces'``, on one line.

Beyond types, every number is checked: finite (no `.nan`, `.inf`), integers written as
integers (`4.0` is not a trial count), counts and sizes positive, ranges ordered, and
learning rates, caps and trial counts within bounds that the schema's comments justify.
A deliberate outlier names its key under the experiment's `outside_bounds:` with a
reason. A key written twice in any YAML file is an error (PyYAML would keep the last one
silently), and so are two experiments, claims or questions with one id.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import json
import hashlib
import math
import re
import typing
from pathlib import Path

import jsonschema
import pydantic
import torch
import yaml

from .models import MODELS, build_model
from .paper_file import PaperFile
from .registry import load_paper_package
from .settings import ComponentSettings, TaskSettings, TrainSettings
from .tasks import TASKS
from .training.evaluation import EVALUATIONS
from .training.run_identity import results_relevant
from .training.stopping import STOPPING_RULES
from .training.updates import UPDATE_STEPS

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = Path(__file__).resolve().parent
PROFILES = ("smoke", "default", "paper")


class ConfigError(ValueError):
    """A configuration file is malformed; the message names file and key."""


class DuplicateKeyError(yaml.YAMLError):
    def __init__(self, key, first_line: int, second_line: int, top_level: bool):
        super().__init__(f"key {key!r} appears twice")
        self.key, self.lines, self.top_level = key, (first_line, second_line), top_level


class StrictLoader(yaml.SafeLoader):
    """PyYAML's SafeLoader, but a key written twice in one mapping is an error (SafeLoader
    keeps the last one silently). Merge keys (`<<: *anchor`) may still be overridden."""

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.setdefault(key, key_node.start_mark.line + 1)
                except TypeError:  # an unhashable key: PyYAML refuses it itself
                    continue
                if first != key_node.start_mark.line + 1:
                    raise DuplicateKeyError(key, first, key_node.start_mark.line + 1,
                                            top_level=key_node.start_mark.column == 0)
        return super().construct_mapping(node, deep=deep)


def load_yaml_text(text: str):
    """Parse YAML text as every file of the project is read (duplicate keys refused)."""
    return yaml.load(text, Loader=StrictLoader)


def read_yaml(path: Path) -> dict:
    try:
        data = load_yaml_text(Path(path).read_text())
    except DuplicateKeyError as error:
        what = "experiment" if error.top_level and Path(path).name == "experiments.yaml" else "key"
        raise ConfigError(f"{display(path)}: {error.key}: {what} {error.key!r} is defined twice, at lines "
                          f"{error.lines[0]} and {error.lines[1]} (keep one)") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise ConfigError(f"{display(path)}: not valid YAML{where}: {' '.join(str(problem).split())}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{display(path)}: expected a mapping at the top level")
    return data


def read_schema(path: Path) -> dict:
    return load_yaml_text(Path(path).read_text())


def display(path: Path) -> str:
    path = Path(path).resolve()
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


BOUND_VALIDATORS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")


def allowed_range(schema: dict) -> str:
    """'> 0 and <= 10' from a schema's bounds."""
    parts = [f"{op} {schema[key]:g}" for key, op in (("exclusiveMinimum", ">"), ("minimum", ">="),
                                                       ("exclusiveMaximum", "<"), ("maximum", "<="))
             if key in schema]
    return " and ".join(parts)


def _branch_error(error: jsonschema.ValidationError) -> jsonschema.ValidationError:
    """Of an anyOf/oneOf error, the error of the branch meant (the one whose type fits)."""
    context = [e for e in error.context if not (e.validator == "type" and not e.relative_path)]
    if not context:
        return error
    return sorted(context, key=lambda e: -len(e.relative_path))[0]


def describe_error(error: jsonschema.ValidationError, prefix: list, hint_outliers: bool = False) -> str:
    """'key.path: message' in words a user can act on, on one line."""
    if error.validator in ("anyOf", "oneOf") and error.context:
        branch = _branch_error(error)
        if branch is not error:
            return describe_error(branch, prefix, hint_outliers)
    where = ".".join(str(p) for p in [*prefix, *error.absolute_path]) or "(top level)"
    if error.validator in ("anyOf", "oneOf") and error.context and all(e.validator == "type" for e in error.context):
        types = " or ".join(repr(e.validator_value) for e in error.context)
        return f"{where}: {error.instance!r} is not of type {types}{_number_as_text(error.instance)}"
    if error.validator in BOUND_VALIDATORS:
        hint = " (for a deliberate outlier, name the key under the experiment's outside_bounds: with a reason)"
        return (f"{where}: {error.instance!r} is out of range: allowed {allowed_range(error.schema)}"
                f"{hint if hint_outliers else ''}")
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        unknown = sorted(set(error.instance) - set(allowed))
        return f"{where}: unknown key {', '.join(map(repr, unknown))} (allowed: {', '.join(allowed)})"
    if error.validator == "required":
        return f"{where}: missing key {error.message.split(' ')[0]}"
    if error.validator == "type":
        return (f"{where}: {error.instance!r} is not of type {error.validator_value!r}"
                f"{_number_as_text(error.instance, error.validator_value == 'integer')}")
    if error.validator == "pattern" and error.schema.get("description"):
        # the schema's words, not its regular expression
        return f"{where}: {error.instance!r} is not {error.schema['description']}"
    return f"{where}: {' '.join(error.message.split())}"


def _number_as_text(instance, integer: bool = False) -> str:
    """YAML 1.1 (PyYAML) reads 1e-3 or 1e+30 as text: say how to write the number."""
    if isinstance(instance, str) and re.fullmatch(r"[-+]?\d+[eE][-+]?\d+", instance.strip()):
        mantissa, exponent = re.split("[eE]", instance.strip())
        written = str(int(float(instance))) if integer else f"{mantissa}.0e{exponent}"
        return f" (YAML reads {instance} as text: write {written})"
    return ""


def _is_integer(checker, instance) -> bool:
    """An integer is written as one: 4.0 is a float here (JSON Schema would take it)."""
    return isinstance(instance, int) and not isinstance(instance, bool)


StrictValidator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator,
    type_checker=jsonschema.Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_integer))


def non_finite(tree, where: tuple = ()):
    """(key path, value) of every NaN or infinity in a parsed YAML tree."""
    if isinstance(tree, float) and not math.isfinite(tree):
        yield where, tree
    elif isinstance(tree, dict):
        for key, value in tree.items():
            yield from non_finite(value, (*where, key))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            yield from non_finite(value, (*where, index))


def check_finite(data, path: Path) -> None:
    for where, value in non_finite(data):
        raise ConfigError(f"{display(path)}: {'.'.join(map(str, where))}: {value} is not a finite number")


def _outlier_key(full_path: list) -> str:
    """The key of an error as `outside_bounds:` names it: without the experiment's name,
    without `profiles.<profile>` and without list positions, e.g. train.learning_rate."""
    keys = [str(k) for k in full_path[1:] if not isinstance(k, int)]
    if keys[:1] == ["profiles"]:
        keys = keys[2:]
    return ".".join(keys)


def validate(data, schema: dict, path: Path, prefix: list | None = None, outside_bounds: dict | None = None) -> None:
    """Raise ConfigError for the first (most specific) violation. `outside_bounds` (an
    experiment's): keys whose bounds a deliberate outlier may leave (types still hold)."""
    prefix = prefix or []
    validator = StrictValidator(schema)

    def meant(error):  # of an anyOf, the branch meant
        while error.validator in ("anyOf", "oneOf") and error.context and _branch_error(error) is not error:
            error = _branch_error(error)
        return error

    errors = [e for e in validator.iter_errors(data)
              if not (outside_bounds and meant(e).validator in BOUND_VALIDATORS
                      and _outlier_key([*prefix, *meant(e).absolute_path]) in outside_bounds)]
    errors.sort(key=lambda e: (-len(e.absolute_path), str(e.absolute_path)))
    if errors:
        raise ConfigError(f"{display(path)}: {describe_error(errors[0], prefix, outside_bounds is not None)}")


# -- schemas of registered components, from their dataclass fields ------------

def _plain(schema: dict) -> dict:
    """Pydantic's JSON schema of one field, as this project validates it: no titles or
    defaults; None is never a value written in YAML (an optional parameter is left out);
    a fixed-length tuple of one type is an array of that type with its length."""
    schema = {key: value for key, value in schema.items() if key not in ("title", "default")}
    if "anyOf" in schema:
        schema["anyOf"] = [_plain(branch) for branch in schema["anyOf"] if branch.get("type") != "null"]
    prefix = schema.get("prefixItems")
    if prefix and all(item == prefix[0] for item in prefix):
        del schema["prefixItems"]
        schema["items"] = prefix[0]
    if "items" in schema:
        schema["items"] = _plain(schema["items"])
    return schema


# Every integer parameter of a component (task, model, stopping rule, evaluation) is a
# count, a size, a length or an interval: at least 1, except seeds and tolerated errors,
# which may be 0. None of the papers' is near 10^8 (the largest: a 10^6-step evaluation
# budget, 10^4 test sizes), so a larger one is a typo and would only exhaust memory or time.
MAY_BE_ZERO = ("seed", "set_seed", "max_wrong")
COMPONENT_INT_MAX = 10**8


def _bounded(name: str, schema: dict) -> dict:
    low = 0 if name in MAY_BE_ZERO else 1
    if schema.get("type") == "integer":
        return {**schema, "minimum": low, "maximum": COMPONENT_INT_MAX}
    if schema.get("type") == "array" and schema["items"].get("type") == "integer":
        return {**schema, "items": {**schema["items"], "minimum": low, "maximum": COMPONENT_INT_MAX}}
    return schema


def range_fields(cls) -> list[str]:
    """Fields that are inclusive integer ranges [low, high], e.g. a task's `train_n`."""
    hints = typing.get_type_hints(cls)
    return [f.name for f in dataclasses.fields(cls) if hints[f.name] == tuple[int, int]]


def check_ranges(params: dict, cls, path: Path, prefix: list) -> None:
    for key in range_fields(cls):
        value = params.get(key)
        if isinstance(value, list) and len(value) == 2 and value[0] > value[1]:
            raise ConfigError(f"{display(path)}: {'.'.join(map(str, [*prefix, key]))}: {value} is not a range: "
                              f"write [low, high] with low <= high (both included)")


def dataclass_schema(cls, skip: tuple[str, ...] = ()) -> dict:
    """JSON schema of a registered class's init fields (pydantic's, from the dataclass's
    type hints): types, bounds, required, no extras."""
    generated = pydantic.TypeAdapter(cls).json_schema()
    properties = {name: _bounded(name, _plain(field)) for name, field in generated.get("properties", {}).items()
                  if name not in skip and not name.startswith("_")}
    required = [name for name in generated.get("required", []) if name in properties]
    return {"type": "object", "properties": properties, "required": required, "additionalProperties": False}


@functools.cache
def settings_schema(model: type[pydantic.BaseModel]) -> dict:
    """JSON schema of a typed settings block as a file is validated against: pydantic's,
    with nested settings written out in place and each field as `_plain` makes it (an
    optional block is left out, never written as null). Made once per model (every
    experiment of every profile is checked against it): read it, never change it."""
    generated = model.model_json_schema()
    return _inline(generated, generated.get("$defs", {}))


def _inline(schema, definitions: dict):
    """`schema` with every `$ref` to `definitions` replaced by the definition, titles and
    defaults dropped, and a choice of one (an optional block without its null) unwrapped."""
    if isinstance(schema, list):
        return [_inline(item, definitions) for item in schema]
    if not isinstance(schema, dict):
        return schema
    schema = _plain({k: v for k, v in schema.items() if k != "$defs"})
    if len(schema.get("anyOf", [])) == 1:
        only = schema.pop("anyOf")[0]
        schema = {**only, **schema}
    if "$ref" in schema:
        target = definitions[schema.pop("$ref").rsplit("/", 1)[-1]]
        return _inline({**target, **schema}, definitions)
    return {key: ({name: _inline(field, definitions) for name, field in value.items()} if key == "properties"
                  else _inline(value, definitions)) for key, value in schema.items()}


def component_registries() -> dict[str, tuple[dict, tuple[str, ...]]]:
    """Which experiment section names a component from which registry."""
    return {
        "task": (TASKS, ()),
        "model": ({name: model.spec_class for name, model in MODELS.items()}, ("input_size", "output_size")),
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

#: the experiments schema's definitions generated from the typed settings (reproductions/settings.py)
GENERATED_DEFINITIONS = {"component": ComponentSettings, "task": TaskSettings, "train": TrainSettings}


def experiments_schema() -> dict:
    """The experiments schema: the file's, with the blocks the typed settings describe
    generated from them, so that the two cannot drift."""
    schema = read_schema(PACKAGE / "schemas" / "experiments.schema.yaml")
    schema["definitions"].update({name: settings_schema(model) for name, model in GENERATED_DEFINITIONS.items()})
    return schema


#: an experiment's name is part of its Snakemake targets (`<paper>_<experiment>`, results paths)
EXPERIMENT_NAME = r"[A-Za-z0-9_]+"
#: the jobs of one experiment (trials / trials_per_job): Snakemake plans every one of them
MAX_JOBS = 1000


def resolve_experiment(paper: str, name: str, raw: dict, profile: str, path: Path) -> dict:
    """The experiment as one profile runs it: protocol + the profile's override."""
    patch = raw["profiles"][profile]
    outside = raw.get("outside_bounds", {})
    resolved = deep_merge({k: v for k, v in raw.items() if k != "profiles"}, patch)
    resolved.update(id=f"{paper}/{name}", paper=paper, experiment=name, profile=profile)
    jobs = -(-resolved["trials"] // resolved.get("trials_per_job", resolved["trials"]))
    if jobs > MAX_JOBS:
        raise ConfigError(f"{display(path)}: {name}.profiles.{profile}.trials_per_job: {resolved['trials']} trials "
                          f"in {jobs} jobs; at most {MAX_JOBS} jobs per experiment: raise trials_per_job")
    if resolved.get("kind") == "probe":
        check_probe(resolved, raw, patch, name, profile, path, outside)
        return resolved
    # an override's partial block (grow: {window: 5}) merged into the protocol's may still lack a key
    validate(resolved["train"], settings_schema(TrainSettings), path, [name, "profiles", profile, "train"], outside)
    for section, (registry, skip) in component_registries().items():
        block = _get(resolved, section)
        component = block["name"]
        if component not in registry:
            raise ConfigError(f"{display(path)}: {name}.{section}.name: unknown {section.split('.')[-1]} "
                              f"{component!r} (registered: {', '.join(sorted(registry))})")
        schema = dataclass_schema(registry[component], skip)
        cls = registry[component]
        # check the protocol's params and the profile's override where each is written
        written = [(_get(raw, section).get("params", {}) if _section_in(raw, section) else {},
                    without_required(schema), [name, *section.split("."), "params"])]
        if _section_in(patch, section):
            written.append((_get(patch, section).get("params", {}), without_required(schema),
                            [name, "profiles", profile, *section.split("."), "params"]))
        written.append((block.get("params", {}), schema, [name, *section.split("."), "params"]))
        for params, params_schema, prefix in written:
            validate(params, params_schema, path, prefix, outside)
            check_ranges(params, cls, path, prefix)
        for key, values in block.get("trial_params", {}).items():
            for value in values:
                prefix = [name, *section.split("."), "trial_params"]
                validate({**block.get("params", {}), key: value}, schema, path, prefix, outside)
                check_ranges({key: value}, cls, path, prefix)
    # last: it builds an example of the model, whose name and params are checked above
    check_training_mode(resolved["train"], resolved["model"], path, f"{name}.profiles.{profile}.train")
    return resolved


def check_training_mode(train: dict, model: dict, path: Path, where: str) -> None:
    """Combinations the trainer cannot run: per-step (real-time) updates and continuous
    streams exist on the compiled path only, and for the models its real-time kernels
    train; the trainer's own factory (training/updates.py: UPDATE_STEPS) says which."""
    settings = TrainSettings.model_validate(train)
    if settings.update == "sequence" and not settings.continuous:
        return
    if settings.optimizer != "sgd_momentum" or settings.batch_size != 1 or not settings.fused:
        raise ConfigError(f"{display(path)}: {where}: update: step and continuous need on-line SGD on the compiled "
                          "path (optimizer sgd_momentum, batch_size 1, fused true)")
    example = build_model(model["name"], model.get("params", {}), input_size=1, output_size=1, trials=1,
                          dtype=getattr(torch, settings.dtype))
    try:
        UPDATE_STEPS[settings.update](example, continuous=settings.continuous)
    except ValueError as error:
        key = "continuous" if settings.continuous else "update"
        raise ConfigError(f"{display(path)}: {where}.{key}: {error}") from None


def check_probe(resolved: dict, raw: dict, patch: dict, name: str, profile: str, path: Path, outside: dict) -> None:
    """A probing experiment's `probe:` block against the fields of ProbeSpec (in the
    protocol, in the profile's override, and merged), then its language and features."""
    from .probing.suite import ProbeSpec

    schema = dataclass_schema(ProbeSpec)
    validate(raw.get("probe", {}), without_required(schema), path, [name, "probe"], outside)
    validate(patch.get("probe", {}), without_required(schema), path, [name, "profiles", profile, "probe"], outside)
    validate(resolved["probe"], schema, path, [name, "probe"], outside)
    try:
        ProbeSpec(**resolved["probe"]).check()
    except ValueError as error:
        raise ConfigError(f"{display(path)}: {name}.probe: {error}") from None


def trial_variants(experiment: dict, trials: list[int]) -> list[tuple[dict, list[int]]]:
    """Split trials by `task.trial_params`: [(experiment with that variant's task params,
    its trials)]. The variants are crossed with the learning-rate grid (trial i has rate
    i mod R): trial i takes element (i // R) mod the length of each list."""
    varying = experiment.get("task", {}).get("trial_params", {})
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
    """Validate a paper's experiments file and resolve every experiment for `profile`.
    The paper's own package is loaded first: the components it names may be its own."""
    load_paper_package(paper_dir)
    path = Path(paper_dir) / "experiments.yaml"
    raw = read_yaml(path)
    check_finite(raw, path)
    schema = experiments_schema()
    experiment_schema = {**schema, "$ref": "#/definitions/experiment"}
    # an override may leave out anything (but trials), so check it with nothing required
    override_schema = {**without_required(schema), "$ref": "#/definitions/override"}
    override_schema["definitions"]["override"]["required"] = ["trials"]
    for name, experiment in raw.items():
        if not isinstance(name, str) or not re.fullmatch(EXPERIMENT_NAME, name):
            raise ConfigError(f"{display(path)}: {name}: an experiment's name is part of its targets: "
                              "use letters, digits and _ only")
        if not isinstance(experiment, dict):
            raise ConfigError(f"{display(path)}: {name}: expected a mapping")
        outside = experiment.get("outside_bounds")
        outside = outside if isinstance(outside, dict) else {}
        validate(experiment, experiment_schema, path, [name], outside)
        for profile_name, patch in experiment["profiles"].items():
            validate(patch, override_schema, path, [name, "profiles", profile_name], outside)
    if profile not in PROFILES:
        raise ConfigError(f"profile {profile!r} is not one of {', '.join(PROFILES)}")
    return {name: resolve_experiment(paper_dir.name, name, experiment, profile, path)
            for name, experiment in raw.items()}


def experiment_hash(experiment: dict) -> str:
    """Changes when anything that affects results changes (not the title or description)."""
    return hashlib.sha256(json.dumps(results_relevant(experiment), sort_keys=True).encode()).hexdigest()[:12]


# -- pipeline config and papers ----------------------------------------------

def load_pipeline_config(overrides: dict | None = None, path: Path = ROOT / "config" / "config.yaml") -> dict:
    """config/config.yaml with command-line overrides (`--config key=value`)."""
    data = read_yaml(path)
    data.update(overrides or {})
    check_finite(data, path)
    schema = read_schema(Path(path).parent / "config.schema.yaml")
    validate(data, schema, path)
    return data


def discover_papers(root: Path = PACKAGE) -> list[Path]:
    """Every paper folder: a folder of the package with a paper.yaml."""
    return sorted(p.parent for p in Path(root).glob("*/paper.yaml"))


def load_paper(paper_dir: Path) -> dict:
    path = Path(paper_dir) / "paper.yaml"
    data = read_yaml(path)
    check_finite(data, path)
    validate(data, settings_schema(PaperFile), path)
    for key in ("claims", "open_questions"):
        check_unique_ids(data.get(key, []), key, path)
    typed(PaperFile, data, path)
    if data["id"] != Path(paper_dir).name:
        raise ConfigError(f"{display(path)}: id: {data['id']!r} must equal the folder name {Path(paper_dir).name!r}")
    experiments = set(read_yaml(Path(paper_dir) / "experiments.yaml"))
    for claim in data.get("claims", []):
        where = f"{display(path)}: claims: {claim['id']}"
        if claim["experiment"] not in experiments:
            raise ConfigError(f"{where}: experiment {claim['experiment']!r} is not in experiments.yaml "
                              f"(it has {', '.join(sorted(experiments))})")
    check_links(data, path, Path(paper_dir).parent)
    return data


def typed(model: type[pydantic.BaseModel], data: dict, path: Path) -> pydantic.BaseModel:
    """`data` as `model`, after its schema passed: what the schema cannot say (the model's
    validators) fails as one line naming file and key."""
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as error:
        first = error.errors()[0]
        problem = str(first["msg"]).removeprefix("Value error, ")
        where = ".".join(map(str, first["loc"]))
        raise ConfigError(f"{display(path)}: {where + ': ' if where else ''}{problem}") from None


def item_lines(path: Path, key: str) -> list[int]:
    """The line of each item of the top-level list `key` of a YAML file."""
    root = yaml.compose(Path(path).read_text(), Loader=StrictLoader)
    for key_node, value in root.value:
        if key_node.value == key and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def check_unique_ids(items: list, key: str, path: Path) -> None:
    """Two claims (or questions) with one id: the second would silently win on the site."""
    first = {}
    for index, item in enumerate(items):
        if item["id"] in first:
            lines = item_lines(path, key)
            raise ConfigError(f"{display(path)}: {key}: id {item['id']!r} is used twice, by the items at lines "
                              f"{lines[first[item['id']]]} and {lines[index]} (ids must be unique)")
        first[item["id"]] = index


def check_links(data: dict, path: Path, papers_root: Path) -> None:
    """An open question's links to a review or an experiment must name one that exists."""
    for question in data.get("open_questions", []):
        for link in question.get("links", []):
            where = f"{display(path)}: open_questions: {question['id']}: links"
            if "review" in link and not (papers_root / link["review"] / "paper.yaml").exists():
                raise ConfigError(f"{where}: review {link['review']!r} is not a paper here "
                                  f"(papers: {', '.join(p.name for p in discover_papers(papers_root))})")
            if "experiment" in link:
                paper, experiment = link["experiment"].split("/", 1)
                experiments_file = papers_root / paper / "experiments.yaml"
                if not experiments_file.exists():
                    raise ConfigError(f"{where}: experiment {link['experiment']!r}: there is no paper {paper!r} "
                                      f"(papers: {', '.join(p.name for p in discover_papers(papers_root))})")
                if experiment not in read_yaml(experiments_file):
                    raise ConfigError(f"{where}: experiment {link['experiment']!r} is not in "
                                      f"{display(experiments_file)}")
