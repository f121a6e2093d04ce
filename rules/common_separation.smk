# Helpers of the separation rules (paths, seeds, input functions, targets). No rules here.
#
# A training run lives in results/separation/runs/<key~value path>/ (state.pt, train.json);
# its measurements in .../measure/bn~<mode>_pca~<k>_taps~<option>_epoch~<e>.json. A figure
# is a list of panels over measurement files (SEP_FIGURES), built once from the config.

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

# wildcard path of one training run (relative to results/separation/runs/)
SEP_RUN_WC = "data~{sdata}/model~{smodel}/L~{slayers}/w~{swidth}/opt~{sopt}/lr~{slr}/ep~{sepochs}/protocol~{sprotocol}/seed~{sseed}"
SEP_MEASURE_NAME = "bn~{sbn}_pca~{spca}_taps~{staps}_epoch~{sepoch}"
SEP_RUN = f"results/separation/runs/{SEP_RUN_WC}"
SEP_MEASURE_WC = f"{SEP_RUN_WC}/{SEP_MEASURE_NAME}"
SEP_MEASURE = f"{SEP_RUN}/measure/{SEP_MEASURE_NAME}.json"

# Modules every separation compute job imports.
SEP_CORE = (
    *DATA_CORE,
    "separation/__init__.py",
    "separation/constants.py",
    "separation/models.py",
    "separation/training.py",
    "separation/features.py",
    "separation/fuzziness.py",
    "separation/fit.py",
    "separation/runs.py",
    "common/seeding.py",
)

# models whose taps are large: more memory and time per job
SEP_BIG = {"GFNNOriginal": 2, "FNNSW": 2, "FNNWS": 2, "FNNMIX": 2}
SEP_HUGE = {"VGG13", "AlexNet", "GResNetBasic", "GResNetBottleneck", "ResNetMixV2"}


def sep_lr(value):
    """The path form of a learning rate (shortest float repr: 0.001, 3e-05, 1)."""
    return f"{float(value):g}"


def sep_run(data, model, layers, width, opt, lr, epochs, protocol="standard"):
    """The wildcards of one training run as a dict."""
    return {
        "sdata": data,
        "smodel": model,
        "slayers": int(layers),
        "swidth": int(width),
        "sopt": opt,
        "slr": sep_lr(lr),
        "sepochs": int(epochs),
        "sprotocol": protocol,
        "sseed": int(SEP["seed"]),
    }


def sep_run_file(run, name):
    return f"{SEP_RUN.format(**run)}/{name}"


def sep_measure_file(run, bn=None, pca="none", taps="default", epoch="final"):
    bn = SEP["measure"]["bn_mode"] if bn is None else bn
    return SEP_MEASURE.format(**run, sbn=bn, spca=pca, staps=taps, sepoch=epoch)


def sep_grid(opt):
    return SEP["lr_grids"]["adam" if opt == "adam" else "sgd"]


# --- per-run settings passed through params ----------------------------------------------

# runs whose state dict is also kept at chosen epochs (the emergence figure)
SEP_SNAPSHOTS = {}


def sep_snapshots(wildcards):
    return SEP_SNAPSHOTS.get(SEP_RUN.format(**dict(wildcards.items())), [])


def sep_phase_a(wildcards):
    return SEP["frozen"]["phase_a_epochs"] if wildcards.sprotocol != "standard" else 0


def sep_threads(wildcards):
    return 2 if wildcards.smodel in SEP_HUGE or wildcards.smodel in SEP_BIG else 1


def sep_mem_mb(wildcards):
    if wildcards.smodel in SEP_HUGE:
        return 8000
    return 3000 if wildcards.smodel in SEP_BIG else 1500


def sep_runtime(wildcards):
    """Minutes: generous for 2-core CPUs (spec §6 costs at 600 epochs, scaled)."""
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


# --- figures -------------------------------------------------------------------------------


class SepFigure:
    """Panels of one figure over measurement files (see deeplaws.separation.figures)."""

    def __init__(self, name, caption, title, ncols, epochs):
        self.name, self.caption, self.title = name, caption, title
        self.ncols, self.epochs = ncols, epochs
        self.profiles, self.trains, self.panels = [], [], []

    def _index(self, run, measure):
        path = sep_measure_file(run, **(measure or {}))
        if path not in self.profiles:
            self.profiles.append(path)
            self.trains.append(sep_run_file(run, "train.json"))
        return self.profiles.index(path)

    def profile(self, title, runs, named_lr=None, measure=None):
        self.panels.append({
            "kind": "profile",
            "title": title,
            "runs": [self._index(r, measure) for r in runs],
            "named_lr": named_lr,
        })
        return len(self.panels) - 1

    def summary(self, title, of, x, xlabel):
        self.panels.append({"kind": "summary", "title": title, "of": of, "x": x, "xlabel": xlabel})

    def emergence(self, title, run, epochs):
        runs = [self._index(run, {"epoch": e}) for e in epochs]
        self.panels.append({"kind": "emergence", "title": title, "runs": runs})


