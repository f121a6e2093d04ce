"""The defaults of the config, read from its schema: the one place they are written.

The settings classes of the packages name their fields as the config's keys and take their
defaults from here (:func:`schema_defaults_of`), so that a default is never written twice.
This module is kept apart from :mod:`deeplaws.common.config` (the config checks) and imports
nothing of the package: the compute jobs import it, and an edit of the checks must not change
their code fingerprints.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import yaml

T = TypeVar("T")

#: the config schema of the pipeline, in the repository that holds this package (src/deeplaws)
SCHEMA_PATH = Path(__file__).resolve().parents[3] / "workflow" / "schemas" / "config.schema.yaml"


@functools.cache
def _pipeline_schema() -> dict[str, Any]:
    return yaml.safe_load(SCHEMA_PATH.read_text())


def schema_section(dotted: str, schema: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
    """The schema of the config section at a dotted key such as ``recovery.nonconvex``
    (of the pipeline's schema unless ``schema`` is given)."""
    node: Mapping[str, Any] = _pipeline_schema() if schema is None else schema
    for part in dotted.split("."):
        node = node["properties"][part]
    return node


def schema_defaults(*sections: str) -> dict[str, Any]:
    """The schema's default of every key of these config sections that has one, by key
    (a copy). The one source of the defaults of the packages' settings classes: their
    fields are named as the keys and take their defaults from here."""
    out: dict[str, Any] = {}
    for dotted in sections:
        for key, sub in schema_section(dotted)["properties"].items():
            if "default" in sub:
                if key in out:
                    raise ValueError(f"{key!r} is a key of more than one of {sections}")
                out[key] = copy.deepcopy(sub["default"])
    return out


def schema_defaults_of(
    *sections: str, aliases: Mapping[str, str] | None = None
) -> Callable[[type[T]], type[T]]:
    """A class decorator, under ``@dataclass``: every annotated field named as a key of these
    config sections, and without a default of its own, takes the schema's default of the key
    (as a float where the field is a float). ``aliases``: field -> key, where a key is no
    Python name (``lambda_`` -> ``lambda``)."""
    defaults = schema_defaults(*sections)

    def apply(cls: type[T]) -> type[T]:
        for name, annotation in cls.__annotations__.items():
            key = (aliases or {}).get(name, name)
            if key in defaults and name not in cls.__dict__:
                value = defaults[key]
                if annotation in ("float", float) and type(value) is int:
                    value = float(value)
                setattr(cls, name, value)
        return cls

    return apply
