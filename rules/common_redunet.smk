# Helpers of the redunet rules (paths, experiment table, params, targets). No rules here.

import re

from deeplaws.redunet import registry as redunet_registry

# experiment -> (kind, figure name stem, plot type), from deeplaws.redunet.registry
REDUNET_EXPERIMENTS = {e.name: (e.kind, e.stem, e.plot) for e in redunet_registry.EXPERIMENTS.values()}
REDUNET_EXP_RE = "|".join(REDUNET_EXPERIMENTS)
redunet_dir = redunet_registry.directory
# figure name -> its experiment and plot type (the {figure} of redunet_plot_figure)
REDUNET_FIGURES = redunet_registry.FIGURES
REDUNET_FIGURE_RE = "|".join(re.escape(name) for name in REDUNET_FIGURES)
# MB of a plot job, by plot type (another type: 2000)
REDUNET_PLOT_MEM = {"gaussian": 1000, "invariance": 2000, "appendix": 2000, "table": 1000}


def redunet_dataset(wildcards):
    """The dataset file of an experiment (variant from the config for synthetic data)."""
    exp = wildcards.experiment
    name = redunet_registry.dataset_name(exp, config["redunet"]["experiments"][exp])
    return f"results/data/{name}.npz"


def redunet_settings(wildcards):
    """Per-experiment settings plus its kind and the shared lambda (params of the compute rule)."""
    exp = wildcards.experiment
    return {
        **config["redunet"]["experiments"][exp],
        "kind": REDUNET_EXPERIMENTS[exp][0],
        "lambda": config["redunet"]["lambda"],
    }


def redunet_switches(wildcards):
    """The construction switches shared by every experiment (top of the redunet section)."""
    r = config["redunet"]
    keys = ("eps2", "train_membership", "legacy_class_alpha", "true_class_weights", "backend")
    return {k: r[k] for k in keys}


def redunet_threads(wildcards):
    """Vector experiments are many tiny operations: one thread is fastest."""
    return 1 if REDUNET_EXPERIMENTS[wildcards.experiment][0] == "vector" else 2


def redunet_plot_inputs(wildcards):
    """The style file, the intermediates the figure's plot type reads, and its script (an
    input, so that an edit of the script reruns its figures)."""
    fig = REDUNET_FIGURES[wildcards.figure]
    return {
        "rc": "matplotlibrc",
        **fig.inputs(),
        "script": f"workflow/scripts/redunet/plot_{fig.plot}.py",
    }


def redunet_caption(wildcards):
    """The report caption of a figure: the caption file of its plot type
    (workflow/report/redunet_<type>.rst)."""
    fig = REDUNET_FIGURES[wildcards.figure]
    values = {"experiment": fig.experiment, "panels": fig.panels}
    return render_caption(f"redunet_{fig.plot}.rst", wildcards=values)


def redunet_experiments():
    """Names of the activated experiments."""
    return redunet_registry.active(config["redunet"])


def redunet_outputs():
    """Every file of the redunet part that the current config produces."""
    return redunet_registry.outputs(config["redunet"])
