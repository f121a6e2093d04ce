# Helpers of the recovery rules (paths, seeds, settings, input functions, targets).
# No rules here. The experiment layout lives in deeplaws.recovery.{layout,figures}.

import functools

from deeplaws.recovery import cost as _rc
from deeplaws.recovery import layout as _rx
from deeplaws.recovery import figures as _rf
from deeplaws.recovery.captions import caption as recovery_caption


wildcard_constraints:
    program="|".join(_rx.PROGRAMS),
    panel=_rx.PANEL_PATTERN,
    unit=_rx.UNIT_PATTERN,
    figure="|".join(_rf.FIGURE_IDS),
    mixd=r"\d+",


def _span(spec):
    """A grid axis {start, stop, step} (stop included) as a list of ints/floats."""
    start, stop, step = spec["start"], spec["stop"], spec["step"]
    count = int(round((stop - start) / step)) + 1
    values = [start + i * step for i in range(count)]
    return [round(v, 10) for v in values]


def recovery_ns():
    return [int(v) for v in _span(config["recovery"]["grid"]["n"])]


def recovery_ds():
    return [int(v) for v in _span(config["recovery"]["grid"]["d"])]


def recovery_specs():
    """The active figure specs of the current config."""
    specs = _rf.figure_specs(config["recovery"]["sigmas"])
    return [specs[f] for f in config["recovery"]["figures"]]


def recovery_spec(figure):
    return _rf.figure_specs(config["recovery"]["sigmas"])[figure]


def recovery_record_grid(program, panel_key):
    """(ns, ds) of one record set: the whole grid, or the cut grid (small_grid) when only
    figures outside recovery.full_grid read it."""
    rc = config["recovery"]
    full = rc["full_grid"] if isinstance(rc["full_grid"], str) else tuple(rc["full_grid"])
    small = rc["small_grid"]
    grids = _recovery_grids(
        tuple(rc["figures"]),
        tuple(rc["sigmas"]),
        tuple(recovery_ns()),
        tuple(recovery_ds()),
        full,
        small["n_max"],
        small["d_max"],
    )
    return grids.get((program, panel_key), (recovery_ns(), recovery_ds()))


@functools.lru_cache(maxsize=None)
def _recovery_grids(figures, sigmas, ns, ds, full, n_max, d_max):
    specs = _rf.figure_specs(list(sigmas))
    full = full if isinstance(full, str) else list(full)
    return _rf.record_set_grids(
        [specs[f] for f in figures], list(ns), list(ds), full, n_max, d_max
    )


def recovery_figure_grid(figure):
    """[ns, ds] of one figure: the whole grid if it is in recovery.full_grid, else cut."""
    rc = config["recovery"]
    ns, ds = recovery_ns(), recovery_ds()
    if rc["full_grid"] == "all" or figure in rc["full_grid"]:
        return [ns, ds]
    cut_ns, cut_ds = _rf.cut_grid(ns, ds, rc["small_grid"]["n_max"], rc["small_grid"]["d_max"])
    return [cut_ns, cut_ds]


def recovery_units(program, panel_key):
    rc = config["recovery"]
    ns, ds = recovery_record_grid(program, panel_key)
    return _rx.units(
        program,
        ns,
        ds,
        rc["trials"][program],
        rc["fanout"]["batch"][program],
        rc["fanout"]["per_trial_min_n"],
    )


def recovery_unit_files(program, panel):
    if config["recovery"]["fanout"]["batch"][program] == "program":
        return [_rx.program_file(program)]
    return [
        f"results/recovery/{program}/{panel.key}/{u.key}.json"
        for u in recovery_units(program, panel.key)
    ]


def recovery_table_inputs(wildcards):
    """Every unit file that the figure's table reads."""
    if wildcards.figure == "mix_prob":
        return [
            f"results/recovery/mixture/d~{d}.json" for d in config["recovery"]["mixture"]["d"]
        ]
    spec = recovery_spec(wildcards.figure)
    files = []
    for program, panel in _rf.record_sets([spec]):
        files += [f for f in recovery_unit_files(program, panel) if f not in files]
    return files


