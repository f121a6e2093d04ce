"""Rate reduction across the taps of trained GFNNs, with log D beside.

A saved equi-separation run (``state.pt``: spec, final state dict, snapshots) is loaded, the
training set is forwarded and the tap features are taken exactly as P3 measures D
(:func:`deeplaws.separation.features.tap_features`: training set in stored order, chunks of
``chunk`` samples, BN in ``bn_mode``). At every tap: D (P3) and R, R_c, ΔR (P1, on
per-sample normalized features, :func:`deeplaws.lens.measures.rates`).

Stages: ``init`` (the weights before the first step: the epoch-0 snapshot where the run kept
one, else rebuilt from the run's seed exactly as training builds them, see
:func:`rebuild_init`), ``final`` and every other saved snapshot epoch.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from deeplaws.common.seeding import seed_everything
from deeplaws.lens.measures import measure
from deeplaws.separation.features import tap_features
from deeplaws.separation.fit import loglinear_fit
from deeplaws.separation.models import TapNet, build_model
from deeplaws.separation.runs import RunSpec, Tensors

RUN_KEYS = ("model", "layer_num", "width", "optimizer", "lr", "epochs", "seed")


def read_state(path: str | Path) -> dict[str, Any]:
    return torch.load(path, map_location="cpu", weights_only=True)


def rebuild_init(spec: RunSpec, in_shape: Sequence[int]) -> TapNet:
    """The initial net of a run, built as training builds it: every generator seeded with
    ``spec.seed``, then the model constructed (both the one-net and the batched paths do
    exactly this before the first step)."""
    seed_everything(spec.seed)
    return build_model(spec.model, in_shape, spec.layer_num, spec.width)


def same_state(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> bool:
    """True if two state dicts have the same keys and bit-identical tensors."""
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def stage_models(
    payload: dict[str, Any], in_shape: Sequence[int], epochs: Sequence[int] | None = None
) -> list[tuple[str, int, str, TapNet]]:
    """(stage, epoch, source, net) for the initial weights, the saved snapshots (or only
    ``epochs`` of them) and the final weights. ``source``: 'snapshot', 'rebuilt' or 'final'.
    Where the epoch-0 snapshot exists, the rebuilt net is checked against it and the check
    is the source ('snapshot=rebuilt' or 'snapshot!=rebuilt')."""
    spec = RunSpec(**payload["spec"])
    snaps = payload.get("snapshots") or {}
    out = []
    rebuilt = rebuild_init(spec, in_shape)
    if 0 in snaps:
        same = same_state(rebuilt.state_dict(), snaps[0])
        init = build_model(spec.model, in_shape, spec.layer_num, spec.width)
        init.load_state_dict(snaps[0])
        out.append(("init", 0, "snapshot=rebuilt" if same else "snapshot!=rebuilt", init))
    else:
        out.append(("init", 0, "rebuilt", rebuilt))
    for epoch in sorted(snaps):
        if epoch == 0 or (epochs is not None and epoch not in epochs):
            continue
        net = build_model(spec.model, in_shape, spec.layer_num, spec.width)
        net.load_state_dict(snaps[epoch])
        out.append(("snapshot", int(epoch), "snapshot", net))
    final = build_model(spec.model, in_shape, spec.layer_num, spec.width)
    final.load_state_dict(payload["state_dict"])
    out.append(("final", int(spec.epochs), "final", final))
    return out


def tap_rows(
    net: TapNet,
    X: torch.Tensor,
    y: np.ndarray,
    eps2: float,
    bn_mode: str = "train",
    chunk: int = 100,
    weighting: str = "nk",
) -> list[dict[str, Any]]:
    """D and R, R_c, ΔR at every tap of ``net`` on inputs ``X`` with labels ``y``."""
    feats = tap_features(net, X, taps="default", bn_mode=bn_mode, chunk=chunk)
    return [{"tap": i, **measure(H, y, eps2, weighting=weighting)} for i, H in enumerate(feats)]


def measure_run(
    state: str | Path,
    data: Tensors,
    eps2: float,
    bn_mode: str = "train",
    chunk: int = 100,
    weighting: str = "nk",
    snapshots: bool = True,
    study: str = "",
) -> pd.DataFrame:
    """One row per (stage, tap) of a saved run; a diverged run gives one row saying so."""
    payload = read_state(state)
    spec = RunSpec(**payload["spec"])
    studies = study.split("+")
    head = {
        "study": study,
        "in_fig1": "fig1" in studies,
        "in_emergence": "emergence" in studies,
        **{k: getattr(spec, k) for k in RUN_KEYS},
        "data": spec.data,
    }
    if payload.get("status", "ok") != "ok" or payload.get("state_dict") is None:
        nan = float("nan")
        return pd.DataFrame([{**head, "stage": "final", "epoch": spec.epochs, "source": "",
                              "tap": -1, "status": str(payload.get("status")), "D": nan,
                              "dR": nan, "R": nan, "Rc": nan, "eps2": eps2}])  # fmt: skip
    if not snapshots:
        payload = {
            **payload,
            "snapshots": {k: v for k, v in payload["snapshots"].items() if k == 0},
        }
    y = data.y_train.numpy()
    rows = []
    for stage, epoch, source, net in stage_models(payload, data.in_shape):
        for row in tap_rows(net, data.X_train, y, eps2, bn_mode, chunk, weighting):
            rows.append({**head, "stage": stage, "epoch": epoch, "source": source, **row})
    return pd.DataFrame(rows)


def _pearson(a: np.ndarray, b: np.ndarray) -> float:
    if a.size < 3 or np.std(a) == 0 or np.std(b) == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])


def _spearman(a: np.ndarray, b: np.ndarray) -> float:
    return _pearson(pd.Series(a).rank().to_numpy(), pd.Series(b).rank().to_numpy())


def profile_summary(table: pd.DataFrame) -> pd.DataFrame:
    """One row per (run, stage, epoch): P3's fit of ln D over taps, ΔR at the first and last
    tap, the number of taps at which ΔR drops, and the correlations of log D with ΔR over
    the taps (Pearson and Spearman; negative: D falls where ΔR grows)."""
    keys = ["study", "in_fig1", "in_emergence", *RUN_KEYS, "data", "stage", "epoch"]
    rows = []
    for key, g in table[table["tap"] >= 0].groupby(keys, sort=False):
        g = g.sort_values("tap")
        D, dR = g["D"].to_numpy(float), g["dR"].to_numpy(float)
        fit = loglinear_fit(D)
        steps = np.diff(dR)
        logD = np.log(np.where(D > 0, D, np.nan))
        finite = np.isfinite(logD) & np.isfinite(dR)
        rows.append({
            **dict(zip(keys, key, strict=True)),
            "source": g["source"].iloc[0],
            "taps": int(len(g)),
            "rho": fit["rho"],
            "r": fit["r"],
            "slope": fit["slope"],
            "dR_first": float(dR[0]),
            "dR_last": float(dR[-1]),
            "dR_max": float(np.nanmax(dR)),
            "dR_drops": int(np.sum(steps < 0)),
            "corr_logD_dR": _pearson(logD[finite], dR[finite]),
            "spearman_logD_dR": _spearman(logD[finite], dR[finite]),
            "eps2": float(g["eps2"].iloc[0]),
        })  # fmt: skip
    return pd.DataFrame(rows)


def training_gain(table: pd.DataFrame, summary: pd.DataFrame) -> pd.DataFrame:
    """Per run, what training changes: at every tap after the input, trained ΔR minus
    initial ΔR (mean, smallest, and the share of taps where it is positive), the same at
    the last tap, the tap of the largest trained ΔR, the drops of ΔR along the taps before
    and after training, ρ of the D profile before and after, and corr(log D, ΔR) trained."""
    keys = ["study", "in_fig1", "in_emergence", *RUN_KEYS, "data"]
    rows = []
    for key, g in summary.groupby(keys, sort=False):
        init, final = g[g["stage"] == "init"], g[g["stage"] == "final"]
        if init.empty or final.empty:
            continue
        i, f = init.iloc[0], final.iloc[0]
        sel = np.ones(len(table), dtype=bool)
        for k, v in zip(keys, key, strict=True):
            sel &= (table[k] == v).to_numpy()
        t = table[sel & (table["tap"] > 0).to_numpy()]
        a = t[t["stage"] == "init"].sort_values("tap")["dR"].to_numpy(float)
        b = t[t["stage"] == "final"].sort_values("tap")
        gain = b["dR"].to_numpy(float) - a
        rows.append({
            **dict(zip(keys, key, strict=True)),
            "taps": int(f["taps"]),
            "dR_gain_mean": float(gain.mean()),
            "dR_gain_min": float(gain.min()),
            "dR_gain_share_positive": float(np.mean(gain > 0)),
            "dR_last_init": i["dR_last"],
            "dR_last_final": f["dR_last"],
            "dR_gain_last": f["dR_last"] - i["dR_last"],
            "dR_peak_tap_final": int(b["tap"].to_numpy()[np.argmax(b["dR"].to_numpy(float))]),
            "dR_drops_init": int(i["dR_drops"]),
            "dR_drops_final": int(f["dR_drops"]),
            "rho_init": i["rho"],
            "rho_final": f["rho"],
            "r_final": f["r"],
            "corr_logD_dR_final": f["corr_logD_dR"],
        })  # fmt: skip
    return pd.DataFrame(rows)
