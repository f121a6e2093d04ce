"""Robustness of the law to weight perturbation (He & Su report it; no released protocol).

Protocol (ours): take a trained feedforward net; for each Linear layer l = 1 .. L+2 in turn
(layer l produces tap l; layer L+2 is the classifier), each relative size sigma and each draw,
replace the weight W_l by W_l + sigma * rms(W_l) * Z with Z standard normal (the biases and
the other layers are untouched), then measure the train and test accuracy (eval-mode BN, as
every accuracy of this package) and the D profile with the measurement settings of the
figures (train-mode BN in chunks of 100 by default). Z depends only on (seed, layer, draw),
so the sigmas scale one common noise direction. The unperturbed net is the baseline.

A perturbation of layer l leaves D at taps < l unchanged (a check the tests make); the law is
robust when the fit of the perturbed profile stays close to the baseline fit.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from typing import Any

import matplotlib
import numpy as np
import torch
from matplotlib.figure import Figure
from torch import nn

from deeplaws.separation.models import FNN
from deeplaws.separation.plotting import BLUE, decade_limits
from deeplaws.separation.runs import measure_model
from deeplaws.separation.training import evaluate


def linear_layers(model: FNN) -> list[nn.Linear]:
    """The Linear layers of an FNN, input side first (the classifier last)."""
    out = [m for block in model.blocks for m in block if isinstance(m, nn.Linear)]
    return [*out, model.classifier]


def perturbed(model: FNN, layer: int, sigma: float, seed: int, draw: int) -> FNN:
    """A copy of ``model`` with Linear layer ``layer`` (1-based) perturbed by relative noise."""
    net = copy.deepcopy(model)
    lin = linear_layers(net)[layer - 1]
    W = lin.weight
    gen = torch.Generator().manual_seed(int(seed) * 1_000_003 + layer * 1009 + draw)
    Z = torch.randn(W.shape, generator=gen, dtype=W.dtype).to(W.device)
    with torch.no_grad():
        rms = W.pow(2).mean().sqrt()
        W.add_(Z * (sigma * rms))
    return net


def _measure(
    net: FNN,
    model_name: str,
    X_train: torch.Tensor,
    y_train: torch.Tensor,
    X_test: torch.Tensor,
    y_test: torch.Tensor,
    bn_mode: str,
    chunk: int,
    weighting: str,
) -> dict[str, Any]:
    train_acc, train_loss = evaluate(net, X_train, y_train)
    test_acc, _ = evaluate(net, X_test, y_test)
    rec = measure_model(
        net,
        model_name,
        X_train,
        y_train.numpy(),
        bn_mode=bn_mode,
        chunk=chunk,
        weighting=weighting,
    )
    return {
        "train_accuracy": train_acc,
        "train_loss_eval": train_loss,
        "test_accuracy": test_acc,
        "status": rec["status"],
        "D": rec["D"],
        "r": rec["fit"]["r"],
        "rho": rec["fit"]["rho"],
    }


def perturbation_study(
    model: FNN,
    model_name: str,
    X_train: torch.Tensor,
    y_train: torch.Tensor,
    X_test: torch.Tensor,
    y_test: torch.Tensor,
    sigmas: Sequence[float],
    draws: int,
    seed: int,
    bn_mode: str = "train",
    chunk: int = 100,
    weighting: str = "nk",
) -> dict[str, Any]:
    """Baseline and every (layer, sigma, draw) perturbation, with per-(layer, sigma) means."""
    if draws < 1 or not sigmas:
        raise ValueError(f"need at least one sigma and one draw, got {sigmas} and {draws}")
    args = (model_name, X_train, y_train, X_test, y_test, bn_mode, chunk, weighting)
    base = _measure(model, *args)
    n_layers = len(linear_layers(model))
    rows, summary = [], []
    for layer in range(1, n_layers + 1):
        for sigma in sigmas:
            group = []
            for draw in range(draws):
                rec = _measure(perturbed(model, layer, float(sigma), seed, draw), *args)
                rec.update(layer=layer, sigma=float(sigma), draw=draw)
                rows.append(rec)
                group.append(rec)
            summary.append(
                {
                    "layer": layer,
                    "sigma": float(sigma),
                    **{
                        f"{key}_{stat}": float(fn([g[key] for g in group]))
                        for key in ("test_accuracy", "train_accuracy", "r", "rho")
                        for stat, fn in (("mean", np.nanmean), ("std", np.nanstd))
                    },
                }
            )
    return {
        "protocol": {
            "noise": "W_l + sigma * rms(W_l) * Z, Z ~ N(0, 1), one layer at a time",
            "sigmas": [float(s) for s in sigmas],
            "draws": int(draws),
            "seed": int(seed),
            "bn_mode": bn_mode,
            "chunk": chunk,
            "weighting": weighting,
            "layers": n_layers,
        },
        "baseline": base,
        "rows": rows,
        "summary": summary,
    }


def perturbation_figure(
    records: Sequence[dict[str, Any]],
    titles: Sequence[str],
    annotate: bool = True,
    suptitle: str | None = None,
) -> Figure:
    """One row per perturbed net: test accuracy, Pearson r, and the D profiles at the
    largest sigma (draw 0), each against the perturbed layer."""
    nrows = len(records)
    fig = Figure(figsize=(11.5, 3.4 * nrows), layout="constrained")
    axes = fig.subplots(nrows, 3, squeeze=False)
    cmap = matplotlib.colormaps["viridis"]
    for row, rec, title in zip(axes, records, titles, strict=True):
        sigmas = rec["protocol"]["sigmas"]
        layers = rec["protocol"]["layers"]
        base = rec["baseline"]
        for j, sigma in enumerate(sigmas):
            color = cmap(j / max(1, len(sigmas) - 1))
            cells = [s for s in rec["summary"] if s["sigma"] == sigma]
            xs = [c["layer"] for c in cells]
            for ax, key in ((row[0], "test_accuracy"), (row[1], "r")):
                ax.errorbar(
                    xs,
                    [c[f"{key}_mean"] for c in cells],
                    yerr=[c[f"{key}_std"] for c in cells],
                    fmt="o-",
                    ms=3,
                    lw=1,
                    capsize=2,
                    color=color,
                    label=f"σ = {sigma:g}",
                )
        for ax, key, label in (
            (row[0], "test_accuracy", "test accuracy"),
            (row[1], "r", "Pearson r of ln D"),
        ):
            ax.axhline(base[key], color="black", ls="--", lw=1, label="unperturbed")
            ax.set_xticks(range(1, layers + 1))
            if annotate:
                ax.set_xlabel("perturbed layer", fontsize=9)
                ax.set_ylabel(label, fontsize=9)
                ax.legend(fontsize=7, frameon=False)
        ax = row[2]
        top = max(sigmas)
        values = list(base["D"])
        for layer in range(1, layers + 1):
            match = [
                r
                for r in rec["rows"]
                if r["layer"] == layer and r["sigma"] == top and r["draw"] == 0
            ]
            if not match or not match[0]["D"]:
                continue
            D = match[0]["D"]
            values += D
            ax.plot(
                range(len(D)),
                D,
                "o-",
                ms=2,
                lw=0.8,
                color=cmap((layer - 1) / max(1, layers - 1)),
                label=f"layer {layer}" if layers <= 8 else None,
            )
        ax.plot(
            range(len(base["D"])),
            base["D"],
            "o-",
            color="black",
            lw=2,
            ms=4,
            label="unperturbed",
            zorder=5,
        )
        ax.set_yscale("log")
        ax.set_ylim(*decade_limits([v for v in values if math.isfinite(v)]))
        if annotate:
            ax.set_xlabel(f"tap (σ = {top:g}, draw 0)", fontsize=9)
            ax.set_ylabel("D", fontsize=9)
            ax.legend(fontsize=6, frameon=False, ncol=2)
            row[0].set_title(title, fontsize=10, loc="left", color=BLUE)
    if suptitle and annotate:
        fig.suptitle(suptitle, fontsize=11)
    return fig