def _fig1(eval_mode=False):
    c = SEP["fig1"]
    name = "fig1_bn_eval" if eval_mode else "fig1_optimizers"
    title = "Fig 1: GFNN w100 on {}, {} epochs{}".format(
        c["data"], c["epochs"], ", eval-mode BN" if eval_mode else ""
    )
    fig = SepFigure(name, name, title, len(c["layer_nums"]), c["epochs"])
    measure = {"bn": "eval"} if eval_mode else None
    for opt in ("sgd", "momentum", "adam"):
        for layers, lr in zip(c["layer_nums"], c["lrs"][opt], strict=True):
            run = sep_run(c["data"], "GFNN", layers, 100, opt, lr, c["epochs"])
            fig.profile(f"{opt}, {layers + 2} layers", [run], named_lr=lr, measure=measure)
    return fig


def _lr_study():
    c = SEP["lr_study"]
    fig = SepFigure(
        "lr_study", "lr_study",
        f"Learning rate: GFNN w100 L={c['layer_num']} ({c['layer_num'] + 2} layers) on "
        f"{c['data']}, {c['optimizer']}, {c['epochs']} epochs",
        min(len(c["lrs"]) + 1, 5), c["epochs"],
    )
    idx = []
    for lr in c["lrs"]:
        run = sep_run(c["data"], "GFNN", c["layer_num"], 100, c["optimizer"], lr, c["epochs"])
        idx.append(fig.profile(f"lr {sep_lr(lr)}", [run]))
    fig.summary("ρ and |r| against lr", idx, [sep_lr(lr) for lr in c["lrs"]], "lr")
    return fig


def _depth(data, layer_nums):
    c = SEP["depth"]
    fig = SepFigure(
        f"depth_{data}", "depth",
        f"Depth: GFNN w100 on {data}, {c['optimizer']}, {c['epochs']} epochs",
        min(len(layer_nums) + 1, 5), c["epochs"],
    )
    idx = []
    for layers in layer_nums:
        runs = [sep_run(data, "GFNN", layers, 100, c["optimizer"], lr, c["epochs"])
                for lr in c["lrs"]]
        idx.append(fig.profile(f"{layers + 2} layers", runs))
    fig.summary("ρ and |r| against depth", idx, [n + 2 for n in layer_nums], "layers")
    return fig


def _width():
    c = SEP["width"]
    fig = SepFigure("width", "width",
                    f"Width: GFNN L={c['layer_num']} on cfm, adam, {c['epochs']} epochs",
                    len(c["widths"]), c["epochs"])
    for w in c["widths"]:
        runs = [sep_run("cfm", "GFNN", c["layer_num"], w, "adam", lr, c["epochs"])
                for lr in c["lrs"]]
        fig.profile(f"width {w}", runs)
    return fig


def _shape():
    c = SEP["shape"]
    fig = SepFigure("shape", "shape", f"Shape: FNNs on cfm, adam, {c['epochs']} epochs",
                    len(c["models"]), c["epochs"])
    for model in c["models"]:
        runs = [sep_run("cfm", model, 6, 0, "adam", lr, c["epochs"]) for lr in c["lrs"]]
        fig.profile(model, runs)
    return fig


def _imbalance():
    c = SEP["imbalance"]
    fig = SepFigure("imbalance", "imbalance",
                    f"Imbalance: GFNN w100 on cfm_imb (500/100 per class), adam, "
                    f"{c['epochs']} epochs", len(c["layer_nums"]), c["epochs"])
    for layers in c["layer_nums"]:
        runs = [sep_run("cfm_imb", "GFNN", layers, 100, "adam", lr, c["epochs"])
                for lr in c["lrs"]]
        fig.profile(f"{layers + 2} layers", runs)
    return fig


def _linear_nobn():
    c = SEP["linear_nobn"]
    fig = SepFigure("linear_nobn", "linear_nobn",
                    f"GLNN (linear) and GFNNNoBN (no BN), L={c['layer_num']} on cfm, adam, "
                    f"{c['epochs']} epochs: every lr", len(c["lrs"]), c["epochs"])
    for model in ("GLNN", "GFNNNoBN"):
        for lr in c["lrs"]:
            run = sep_run("cfm", model, c["layer_num"], 100, "adam", lr, c["epochs"])
            fig.profile(f"{model}, lr {sep_lr(lr)}", [run])
    return fig


