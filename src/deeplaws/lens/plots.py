"""The lens figures, drawn from the lens tables only (deeplaws.lens.tables)."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

OPTIMIZERS = ("sgd", "momentum", "adam")
DR_COLOR = "tab:green"  # ΔR, as in the ReduNet rate curves
D_COLOR = "black"  # D, as in the equi-separation profiles
FIT_COLOR = "tab:blue"


def redunet_figure(table: pd.DataFrame, fits: pd.DataFrame) -> Figure:
    """log D over the stored layers of every ReduNet construction, with P3's fit."""
    names = list(dict.fromkeys(table["experiment"]))
    ncols = min(3, len(names))
    nrows = math.ceil(len(names) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.6 * ncols, 2.8 * nrows), squeeze=False)
    for ax, name in zip(axes.flat, names, strict=False):
        for split, style in (("train", "-"), ("test", "--")):
            t = table[(table["experiment"] == name) & (table["split"] == split)]
            t = t.sort_values("layer")
            if t.empty:
                continue
            ax.plot(t["layer"], t["D"], style, color=D_COLOR if split == "train" else "grey",
                    lw=1.2, marker="." if len(t) <= 60 else None, label=f"D ({split})")  # fmt: skip
        f = fits[(fits["experiment"] == name) & (fits["split"] == "train")]
        title = name
        if len(f) and f.iloc[0]["status"] == "ok":
            row = f.iloc[0]
            x = np.array([row["layer_first"], row["layer_last"]], dtype=float)
            t = table[(table["experiment"] == name) & (table["split"] == "train")]
            good = t[np.isfinite(t["D"]) & (t["D"] > 0)]
            xs, ys = good["layer"].to_numpy(float), np.log(good["D"].to_numpy(float))
            intercept = ys.mean() - row["slope"] * xs.mean()
            ax.plot(x, np.exp(intercept + row["slope"] * x), color=FIT_COLOR, lw=1,
                    label="fit of ln D (train)")  # fmt: skip
            title += f"\nρ = {row['rho']:.4g} per layer, r = {row['r']:.3f}"
        elif len(f):
            title += "\nno fit (D not positive)"
        ax.set_yscale("log")
        ax.set_title(title)
        ax.set_xlabel("ReduNet layer (0 = input)")
        ax.set_ylabel("D = Tr(SS_w SS_b⁺)")
    axes.flat[0].legend(loc="best", frameon=False)
    for ax in list(axes.flat)[len(names) :]:
        ax.set_visible(False)
    fig.suptitle("Separation fuzziness D across the layers of constructed ReduNets")
    fig.tight_layout()
    return fig


def _run_label(row: pd.Series) -> str:
    return f"{row['optimizer']}, {int(row['layer_num']) + 2} layers, lr {row['lr']:g}"


def _rate_panel(ax, taps: pd.DataFrame, stages: list[tuple[str, str, str]]) -> None:
    """ΔR (left axis) and D (right axis, log) against the tap for the given stages."""
    ax2 = ax.twinx()
    ax2.spines["right"].set_visible(True)
    for stage, style, label in stages:
        s = taps[taps["stage"] == stage].sort_values("tap")
        if s.empty:
            continue
        ax.plot(s["tap"], s["dR"], style, color=DR_COLOR, marker="o", ms=3, label=f"ΔR {label}")
        ax2.plot(s["tap"], s["D"], style, color=D_COLOR, marker="s", ms=3, label=f"D {label}")
    ax2.set_yscale("log")
    ax.set_xlabel("tap (0 = input)")
    ax.set_ylabel("ΔR (nats)", color=DR_COLOR)
    ax2.set_ylabel("D (log)")
    return ax2


