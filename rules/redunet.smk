# P1 ReduNet, "Deep Networks from the Principle of Rate Reduction" (Chan et al.).
# One compute rule per experiment (construction + evaluation), then one figure rule for
# every figure and accuracy table ({figure}: a figure of deeplaws.redunet.registry, drawn by
# the script and caption of its plot type).

# ---------------------------------------------------------------- compute rules


rule redunet_construct_network:
    input:
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
        code=code_of("redunet/construct_network.py"),
        settings=redunet_settings,
        switches=redunet_switches,
    threads: redunet_threads
    resources:
        mem_mb=scaled_mem(lambda wc: 16000 if wc.experiment.startswith("mnist") else 2000),
        runtime=lambda wc: 240 if wc.experiment.startswith("mnist") else 60,
    conda:
        ENV
    message:
        "Constructing and evaluating the ReduNet of experiment {wildcards.experiment}"
    script:
        "../workflow/scripts/redunet/construct_network.py"


# ---------------------------------------------------------------- figure rules


rule redunet_plot_figure:
    input:
        unpack(redunet_plot_inputs),
    output:
        pdf=report(
            "results/figures/redunet/{figure}.pdf",
            caption="../workflow/report/redunet_figure.rst",
            category="ReduNet",
            labels=lambda wildcards: {"figure": REDUNET_FIGURES[wildcards.figure].label},
        ),
        png="results/figures/redunet/{figure}.png",
    log:
        logs("redunet_plot_figure", "{figure}"),
    benchmark:
        benchmarks("redunet_plot_figure", "{figure}")
    wildcard_constraints:
        figure=REDUNET_FIGURE_RE,
    params:
        code=lambda wc: code_of(f"redunet/plot_{REDUNET_FIGURES[wc.figure].plot}.py"),
        plot=lambda wc: REDUNET_FIGURES[wc.figure].plot,
        experiment=lambda wc: REDUNET_FIGURES[wc.figure].experiment,
        panels=lambda wc: REDUNET_FIGURES[wc.figure].panels,
        convention=lookup(dpath="redunet/plot_rates", within=config),
        dpi=lookup(dpath="figures/dpi", within=config),
        caption=redunet_caption,
    threads: 1
    resources:
        mem_mb=scaled_mem(lambda wc: REDUNET_PLOT_MEM.get(REDUNET_FIGURES[wc.figure].plot, 2000)),
        runtime=5,
    conda:
        ENV
    message:
        "Plotting the ReduNet figure {wildcards.figure}"
    script:
        "../workflow/scripts/redunet/plot_{params.plot}.py"
