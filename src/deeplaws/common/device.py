"""Check a configured compute device before any job starts."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any


class DeviceError(RuntimeError):
    """A configured device that this machine does not have."""


def device_keys(config: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    """Every ``(dotted key, value)`` of a key named ``device`` in a nested config."""
    for key, value in config.items():
        dotted = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, Mapping):
            yield from device_keys(value, dotted)
        elif key == "device" and isinstance(value, str):
            yield dotted, value


def check_devices(config: Mapping[str, Any]) -> None:
    """Raise :class:`DeviceError` if a ``device`` key asks for CUDA and none is usable.

    torch is imported only when some key asks for CUDA.
    """
    wanted = [(k, v) for k, v in device_keys(config) if v.startswith("cuda")]
    if not wanted:
        return
    import torch  # noqa: PLC0415 (heavy; only needed when CUDA is asked for)

    if not torch.cuda.is_available():
        key, value = wanted[0]
        build = torch.version.cuda or "none (a CPU-only build)"
        raise DeviceError(
            f"{key}: {value!r}, but torch {torch.__version__} finds no usable CUDA device "
            f"(its CUDA version: {build}). Use device: auto (CUDA when present, else CPU) or cpu"
        )
