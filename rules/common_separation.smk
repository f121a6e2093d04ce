# Helpers of the separation rules (wildcards, resources). No rules here. The figures, runs
# and batches of the current config come from the package (deeplaws.separation.registry).

import re
from types import SimpleNamespace

from deeplaws.separation.paths import (
    BATCH_KEYS as SEP_BATCH_KEYS,
    MEASURE as SEP_MEASURE,
    MEASURE_WC as SEP_MEASURE_WC,
    PERTURB as SEP_PERTURB,
    RUN as SEP_RUN,
    RUN_WC as SEP_RUN_WC,
    run_file as sep_run_file,
)
from deeplaws.separation.registry import Registry
from deeplaws.separation.constants import (
    BN_MODES as SEP_BN_MODES,
    DATA_KEYS as SEP_DATA_KEYS,
    MODELS as SEP_MODELS,
    OPTIMIZERS as SEP_OPTIMIZERS,
    PROTOCOLS as SEP_PROTOCOLS,
    TAP_OPTIONS as SEP_TAP_OPTIONS,
)


wildcard_constraints:
    sdata="|".join(SEP_DATA_KEYS),
    smodel="|".join(SEP_MODELS),
    slayers=r"\d+",
    swidth=r"\d+",
    sopt="|".join(SEP_OPTIMIZERS),
    slr=r"\d[0-9.e\-]*",
    sepochs=r"\d+",
    sprotocol="|".join(SEP_PROTOCOLS),
    sseed=r"\d+",
    sbn="|".join(SEP_BN_MODES),
    spca=r"none|\d+",
    staps="|".join(SEP_TAP_OPTIONS),
    sepoch=r"final|\d+",


SEP = config["separation"]
SEP_REGISTRY = Registry(SEP, config["data"]["subsets"]["keys"])
SEP_FIGURES = SEP_REGISTRY.figures
SEP_PERTURB_RUNS = SEP_REGISTRY.perturbation_runs
SEP_BATCHES = SEP_REGISTRY.batches
# the {figure} wildcard of separation_plot_figure, a figure of this config (or nothing)
SEP_FIGURE_RE = "|".join(re.escape(name) for name in SEP_FIGURES) or "(?!)"

# models whose taps are large: more memory and time per job
SEP_BIG = {"GFNNOriginal": 2, "FNNSW": 2, "FNNWS": 2, "FNNMIX": 2}
SEP_HUGE = {"VGG13", "AlexNet", "GResNetBasic", "GResNetBottleneck", "ResNetMixV2"}


# --- per-run settings passed through params ----------------------------------------------


def sep_phase_a(wildcards):
    return SEP["frozen"]["phase_a_epochs"] if wildcards.sprotocol != "standard" else 0


def sep_threads(wildcards):
    """Cores of a training or measurement job (``wildcards``: an object with .smodel)."""
    return 2 if wildcards.smodel in SEP_HUGE or wildcards.smodel in SEP_BIG else 1


def sep_mem_mb(wildcards):
    if wildcards.smodel in SEP_HUGE:
        return 8000
    return 3000 if wildcards.smodel in SEP_BIG else 1500


def sep_runtime(wildcards):
    """Minutes: generous for 2-core CPUs (measured costs at 600 epochs, scaled)."""
    epochs = int(wildcards.sepochs) + (
        SEP["frozen"]["phase_a_epochs"] if wildcards.sprotocol != "standard" else 0
    )
    per_epoch_s = 0.15 * (int(wildcards.slayers) + 2)
    if wildcards.smodel in SEP_BIG:
        per_epoch_s = 3.0 * (int(wildcards.slayers) + 2)
    if wildcards.smodel in SEP_HUGE:
        per_epoch_s = 120.0
    if wildcards.sdata == "cfm_imb":
        per_epoch_s *= 3
    return int(10 + 3 * epochs * per_epoch_s / 60)


def sep_batch_runtime(runs):
    """Minutes of a batch job: one net's time, plus half a net per further member."""
    one = sep_runtime(SimpleNamespace(**runs[0]))
    return int(one * (1 + 0.5 * (len(runs) - 1)))


def sep_caption(wildcards):
    """The report caption of a separation figure (workflow/report/separation_<caption>.rst)."""
    fig = SEP_FIGURES[wildcards.figure]
    values = {"bn_mode": fig.bn_mode, "epochs": fig.epochs, "lr_rule": SEP["lr_rule"]}
    return render_caption(f"separation_{fig.caption}.rst", params=values)


def separation_outputs():
    """Every file of the separation part that the current config produces."""
    return SEP_REGISTRY.outputs()