def _original(data):
    c = SEP["original"]
    fig = SepFigure(f"original_{data}", "original",
                    f"Original size: GFNNOriginal w{c['width']} on {data}, adam, "
                    f"{c['epochs']} epochs", len(c["layer_nums"]), c["epochs"])
    for layers, named in zip(c["layer_nums"], c["named_lrs"][data]):
        runs = [sep_run(data, "GFNNOriginal", layers, c["width"], "adam", lr, c["epochs"])
                for lr in c["lrs"]]
        fig.profile(f"{layers + 2} layers", runs, named_lr=named)
    return fig


def _cnn(data):
    c = SEP["cnn"]
    fig = SepFigure(f"cnn_{data}", "cnn", f"CNNs on {data}, adam, {c['epochs']} epochs",
                    len(c["models"]), c["epochs"])
    layers = {"VGG13": 11, "AlexNet": 6}
    for model in c["models"]:
        runs = [sep_run(data, model, layers[model], 0, "adam", lr, c["epochs"])
                for lr in c["lrs"]]
        fig.profile(model, runs)
    return fig


def _resnet():
    c = SEP["resnet"]
    fig = SepFigure("resnet", "resnet",
                    f"Residual nets on fashion_mnist, PCA-{SEP['measure']['pca']}, adam, "
                    f"{c['epochs']} epochs", len(c["taps"]), c["epochs"])
    for model in c["models"]:
        runs = [sep_run("fashion_mnist", model, 4, 0, "adam", lr, c["epochs"]) for lr in c["lrs"]]
        for taps in c["taps"]:
            measure = {"pca": str(SEP["measure"]["pca"]), "taps": taps}
            fig.profile(f"{model}, {taps} taps", runs, measure=measure)
    return fig


def _frozen():
    c = SEP["frozen"]
    protocol = "frozen_legacy" if c["legacy_zero_grad"] else "frozen"
    fig = SepFigure("frozen", "frozen",
                    f"Frozen two-phase ({protocol}) against standard training, GFNN "
                    f"L={c['layer_num']} on {c['data']}, adam", 2, c["epochs"])
    for proto in (protocol, "standard"):
        runs = [sep_run(c["data"], "GFNN", c["layer_num"], 100, "adam", lr, c["epochs"], proto)
                for lr in c["lrs"]]
        fig.profile(proto, runs)
    return fig


def _emergence():
    c = SEP["emergence"]
    run = sep_run(c["data"], "GFNN", c["layer_num"], 100, c["optimizer"], c["lr"], c["epochs"])
    at = sorted({int(e) for e in c["at"] if int(e) <= c["epochs"]})
    SEP_SNAPSHOTS[SEP_RUN.format(**run)] = at
    fig = SepFigure("emergence", "emergence",
                    f"Emergence: GFNN L={c['layer_num']} on {c['data']}, {c['optimizer']} "
                    f"lr {sep_lr(c['lr'])}, {c['epochs']} epochs", 2, c["epochs"])
    fig.emergence("D profile at each epoch", run, at)
    fig.profile(f"final ({c['epochs']} epochs)", [run])
    return fig


def _available(data):
    """True if the data key is built by the current config (data/subsets/keys)."""
    return data in config["data"]["subsets"]["keys"]


def sep_figures():
    """Every separation figure of the current config, by name."""
    if not SEP["activate"]:
        return {}
    figs = []
    if SEP["fig1"]["activate"]:
        figs.append(_fig1())
        if SEP["fig1"]["eval_ablation"]:
            figs.append(_fig1(eval_mode=True))
    if SEP["lr_study"]["activate"]:
        figs.append(_lr_study())
    if SEP["depth"]["activate"]:
        for data, layer_nums in SEP["depth"]["layer_nums"].items():
            if layer_nums and _available(data):
                figs.append(_depth(data, layer_nums))
    for key, make in (("width", _width), ("shape", _shape), ("imbalance", _imbalance),
                      ("linear_nobn", _linear_nobn), ("resnet", _resnet),
                      ("emergence", _emergence)):
        if SEP[key]["activate"]:
            figs.append(make())
    if SEP["original"]["activate"]:
        figs += [_original(d) for d in SEP["original"]["datasets"] if _available(d)]
    if SEP["cnn"]["activate"]:
        figs += [_cnn(d) for d in SEP["cnn"]["datasets"] if _available(d)]
    if SEP["frozen"]["activate"] and _available(SEP["frozen"]["data"]):
        figs.append(_frozen())
    return {fig.name: fig for fig in figs}


SEP_FIGURES = sep_figures()


def separation_outputs():
    """Every file of the separation part that the current config produces."""
    if not config["separation"]["activate"]:
        return []
    out = []
    for name in SEP_FIGURES:
        out += [
            f"results/figures/separation/{name}.pdf",
            f"results/figures/separation/{name}.png",
            f"results/figures/separation/bare/{name}.png",
            f"results/figures/separation/{name}.json",
        ]
    return out
