# P3 Equi-separation law, "A law of data separation in deep learning" (He & Su, PNAS 2023).
# Compute rules (train a network, measure its D profile), then one figure rule per figure
# of the current config (SEP_FIGURES in rules/common_separation.smk).

# ---------------------------------------------------------------- compute rules


rule separation_train_network:
    input:
        data="results/data/{sdata}.npz",
        code=pkg_sources(*SEP_CORE),
    output:
        state=f"{SEP_RUN}/state.pt",
        meta=f"{SEP_RUN}/train.json",
    log:
        logs("separation_train_network", SEP_RUN_WC),
    benchmark:
        benchmarks("separation_train_network", SEP_RUN_WC)
    params:
        batch_size=lookup(dpath="separation/training/batch_size", within=config),
        weight_decay=lookup(dpath="separation/training/weight_decay", within=config),
        momentum=lookup(dpath="separation/training/momentum", within=config),
        phase_a_epochs=sep_phase_a,
        snapshots=sep_snapshots,
        device=lookup(dpath="separation/device", within=config),
    threads: sep_threads
    resources:
        mem_mb=sep_mem_mb,
        runtime=sep_runtime,
    conda:
        ENV
    message:
        "Training {wildcards.smodel} (L={wildcards.slayers}, width {wildcards.swidth}) on "
        "{wildcards.sdata} with {wildcards.sopt} at lr {wildcards.slr} for "
        "{wildcards.sepochs} epochs ({wildcards.sprotocol}, seed {wildcards.sseed})"
    script:
        "../workflow/scripts/separation/train_network.py"


rule separation_measure_profile:
    input:
        state=f"{SEP_RUN}/state.pt",
        data="results/data/{sdata}.npz",
        code=pkg_sources(*SEP_CORE),
    output:
        profile=SEP_MEASURE,
    log:
        logs("separation_measure_profile", SEP_MEASURE_WC),
    benchmark:
        benchmarks("separation_measure_profile", SEP_MEASURE_WC)
    params:
        chunk=lookup(dpath="separation/measure/chunk", within=config),
        device=lookup(dpath="separation/device", within=config),
    threads: sep_threads
    resources:
        mem_mb=sep_mem_mb,
        runtime=lambda wc: 60 if wc.smodel in SEP_HUGE else 10,
    conda:
        ENV
    message:
        "Measuring separation fuzziness of {wildcards.smodel} (L={wildcards.slayers}, "
        "{wildcards.sopt} lr {wildcards.slr}, {wildcards.sprotocol}) on {wildcards.sdata}: "
        "BN {wildcards.sbn} mode, PCA {wildcards.spca}, {wildcards.staps} taps, "
        "epoch {wildcards.sepoch}"
    script:
        "../workflow/scripts/separation/measure_profile.py"


# ---------------------------------------------------------------- figure rules

for _name, _fig in SEP_FIGURES.items():

    rule:
        name:
            f"separation_plot_{_name}"
        input:
            profiles=_fig.profiles,
            trains=_fig.trains,
            code=pkg_sources(
                "separation/plotting.py",
                "separation/figures.py",
                "separation/selection.py",
                "common/plotting.py",
            ),
            style="matplotlibrc",
        output:
            pdf=report(
                f"results/figures/separation/{_name}.pdf",
                caption=f"../workflow/report/separation_{_fig.caption}.rst",
                category="Equi-separation law",
                labels={"figure": _name},
            ),
            png=f"results/figures/separation/{_name}.png",
            bare=f"results/figures/separation/bare/{_name}.png",
            sidecar=f"results/figures/separation/{_name}.json",
        log:
            logs("separation_plot_figure", _name),
        params:
            name=_name,
            panels=_fig.panels,
            title=_fig.title,
            ncols=_fig.ncols,
            epochs=_fig.epochs,
            lr_rule=lookup(dpath="separation/lr_rule", within=config),
            bn_mode=lookup(dpath="separation/measure/bn_mode", within=config),
            dpi=lookup(dpath="figures/dpi", within=config),
        threads: 1
        resources:
            mem_mb=1000,
            runtime=5,
        conda:
            ENV
        message:
            f"Plotting the separation figure {_name}"
        script:
            "../workflow/scripts/separation/plot_figure.py"