def gfnn_figure(taps: pd.DataFrame, profiles: pd.DataFrame, eps2: float) -> Figure:
    """ΔR and D at every tap of the Fig 1 GFNNs, at initialisation and after training."""
    t = taps[taps["study"].str.contains("fig1") & (taps["tap"] >= 0)]
    depths = sorted(t["layer_num"].unique())
    fig, axes = plt.subplots(3, len(depths), figsize=(3.5 * len(depths), 7.8), squeeze=False)
    stages = [("init", "--", "init"), ("final", "-", "trained")]
    handles = None
    for i, opt in enumerate(OPTIMIZERS):
        for j, L in enumerate(depths):
            ax = axes[i, j]
            run = t[(t["optimizer"] == opt) & (t["layer_num"] == L)]
            if run.empty:
                ax.set_visible(False)
                continue
            ax2 = _rate_panel(ax, run, stages)
            p = profiles[profiles["study"].str.contains("fig1") & (profiles["optimizer"] == opt)
                         & (profiles["layer_num"] == L)]  # fmt: skip
            fin = p[p["stage"] == "final"]
            ini = p[p["stage"] == "init"]
            title = _run_label(run.iloc[0])
            if len(fin) and len(ini):
                title += (f"\nΔR last {ini.iloc[0]['dR_last']:.1f}→{fin.iloc[0]['dR_last']:.1f}, "
                          f"corr(log D, ΔR) {fin.iloc[0]['corr_logD_dR']:.2f}")  # fmt: skip
            if run["status"].ne("ok").any():
                title += " [flagged taps]"
            ax.set_title(title)
            if handles is None:
                h1, l1 = ax.get_legend_handles_labels()
                h2, l2 = ax2.get_legend_handles_labels()
                handles = (h1 + h2, l1 + l2)
    if handles:
        fig.legend(*handles, loc="lower center", ncol=4, frameon=False)
    fig.suptitle(f"Rate reduction ΔR (ε² = {eps2:g}, unit-norm tap features, training set) and "
                 "fuzziness D at every tap of the Fig 1 GFNNs")  # fmt: skip
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig


def emergence_figure(taps: pd.DataFrame, profiles: pd.DataFrame, eps2: float) -> Figure:
    """ΔR and D at every tap of the emergence run at each saved epoch, and log D against ΔR."""
    t = taps[taps["study"].str.contains("emergence") & (taps["tap"] >= 0)]
    epochs = sorted(t["epoch"].unique())
    cmap = plt.get_cmap("viridis")
    colors = {e: cmap(k / max(1, len(epochs) - 1)) for k, e in enumerate(epochs)}
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.6))
    for e in epochs:
        s = t[t["epoch"] == e].sort_values("tap")
        if (s["stage"] != "final").any():  # the snapshot of the last epoch is the final net
            s = s[s["stage"] != "final"]
        c = colors[e]
        axes[0].plot(s["tap"], s["dR"], "-o", ms=3, color=c, label=f"epoch {e}")
        axes[1].plot(s["tap"], s["D"], "-o", ms=3, color=c)
        axes[2].plot(s["dR"], s["D"], "-o", ms=3, color=c)
        if e == epochs[0]:  # the input tap is the same point at every epoch
            axes[2].annotate("input", (s["dR"].iloc[0], s["D"].iloc[0]), fontsize=7,
                             xytext=(4, -10), textcoords="offset points")  # fmt: skip
    run = t.iloc[0]
    axes[0].set(xlabel="tap (0 = input)", ylabel="ΔR (nats)", title="ΔR at each tap")
    axes[1].set(xlabel="tap (0 = input)", ylabel="D", yscale="log", title="D at each tap")
    final = profiles[profiles["study"].str.contains("emergence") & (profiles["stage"] == "final")]
    sub = "log D against ΔR (one line per epoch)"
    if len(final):
        sub += f"\ntrained: corr(log D, ΔR) = {final.iloc[0]['corr_logD_dR']:.2f}"
    axes[2].set(xlabel="ΔR (nats)", ylabel="D", yscale="log", title=sub)
    axes[0].legend(frameon=False, fontsize=7)
    fig.suptitle(f"Emergence run ({_run_label(run)}, {int(run['epochs'])} epochs): rate reduction "
                 f"(ε² = {eps2:g}) and fuzziness at the saved epochs")  # fmt: skip
    fig.tight_layout()
    return fig
