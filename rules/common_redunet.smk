# Helpers of the redunet rules (paths, experiment table, params, targets). No rules here.

# experiment -> (kind, figure name stem or None, plot type). The figure files are
# results/figures/redunet/<stem>_<experiment>.{pdf,png} (named after the paper figure)
# plus table_<experiment>.{pdf,png} for every experiment.
REDUNET_EXPERIMENTS = {
    "gaussian2d": ("vector", "fig2a-c", "gaussian"),
    "gaussian3d": ("vector", "fig2d-f", "gaussian"),
    "iris": ("vector", "appendix", "appendix"),
    "mice": ("vector", "appendix", "appendix"),
    "sinusoid": ("sinusoid", "appendix", "appendix"),
    "mnist_rotation": ("rotation", "fig3a-d", "invariance"),
    "mnist_translation": ("translation", "fig3e-h", "invariance"),
    "mnist01_rotation": ("rotation", "appendix", "appendix"),
    "mnist01_translation": ("translation", "appendix", "appendix"),
}
REDUNET_EXP_RE = "|".join(REDUNET_EXPERIMENTS)


def redunet_dir(experiment):
    """results/redunet/<experiment>: the intermediates of one experiment."""
    return f"results/redunet/{experiment}"


def redunet_dataset(wildcards):
    """The dataset file of an experiment (variant from the config for synthetic data)."""
    exp = wildcards.experiment
    settings = config["redunet"]["experiments"][exp]
    if "dataset" in settings:
        name = settings["dataset"]
    elif exp.startswith("mnist"):
        name = "mnist"
    else:
        name = exp
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
    """The switches shared by every experiment (spec redunet §6, §8)."""
    r = config["redunet"]
    keys = ("eps2", "train_membership", "legacy_class_alpha", "true_class_weights", "backend")
    return {k: r[k] for k in keys}


def redunet_threads(wildcards):
    """Vector experiments are many tiny operations: one thread is fastest."""
    return 1 if REDUNET_EXPERIMENTS[wildcards.experiment][0] == "vector" else 2


def redunet_experiments():
    """Names of the activated experiments."""
    if not config["redunet"]["activate"]:
        return []
    return [e for e in REDUNET_EXPERIMENTS if config["redunet"]["experiments"][e]["activate"]]


def redunet_outputs():
    """Every file of the redunet part that the current config produces."""
    out = []
    for exp in redunet_experiments():
        stem = REDUNET_EXPERIMENTS[exp][1]
        d = redunet_dir(exp)
        names = ("rates.npz", "features.npz", "similarity.npz", "layer_features.npz")
        out += [f"{d}/{n}" for n in (*names, "accuracy.csv", "summary.json")]
        for fig in (f"{stem}_{exp}", f"table_{exp}"):
            out += [f"results/figures/redunet/{fig}.{ext}" for ext in ("pdf", "png")]
    return out
