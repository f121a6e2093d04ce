"""The P2 figures, named by experiment ID, as lists of panels over records.

Each panel reads one metric of one (program, panel) record set and is drawn at (row, col)
of the figure. Noise sweeps give one panel per σ.
"""

from __future__ import annotations

from dataclasses import dataclass

from deeplaws.recovery.layout import Panel

PROBABILITY_METRICS = ("recovered", "nnic", "nnic_faithful", "nic_1", "nic_l")
DISTANCE_METRICS = ("dis_abs", "dis_test")
METRIC_LABELS = {
    "recovered": "recovery rate",
    "nnic": "P(NNIC-k holds), verified certificate",
    "nnic_faithful": "P(NNIC-k holds), official rule",
    "nic_1": "P(NIC-1 holds)",
    "nic_l": "P(NIC-L holds)",
    "dis_abs": "absolute distance",
    "dis_test": "test distance",
}


@dataclass(frozen=True)
class PanelRef:
    program: str
    panel: Panel
    metric: str
    title: str
    row: int = 0
    col: int = 0


@dataclass(frozen=True)
class FigureSpec:
    id: str
    title: str
    kind: str  # heatmap | mixture
    panels: tuple[PanelRef, ...] = ()
    reference: str | None = None  # n = 2d (skip) or n = d (normalized) reference line


FIGURE_IDS = (
    "sk_test",
    "sk_rec_relax",
    "sk_rec_exact",
    "nm_rec_k",
    "sk_rec_x",
    "sk_abs_sigma",
    "sk_gd_sigma",
    "nm_abs_sigma",
    "nm_nnic",
    "sk_rec_x_app",
    "sk_test_sigma",
    "sk_abs_sigma_train",
    "nm_rec_1",
    "nm_abs_1_sigma",
    "nm_abs_train_sigma",
    "nm_gd_sigma",
    "nm_rec_k_app",
    "nm_abs_k_sigma",
    "nm_gd_k_sigma",
    "mix_prob",
    "pl_rec",
)
XDISTS = ("gauss", "cubic", "white", "white_cubic")


def _sigma_row(
    program: str, metric: str, sigmas: list[float], row: int = 0, prefix: str = "", **panel
) -> list[PanelRef]:
    return [
        PanelRef(program, Panel(sigma=s, **panel), metric, f"{prefix}σ = {s:g}", row, c)
        for c, s in enumerate(sigmas)
    ]


def _planted_row(program: str, metric: str) -> list[PanelRef]:
    """One panel per planted vector of the skip net, gauss then svmin."""
    return [
        PanelRef(program, Panel(planted=w), metric, f"w* {w}", 0, i)
        for i, w in enumerate(("gauss", "svmin"))
    ]


