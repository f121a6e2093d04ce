"""Validate a pipeline config against the JSON schema, with messages that name the key.

Snakemake's own ``validate`` reports the first jsonschema error in jsonschema's words. This
module reports *every* error as ``<dotted.key>: <problem>. Allowed: <what the schema
allows>``, suggests the closest key for a misspelt one, and fills schema defaults into the
config, so that a bad config stops the run before any job starts.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, MutableMapping
from pathlib import Path
from typing import Any

import jsonschema
import yaml


class ConfigError(ValueError):
    """The configuration does not satisfy the schema."""


def load_schema(path: str | Path) -> dict[str, Any]:
    return yaml.safe_load(Path(path).read_text())


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


def check_config(config: MutableMapping[str, Any], schema: str | Path | Mapping[str, Any]) -> None:
    """Validate ``config`` in place against ``schema`` and fill in defaults.

    Raises :class:`ConfigError` listing every problem, each naming its dotted key.
    """
    if not isinstance(schema, Mapping):
        schema = load_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(config), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        lines = [_message(e) for e in errors]
        raise ConfigError(
            "invalid configuration:\n  " + "\n  ".join("\n  ".join(m.splitlines()) for m in lines)
        )
    _fill_defaults(config, schema)
    # Filled defaults must validate too (guards against a wrong default in the schema).
    validator.validate(config)
