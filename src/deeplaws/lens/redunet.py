"""The separation fuzziness D across the layers of a constructed ReduNet.

Input: the features a ReduNet construction stores after its layers
(``results/redunet/<experiment>/layer_features.npz``): ``layers`` (layer indices, 0 = the
input of layer 1, L = the output of the last layer), ``train_features`` / ``test_features``
(n_snapshots, N, flat_dim; real flattened features), the labels, ``eps2``, ``experiment``
and ``kind``. D of every stored layer is P3's :func:`deeplaws.separation.fuzziness.fuzziness`
on those flattened features; the fit of ln D over the layer index is P3's
:func:`deeplaws.separation.fit.loglinear_fit` with x = the layer index (so ρ = e^slope is a
ratio per layer, whatever the stride of the stored layers).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from deeplaws.lens.measures import measure
from deeplaws.separation.fit import loglinear_fit

SPLITS = ("train", "test")


@dataclass(frozen=True)
class LayerFeatures:
    """The stored per-layer features of one ReduNet experiment."""

    experiment: str
    kind: str
    eps2: float
    layers: np.ndarray  # (m,) int64
    features: dict[str, np.ndarray]  # split -> (m, N, flat_dim)
    labels: dict[str, np.ndarray]  # split -> (N,)


def load_layer_features(path: str | Path) -> LayerFeatures:
    """Read a ``layer_features.npz`` (arrays memory-mapped where possible)."""
    with np.load(path, allow_pickle=False) as data:
        if "layers" not in data:  # a construction that stored no layer (an empty record)
            name = str(data["experiment"]) if "experiment" in data else Path(path).parent.name
            empty = np.zeros(0, dtype=np.int64)
            return LayerFeatures(name, "", float("nan"), empty, {}, {})
        missing = [k for k in ("train_features", "train_labels") if k not in data]
        if missing:
            raise KeyError(f"{path}: missing keys {missing}")
        feats = {s: data[f"{s}_features"] for s in SPLITS if f"{s}_features" in data}
        labels = {s: data[f"{s}_labels"] for s in SPLITS if f"{s}_labels" in data}
        out = LayerFeatures(
            experiment=str(data["experiment"]) if "experiment" in data else Path(path).parent.name,
            kind=str(data["kind"]) if "kind" in data else "",
            eps2=float(data["eps2"]) if "eps2" in data else float("nan"),
            layers=np.asarray(data["layers"], dtype=np.int64),
            features=feats,
            labels=labels,
        )
    for split, F in out.features.items():
        if F.shape[0] != out.layers.size or F.shape[1] != out.labels[split].size:
            raise ValueError(
                f"{path}: {split}_features has shape {F.shape}, expected "
                f"({out.layers.size}, {out.labels[split].size}, flat_dim)"
            )
    return out


def fuzziness_table(
    lf: LayerFeatures, splits: tuple[str, ...] = SPLITS, weighting: str = "nk"
) -> pd.DataFrame:
    """One row per (split, stored layer): D and its diagnostics."""
    rows = []
    for split in splits:
        if split not in lf.features:
            continue
        y = lf.labels[split]
        for i, layer in enumerate(lf.layers):
            row = measure(lf.features[split][i], y, eps2=None, weighting=weighting)
            rows.append({
                "experiment": lf.experiment,
                "kind": lf.kind,
                "split": split,
                "layer": int(layer),
                "n": int(y.size),
                **row,
            })  # fmt: skip
    return pd.DataFrame(rows)


def layer_fit(table: pd.DataFrame, split: str = "train") -> dict[str, Any]:
    """P3's log-linear fit of ln D over the layer index, on one split.

    Only layers with a finite positive D enter the fit; ``excluded`` counts the others and
    ``status`` says whether a fit was possible ('ok', 'no_fit'). Also the first and last D
    and their ratio per layer, (D_last / D_first)^(1/(L_last - L_first)), and the smallest D
    with its layer (a D that falls, then flattens or rises, has its minimum inside).
    """
    t = table[table["split"] == split].sort_values("layer") if len(table) else table
    if t.empty:
        nan = float("nan")
        return {"experiment": "", "kind": "", "split": split, "status": "no_layers",
                "layers_stored": 0, "layer_first": -1, "layer_last": -1, "excluded": 0,
                "slope": nan, "rho": nan, "r": nan, "r2": nan, "D_first": nan, "D_last": nan,
                "ratio_end_to_end": nan, "D_min": nan, "layer_min": -1,
                "ill_conditioned_layers": 0}  # fmt: skip
    good = t[np.isfinite(t["D"]) & (t["D"] > 0)]
    fit = loglinear_fit(good["D"].to_numpy(), good["layer"].to_numpy(dtype=float))
    nan = float("nan")
    first, last = t.iloc[0], t.iloc[-1]
    span = float(last["layer"] - first["layer"])
    ratio = nan
    if span > 0 and first["D"] > 0 and last["D"] > 0:
        ratio = float((last["D"] / first["D"]) ** (1.0 / span))
    return {
        "experiment": str(t["experiment"].iloc[0]),
        "kind": str(t["kind"].iloc[0]),
        "split": split,
        "status": "ok" if np.isfinite(fit["slope"]) else "no_fit",
        "layers_stored": int(len(t)),
        "layer_first": int(first["layer"]),
        "layer_last": int(last["layer"]),
        "excluded": int(len(t) - len(good)),
        "slope": fit["slope"],
        "rho": fit["rho"],
        "r": fit["r"],
        "r2": fit["r2"],
        "D_first": float(first["D"]),
        "D_last": float(last["D"]),
        "ratio_end_to_end": ratio,
        "D_min": float(good["D"].min()) if len(good) else nan,
        "layer_min": int(good["layer"].iloc[int(np.argmin(good["D"].to_numpy()))])
        if len(good)
        else -1,
        "ill_conditioned_layers": int((t["status"] == "ill_conditioned").sum()),
    }