# Finished trial records, reused by later jobs (deeplaws.recovery.store); "" disables reuse.
RECOVERY_STORE = "results/recovery/store"


def recovery_unit_grid(wildcards):
    """(ns, ds, trials) of one unit: only its own share of the grid, so that growing the
    grid does not change the params of finished cells and columns."""
    unit = _rx.Unit.parse(wildcards.unit)
    grid_ns, grid_ds = recovery_record_grid(wildcards.program, wildcards.panel)
    ns = grid_ns if unit.n is None else [unit.n]
    ds = grid_ds if unit.d is None else [unit.d]
    trials = config["recovery"]["trials"][wildcards.program]
    if unit.trial is not None and _rx.PROGRAMS[wildcards.program].kind != "nonconvex":
        trials = unit.trial + 1  # a one-trial unit runs its own trial only
    return ns, ds, trials


def recovery_settings(program):
    """The config values a program's trials depend on (and nothing else, so that a
    changed value reruns only the programs that use it)."""
    rc = config["recovery"]
    kind = _rx.PROGRAMS[program].kind
    if kind == "nonconvex":
        return dict(rc["nonconvex"])
    out = {"all_ones_check": rc["all_ones_check"], "min_directions": rc["min_directions"]}
    if kind == "convex":
        out.update(solver=rc["solver"], tol=rc["tol"], beta=rc["beta"])
        if rc["clarabel_method"] != "qdldl":  # qdldl: Clarabel's default, kept out of params
            out["clarabel_method"] = rc["clarabel_method"]
        out["formulation"] = rc["formulation"]
        out["strategy"] = rc["strategy"]
    return out


def recovery_resources(wildcards):
    """(mem_mb, runtime minutes) of one unit from the calibrated cost model."""
    ns, ds, trials = recovery_unit_grid(wildcards)
    panel = _rx.Panel.parse(wildcards.panel)
    return _recovery_resources(
        wildcards.program,
        wildcards.unit,
        panel.k,
        tuple(ns),
        tuple(ds),
        config["recovery"]["trials"][wildcards.program],
        config["recovery"]["formulation"],
        panel.sigma,
        config["recovery"]["strategy"],
        panel.planted,
        config["recovery"]["solver"],
    )


@functools.lru_cache(maxsize=None)
def _recovery_resources(
    program, unit, k, ns, ds, trials, formulation, sigma, strategy, planted, solver
):
    unit = _rx.Unit.parse(unit)
    return _rc.resources(
        program, unit, list(ns), list(ds), trials, k, formulation, sigma, strategy, planted, solver
    )


def recovery_program_panels(program):
    """[panel key, ns, ds] of every panel of ``program`` that the active figures read, in
    first-use order (the params of its program-level job)."""
    return [
        [panel.key, *recovery_record_grid(program, panel.key)]
        for prog, panel in _rf.record_sets(recovery_specs())
        if prog == program
    ]


def recovery_program_resources(program):
    """(mem_mb, runtime minutes) of a program-level job: the sum of its panels' runtimes
    (a batch of several panels costs no more than the panels one by one)."""
    trials = config["recovery"]["trials"][program]
    costs = [
        _recovery_resources(
            program, "n~all_d~all", _rx.Panel.parse(key).k, tuple(ns), tuple(ds), trials,
            config["recovery"]["formulation"], _rx.Panel.parse(key).sigma,
            config["recovery"]["strategy"], _rx.Panel.parse(key).planted,
            config["recovery"]["solver"],
        )
        for key, ns, ds in recovery_program_panels(program)
    ]
    return max(c[0] for c in costs), sum(c[1] for c in costs)


def recovery_outputs():
    """Every file of the recovery part that the current config produces."""
    if not config["recovery"]["activate"]:
        return []
    return [
        f"results/figures/recovery/{f}.{ext}"
        for f in config["recovery"]["figures"]
        for ext in ("pdf", "png")
    ]
