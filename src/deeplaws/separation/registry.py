"""The figures and training runs of the separation part, built from the validated config.

A figure is a list of panels over measurement files (see deeplaws.separation.figures for the panel
format the plot job reads). ``Registry(config["separation"], subset_keys)`` builds every
figure of a config once; the rule files only turn its figures, runs and batches into jobs.

Runs that differ only in optimizer and lr (same data, model, depth, width, epochs, protocol
and seed, hence the same initialisation and batch order) form one batch: one job trains
them together (deeplaws.separation.batched) and writes each run's own files. A batch is
named by its shared keys, not by its lrs, so changing one lr of a grid reruns that one
batch job and the measurements of its runs. ``training.batched: false`` gives one job per
run; wide nets, the shape models and the frozen protocol always train alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from deeplaws.separation.constants import FNN_MODELS
from deeplaws.separation.paths import MEASURE, Run, lr_str, run_file, run_path


@dataclass
class Figure:
    """Panels of one figure over measurement files, in the order the plot job reads them."""

    name: str
    caption: str  # the report caption file: workflow/report/separation_<caption>.rst
    title: str
    ncols: int
    epochs: int
    bn_mode: str  # the BN mode of the figure's profiles (stated in the caption)
    default_bn: str
    profiles: list[str] = field(default_factory=list)
    trains: list[str] = field(default_factory=list)
    panels: list[dict[str, Any]] = field(default_factory=list)

    def _index(self, run: Run, measure: dict[str, Any] | None) -> int:
        m = {"bn": self.default_bn, "pca": "none", "taps": "default", "epoch": "final"}
        m.update(measure or {})
        path = MEASURE.format(**run, sbn=m["bn"], spca=m["pca"], staps=m["taps"], sepoch=m["epoch"])
        if path not in self.profiles:
            self.profiles.append(path)
            self.trains.append(run_file(run, "train.json"))
        return self.profiles.index(path)

    def profile(
        self,
        title: str,
        runs: Iterable[Run],
        named_lr: float | None = None,
        measure: dict[str, Any] | None = None,
    ) -> int:
        self.panels.append(
            {
                "kind": "profile",
                "title": title,
                "runs": [self._index(r, measure) for r in runs],
                "named_lr": named_lr,
            }
        )
        return len(self.panels) - 1

    def summary(self, title: str, of: list[int], x: list[Any], xlabel: str) -> None:
        self.panels.append({"kind": "summary", "title": title, "of": of, "x": x, "xlabel": xlabel})

    def emergence(self, title: str, run: Run, epochs: list[int]) -> None:
        runs = [self._index(run, {"epoch": e}) for e in epochs]
        self.panels.append({"kind": "emergence", "title": title, "runs": runs})


class Registry:
    """Every separation figure, training run, batch and perturbation run of one config."""

    def __init__(self, sep: dict[str, Any], subset_keys: Iterable[str]):
        self.sep = sep
        self.subset_keys = set(subset_keys)
        self.runs: dict[str, Run] = {}  # run path -> wildcards, every run some figure needs
        self.alone: set[str] = set()  # runs kept on the one-net path (fig1 batched: false)
        self.snapshots: dict[str, list[int]] = {}  # run path -> epochs whose weights are kept
        self.figures: dict[str, Figure] = {f.name: f for f in self._figures()}
        self.perturbation_runs: list[Run] = self._perturbation_runs()
        self.batches: dict[str, list[Run]] = {}
        for _, run in sorted(self.runs.items()):
            self.batches.setdefault(self.batch_name(run), []).append(run)

    # --- runs ------------------------------------------------------------------------

    def run(self, data, model, layers, width, opt, lr, epochs, protocol="standard") -> Run:
        """The wildcards of one training run (and registers the run for training)."""
        run = {
            "sdata": data,
            "smodel": model,
            "slayers": int(layers),
            "swidth": int(width),
            "sopt": opt,
            "slr": lr_str(lr),
            "sepochs": int(epochs),
            "sprotocol": protocol,
            "sseed": int(self.sep["seed"]),
        }
        self.runs.setdefault(run_path(run), run)
        return run

    def snapshots_of(self, run: Run) -> list[int]:
        return self.snapshots.get(run_path(run), [])

    def batch_name(self, run: Run) -> str:
        """The job name of a run's batch (its shared keys; with optimizer and lr if alone)."""
        t = self.sep["training"]
        alone = (
            not t["batched"]
            or run_path(run) in self.alone
            or run["sprotocol"] != "standard"
            or run["smodel"] not in FNN_MODELS
            or run["swidth"] > t["batch_max_width"]
        )
        r = run
        name = (
            f"{r['sdata']}_{r['smodel']}_L{r['slayers']}_w{r['swidth']}_ep{r['sepochs']}_"
            f"{r['sprotocol']}_seed{r['sseed']}"
        )
        if alone:
            name += f"_{r['sopt']}_lr{r['slr']}"
        return "".join(ch if ch.isalnum() else "_" for ch in name)

    def available(self, data: str) -> bool:
        """True if the data key is built by the current config (data.subsets.keys)."""
        return data in self.subset_keys

    def _figure(self, name, caption, title, ncols, epochs, bn_mode=None) -> Figure:
        default = self.sep["measure"]["bn_mode"]
        return Figure(name, caption, title, ncols, epochs, bn_mode or default, default)

    # --- the figures -----------------------------------------------------------------

    def _figures(self) -> list[Figure]:
        sep = self.sep
        if not sep["activate"]:
            return []
        figs = []
        if sep["fig1"]["activate"]:
            figs.append(self._fig1())
            if sep["fig1"]["eval_ablation"]:
                figs.append(self._fig1(eval_mode=True))
        if sep["lr_study"]["activate"]:
            figs.append(self._lr_study())
        if sep["depth"]["activate"]:
            for data, layer_nums in sep["depth"]["layer_nums"].items():
                if layer_nums and self.available(data):
                    figs.append(self._depth(data, layer_nums))
        for key in ("width", "shape", "imbalance", "linear_nobn", "resnet", "emergence"):
            if sep[key]["activate"]:
                figs.append(getattr(self, f"_{key}")())
        if sep["original"]["activate"]:
            figs += [self._original(d) for d in sep["original"]["datasets"] if self.available(d)]
        if sep["cnn"]["activate"]:
            figs += [self._cnn(d) for d in sep["cnn"]["datasets"] if self.available(d)]
        if sep["frozen"]["activate"] and self.available(sep["frozen"]["data"]):
            figs.append(self._frozen())
        return figs

    def _fig1(self, eval_mode: bool = False) -> Figure:
        c = self.sep["fig1"]
        name = "fig1_bn_eval" if eval_mode else "fig1_optimizers"
        title = "Fig 1: GFNN w100 on {}, {} epochs{}".format(
            c["data"], c["epochs"], ", eval-mode BN" if eval_mode else ""
        )
        measure = {"bn": "eval"} if eval_mode else None
        fig = self._figure(
            name, name, title, len(c["layer_nums"]), c["epochs"], "eval" if eval_mode else None
        )
        for opt in ("sgd", "momentum", "adam"):
            for layers, lr in zip(c["layer_nums"], c["lrs"][opt], strict=True):
                run = self.run(c["data"], "GFNN", layers, 100, opt, lr, c["epochs"])
                if not c["batched"]:
                    self.alone.add(run_path(run))
                fig.profile(f"{opt}, {layers + 2} layers", [run], named_lr=lr, measure=measure)
        return fig

    def _lr_study(self) -> Figure:
        c = self.sep["lr_study"]
        fig = self._figure(
            "lr_study",
            "lr_study",
            f"Learning rate: GFNN w100 L={c['layer_num']} ({c['layer_num'] + 2} layers) on "
            f"{c['data']}, {c['optimizer']}, {c['epochs']} epochs",
            min(len(c["lrs"]) + 1, 5),
            c["epochs"],
        )
        idx = []
        for lr in c["lrs"]:
            run = self.run(c["data"], "GFNN", c["layer_num"], 100, c["optimizer"], lr, c["epochs"])
            idx.append(fig.profile(f"lr {lr_str(lr)}", [run]))
        fig.summary("ρ and |r| against lr", idx, [lr_str(lr) for lr in c["lrs"]], "lr")
        return fig

    def _grid_runs(self, data, model, layers, width, c) -> list[Run]:
        return [self.run(data, model, layers, width, "adam", lr, c["epochs"]) for lr in c["lrs"]]

    def _depth(self, data: str, layer_nums: list[int]) -> Figure:
        c = self.sep["depth"]
        fig = self._figure(
            f"depth_{data}",
            "depth",
            f"Depth: GFNN w100 on {data}, {c['optimizer']}, {c['epochs']} epochs",
            min(len(layer_nums) + 1, 5),
            c["epochs"],
        )
        idx = []
        for layers in layer_nums:
            runs = [
                self.run(data, "GFNN", layers, 100, c["optimizer"], lr, c["epochs"])
                for lr in c["lrs"]
            ]
            idx.append(fig.profile(f"{layers + 2} layers", runs))
        fig.summary("ρ and |r| against depth", idx, [n + 2 for n in layer_nums], "layers")
        return fig

    def _width(self) -> Figure:
        c = self.sep["width"]
        fig = self._figure(
            "width",
            "width",
            f"Width: GFNN L={c['layer_num']} on cfm, adam, {c['epochs']} epochs",
            len(c["widths"]),
            c["epochs"],
        )
        for w in c["widths"]:
            fig.profile(f"width {w}", self._grid_runs("cfm", "GFNN", c["layer_num"], w, c))
        return fig

    def _shape(self) -> Figure:
        c = self.sep["shape"]
        fig = self._figure(
            "shape",
            "shape",
            f"Shape: FNNs on cfm, adam, {c['epochs']} epochs",
            len(c["models"]),
            c["epochs"],
        )
        for model in c["models"]:
            fig.profile(model, self._grid_runs("cfm", model, 6, 0, c))
        return fig

    def _imbalance(self) -> Figure:
        c = self.sep["imbalance"]
        fig = self._figure(
            "imbalance",
            "imbalance",
            f"Imbalance: GFNN w100 on cfm_imb (500/100 per class), adam, {c['epochs']} epochs",
            len(c["layer_nums"]),
            c["epochs"],
        )
        for layers in c["layer_nums"]:
            fig.profile(f"{layers + 2} layers", self._grid_runs("cfm_imb", "GFNN", layers, 100, c))
        return fig

    def _linear_nobn(self) -> Figure:
        c = self.sep["linear_nobn"]
        fig = self._figure(
            "linear_nobn",
            "linear_nobn",
            f"GLNN (linear) and GFNNNoBN (no BN), L={c['layer_num']} on cfm, adam, "
            f"{c['epochs']} epochs: every lr",
            len(c["lrs"]),
            c["epochs"],
        )
        for model in ("GLNN", "GFNNNoBN"):
            for lr in c["lrs"]:
                run = self.run("cfm", model, c["layer_num"], 100, "adam", lr, c["epochs"])
                fig.profile(f"{model}, lr {lr_str(lr)}", [run])
        return fig

    def _original(self, data: str) -> Figure:
        c = self.sep["original"]
        fig = self._figure(
            f"original_{data}",
            "original",
            f"Original size: GFNNOriginal w{c['width']} on {data}, adam, {c['epochs']} epochs",
            len(c["layer_nums"]),
            c["epochs"],
        )
        for layers, named in zip(c["layer_nums"], c["named_lrs"][data], strict=True):
            runs = self._grid_runs(data, "GFNNOriginal", layers, c["width"], c)
            fig.profile(f"{layers + 2} layers", runs, named_lr=named)
        return fig

    def _cnn(self, data: str) -> Figure:
        c = self.sep["cnn"]
        fig = self._figure(
            f"cnn_{data}",
            "cnn",
            f"CNNs on {data}, adam, {c['epochs']} epochs",
            len(c["models"]),
            c["epochs"],
        )
        layers = {"VGG13": 11, "AlexNet": 6}
        for model in c["models"]:
            fig.profile(model, self._grid_runs(data, model, layers[model], 0, c))
        return fig

    def _resnet(self) -> Figure:
        c = self.sep["resnet"]
        fig = self._figure(
            "resnet",
            "resnet",
            f"Residual nets on fashion_mnist, PCA-{self.sep['measure']['pca']}, adam, "
            f"{c['epochs']} epochs",
            len(c["taps"]),
            c["epochs"],
        )
        for model in c["models"]:
            runs = self._grid_runs("fashion_mnist", model, 4, 0, c)
            for taps in c["taps"]:
                measure = {"pca": str(self.sep["measure"]["pca"]), "taps": taps}
                fig.profile(f"{model}, {taps} taps", runs, measure=measure)
        return fig

    def _frozen(self) -> Figure:
        c = self.sep["frozen"]
        protocol = "frozen_legacy" if c["legacy_zero_grad"] else "frozen"
        fig = self._figure(
            "frozen",
            "frozen",
            f"Frozen two-phase ({protocol}) against standard training, GFNN "
            f"L={c['layer_num']} on {c['data']}, adam",
            2,
            c["epochs"],
        )
        for proto in (protocol, "standard"):
            runs = [
                self.run(c["data"], "GFNN", c["layer_num"], 100, "adam", lr, c["epochs"], proto)
                for lr in c["lrs"]
            ]
            fig.profile(proto, runs)
        return fig

    def _emergence(self) -> Figure:
        c = self.sep["emergence"]
        run = self.run(c["data"], "GFNN", c["layer_num"], 100, c["optimizer"], c["lr"], c["epochs"])
        at = sorted({int(e) for e in c["at"] if int(e) <= c["epochs"]})
        self.snapshots[run_path(run)] = at
        fig = self._figure(
            "emergence",
            "emergence",
            f"Emergence: GFNN L={c['layer_num']} on {c['data']}, {c['optimizer']} "
            f"lr {lr_str(c['lr'])}, {c['epochs']} epochs",
            2,
            c["epochs"],
        )
        fig.emergence("D profile at each epoch", run, at)
        fig.profile(f"final ({c['epochs']} epochs)", [run])
        return fig

    def _perturbation_runs(self) -> list[Run]:
        """The runs whose weights the perturbation study (E14) perturbs, one per depth."""
        c = self.sep["perturbation"]
        if not self.sep["activate"] or not c["activate"] or not self.available(c["data"]):
            return []
        if len(c["lrs"]) != len(c["layer_nums"]):
            raise ValueError(
                f"separation/perturbation/lrs has {len(c['lrs'])} entries but layer_nums has "
                f"{len(c['layer_nums'])}: give one lr per depth"
            )
        return [
            self.run(c["data"], "GFNN", layers, 100, c["optimizer"], lr, c["epochs"])
            for layers, lr in zip(c["layer_nums"], c["lrs"], strict=True)
        ]

    def outputs(self) -> list[str]:
        """Every figure file of the separation part of this config."""
        names = list(self.figures) + (["perturbation"] if self.perturbation_runs else [])
        out = []
        for name in names:
            out += [
                f"results/figures/separation/{name}.pdf",
                f"results/figures/separation/{name}.png",
                f"results/figures/separation/bare/{name}.png",
                f"results/figures/separation/{name}.json",
            ]
        return out