def figure_specs(sigmas: list[float]) -> dict[str, FigureSpec]:
    """Every figure for the given noise levels."""
    S = list(sigmas)
    f: dict[str, FigureSpec] = {}

    def add(fid: str, title: str, panels: list[PanelRef], reference: str | None) -> None:
        f[fid] = FigureSpec(fid, title, "heatmap", tuple(panels), reference)

    add(
        "sk_test",
        "Skip net, training program 4.3: test distance (σ = 0)",
        _planted_row("skip_train", "dis_test"),
        "2d",
    )
    add(
        "sk_rec_relax",
        "Skip net, relaxed program 4.1: recovery rate",
        _planted_row("skip_relaxed", "recovered"),
        "2d",
    )
    add(
        "sk_rec_exact",
        "Skip net, cone-constrained program 4.3: recovery rate",
        _planted_row("skip_train", "recovered"),
        "2d",
    )
    add(
        "nm_rec_k",
        "Normalized net, relaxed program 4.5: recovery rate, planted eye",
        [
            PanelRef("normal_relaxed", Panel(planted="eye", k=k), "recovered", f"k = {k}", 0, i)
            for i, k in enumerate((2, 3))
        ],
        "d",
    )
    for fid, w in (("sk_rec_x", "gauss"), ("sk_rec_x_app", "svmin")):
        add(
            fid,
            f"Skip net, relaxed program 4.1: recovery rate vs X (w* {w})",
            [
                PanelRef("skip_relaxed", Panel(xdist=x, planted=w), "recovered", f"X {x}", 0, i)
                for i, x in enumerate(XDISTS)
            ],
            "2d",
        )
    add(
        "sk_abs_sigma",
        "Skip net, relaxed program 4.1: ‖ŵ0 − w*‖ (w* svmin)",
        _sigma_row("skip_relaxed", "dis_abs", S, planted="svmin"),
        "2d",
    )
    add(
        "sk_gd_sigma",
        "Trained skip net (AdamW): test distance (w* svmin)",
        _sigma_row("ncvx_skip", "dis_test", S, planted="svmin"),
        "2d",
    )
    add(
        "nm_abs_sigma",
        "Normalized net, relaxed program 4.5: distance (k = 2, pm)",
        _sigma_row("normal_relaxed", "dis_abs", S, planted="pm", k=2),
        "d",
    )
    add(
        "nm_nnic",
        "Normalized net: probability that NNIC-k holds (k = 2, gauss)",
        [
            PanelRef("normal_nnic", Panel(k=2), "nnic", "corrected rule", 0, 0),
            PanelRef("normal_nnic", Panel(k=2), "nnic_faithful", "faithful rule", 0, 1),
        ],
        "d",
    )
    add(
        "sk_test_sigma",
        "Skip net: test distance vs noise (w* svmin)",
        _sigma_row("skip_relaxed", "dis_test", S, 0, "relaxed 4.1, ", planted="svmin")
        + _sigma_row("skip_train", "dis_test", S, 1, "training 4.3, ", planted="svmin"),
        "2d",
    )
    add(
        "sk_abs_sigma_train",
        "Skip net, training program 4.3: ‖ŵ0 − w*‖ (w* svmin)",
        _sigma_row("skip_train", "dis_abs", S, planted="svmin"),
        "2d",
    )
    add(
        "nm_rec_1",
        "Normalized net, relaxed program 4.5: recovery rate (k = 1, gauss)",
        [PanelRef("normal_relaxed", Panel(k=1), "recovered", "k = 1, gauss", 0, 0)],
        "d",
    )
    add(
        "nm_abs_1_sigma",
        "Normalized net, relaxed program 4.5: distance (k = 1, gauss)",
        _sigma_row("normal_relaxed", "dis_abs", S, k=1),
        "d",
    )
    add(
        "nm_abs_train_sigma",
        "Normalized net, training program 4.6: distance (k = 1, gauss)",
        _sigma_row("normal_train", "dis_abs", S, k=1),
        "d",
    )
    add(
        "nm_gd_sigma",
        "Trained normalized net (AdamW): test distance (k = 1, gauss)",
        _sigma_row("ncvx_normal", "dis_test", S, k=1),
        "d",
    )
    add(
        "nm_rec_k_app",
        "Normalized net, relaxed program 4.5: recovery rate",
        [
            PanelRef("normal_relaxed", Panel(planted=w, k=k), "recovered", f"k = {k}, {w}", 0, i)
            for i, (w, k) in enumerate((("eye", 2), ("pm", 2), ("eye", 3)))
        ],
        "d",
    )
    rows = []
    for r, (w, k) in enumerate((("gauss", 2), ("eye", 2), ("eye", 3))):
        rows += _sigma_row("normal_relaxed", "dis_abs", S, r, f"k={k} {w}, ", planted=w, k=k)
    add("nm_abs_k_sigma", "Normalized net, relaxed program 4.5: distance vs noise", rows, "d")
    rows = []
    for r, (w, k) in enumerate((("pm", 2), ("gauss", 2))):
        rows += _sigma_row("ncvx_normal", "dis_test", S, r, f"k={k} {w}, ", planted=w, k=k)
    add("nm_gd_k_sigma", "Trained normalized net (AdamW): test distance", rows, "d")
    add(
        "pl_rec",
        "Plain ReLU (extension), exact program 4.7, one planted neuron",
        [
            PanelRef("plain_exact", Panel(), "recovered", "program 4.7", 0, 0),
            PanelRef("plain_exact", Panel(), "nic_1", "certificate", 0, 1),
        ],
        "2d",
    )
    f["mix_prob"] = FigureSpec("mix_prob", "Gaussian mixture: P(cluster pattern)", "mixture")
    return {fid: f[fid] for fid in FIGURE_IDS}


def record_sets(specs: list[FigureSpec]) -> list[tuple[str, Panel]]:
    """The distinct (program, panel) pairs that the figures read, in first-use order."""
    seen: dict[tuple[str, str], tuple[str, Panel]] = {}
    for spec in specs:
        for p in spec.panels:
            seen.setdefault((p.program, p.panel.key), (p.program, p.panel))
    return list(seen.values())


def cut_grid(
    ns: list[int], ds: list[int], n_max: int | None, d_max: int | None
) -> tuple[list[int], list[int]]:
    """The grid cut to n <= n_max, d <= d_max (at least its first value on each axis)."""
    cut_ns = [n for n in ns if n_max is None or n <= n_max] or ns[:1]
    cut_ds = [d for d in ds if d_max is None or d <= d_max] or ds[:1]
    return cut_ns, cut_ds


def record_set_grids(
    specs: list[FigureSpec],
    ns: list[int],
    ds: list[int],
    full_grid: str | list[str] = "all",
    n_max: int | None = None,
    d_max: int | None = None,
) -> dict[tuple[str, str], tuple[list[int], list[int]]]:
    """The (ns, ds) grid of every (program, panel key) record set of the figures: the whole
    grid if a figure in ``full_grid`` ('all' or a list of IDs) reads it, else the grid cut
    to n <= n_max, d <= d_max."""
    full = {s.id for s in specs} if full_grid == "all" else set(full_grid)
    cut_ns, cut_ds = cut_grid(ns, ds, n_max, d_max)
    out: dict[tuple[str, str], tuple[list[int], list[int]]] = {}
    for spec in specs:
        grid = (list(ns), list(ds)) if spec.id in full else (cut_ns, cut_ds)
        for p in spec.panels:
            key = (p.program, p.panel.key)
            if key not in out or len(grid[0]) * len(grid[1]) > len(out[key][0]) * len(out[key][1]):
                out[key] = grid
    return out
