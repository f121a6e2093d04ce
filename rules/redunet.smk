# P1 ReduNet, "Deep Networks from the Principle of Rate Reduction" (Chan et al.).
# One compute rule per experiment (construction + evaluation), then the figure rules.
# Aggregate targets: `snakemake data`, one per paper, and `snakemake figures` (everything).

REDUNET_CODE = (
    "__init__.py",
    "common/__init__.py",
    "common/io.py",
    "common/logging.py",
    "data/__init__.py",
    "data/dataset.py",
    "redunet/__init__.py",
    "redunet/spectral.py",
    "redunet/rates.py",
    "redunet/layers.py",
    "redunet/network.py",
    "redunet/fast.py",
    "redunet/fast_engine.py",
    "redunet/fast_vector.py",
    "redunet/lift.py",
    "redunet/experiments.py",
    "redunet/evaluate.py",
    "redunet/run.py",
)
REDUNET_PLOT_CODE = ("common/plotting.py", "redunet/plots.py")

# ---------------------------------------------------------------- compute rules


rule redunet_construct_network:
    input:
        code=pkg_sources(*REDUNET_CODE),
        data=redunet_dataset,
    output:
        rates=f"results/redunet/{{experiment,{REDUNET_EXP_RE}}}/rates.npz",
        features="results/redunet/{experiment}/features.npz",
        similarity="results/redunet/{experiment}/similarity.npz",
        layer_features="results/redunet/{experiment}/layer_features.npz",
        accuracy="results/redunet/{experiment}/accuracy.csv",
        summary="results/redunet/{experiment}/summary.json",
    log:
        logs("redunet_construct_network", "{experiment}"),
    benchmark:
        benchmarks("redunet_construct_network", "{experiment}")
    params:
        settings=redunet_settings,
        switches=redunet_switches,
    threads: redunet_threads
    resources:
        mem_mb=lambda wc: 16000 if wc.experiment.startswith("mnist") else 2000,
        runtime=lambda wc: 240 if wc.experiment.startswith("mnist") else 60,
    conda:
        ENV
    message:
        "Constructing and evaluating the ReduNet of experiment {wildcards.experiment}"
    script:
        "../workflow/scripts/redunet/construct_network.py"


# ---------------------------------------------------------------- figure rules


rule redunet_plot_gaussian:
    input:
        code=pkg_sources(*REDUNET_PLOT_CODE),
        rc="matplotlibrc",
        rates="results/redunet/{experiment}/rates.npz",
        features="results/redunet/{experiment}/features.npz",
    output:
        pdf=report(
            "results/figures/redunet/fig2{panels,a-c|d-f}_{experiment,gaussian[23]d}.pdf",
            caption="../workflow/report/redunet_gaussian.rst",
            category="ReduNet",
            labels={"figure": "Fig 2({panels}) {experiment}"},
        ),
        png="results/figures/redunet/fig2{panels}_{experiment}.png",
    log:
        logs("redunet_plot_gaussian", "fig2{panels}_{experiment}"),
    params:
        convention=lookup(dpath="redunet/plot_rates", within=config),
        dpi=lookup(dpath="figures/dpi", within=config),
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        ENV
    message:
        "Plotting Fig 2({wildcards.panels}) of ReduNet: {wildcards.experiment}"
    script:
        "../workflow/scripts/redunet/plot_gaussian.py"


rule redunet_plot_invariance:
    input:
        code=pkg_sources(*REDUNET_PLOT_CODE),
        rc="matplotlibrc",
        similarity="results/redunet/{experiment}/similarity.npz",
    output:
        pdf=report(
            "results/figures/redunet/fig3{panels,a-d|e-h}_{experiment,mnist_rotation|mnist_translation}.pdf",
            caption="../workflow/report/redunet_invariance.rst",
            category="ReduNet",
            labels={"figure": "Fig 3({panels}) {experiment}"},
        ),
        png="results/figures/redunet/fig3{panels,a-d|e-h}_{experiment,mnist_rotation|mnist_translation}.png",
    log:
        logs("redunet_plot_invariance", "fig3{panels}_{experiment}"),
    params:
        dpi=lookup(dpath="figures/dpi", within=config),
    threads: 1
    resources:
        mem_mb=2000,
        runtime=5,
    conda:
        ENV
    message:
        "Plotting Fig 3({wildcards.panels}) of ReduNet: {wildcards.experiment}"
    script:
        "../workflow/scripts/redunet/plot_invariance.py"


rule redunet_plot_appendix:
    input:
        code=pkg_sources(*REDUNET_PLOT_CODE),
        rc="matplotlibrc",
        rates="results/redunet/{experiment}/rates.npz",
        similarity="results/redunet/{experiment}/similarity.npz",
    output:
        pdf=report(
            f"results/figures/redunet/appendix_{{experiment,{REDUNET_EXP_RE}}}.pdf",
            caption="../workflow/report/redunet_appendix.rst",
            category="ReduNet",
            labels={"figure": "appendix {experiment}"},
        ),
        png="results/figures/redunet/appendix_{experiment}.png",
    log:
        logs("redunet_plot_appendix", "{experiment}"),
    params:
        convention=lookup(dpath="redunet/plot_rates", within=config),
        dpi=lookup(dpath="figures/dpi", within=config),
    threads: 1
    resources:
        mem_mb=2000,
        runtime=5,
    conda:
        ENV
    message:
        "Plotting the appendix figure of ReduNet: {wildcards.experiment}"
    script:
        "../workflow/scripts/redunet/plot_appendix.py"


rule redunet_plot_table:
    input:
        code=pkg_sources(*REDUNET_PLOT_CODE),
        rc="matplotlibrc",
        accuracy="results/redunet/{experiment}/accuracy.csv",
    output:
        pdf=report(
            f"results/figures/redunet/table_{{experiment,{REDUNET_EXP_RE}}}.pdf",
            caption="../workflow/report/redunet_table.rst",
            category="ReduNet",
            labels={"figure": "accuracy table {experiment}"},
        ),
        png="results/figures/redunet/table_{experiment}.png",
    log:
        logs("redunet_plot_table", "{experiment}"),
    params:
        dpi=lookup(dpath="figures/dpi", within=config),
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        ENV
    message:
        "Rendering the accuracy table of ReduNet: {wildcards.experiment}"
    script:
        "../workflow/scripts/redunet/plot_table.py"
