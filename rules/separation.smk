# P3 Equi-separation law, "A law of data separation in deep learning" (He & Su, PNAS 2023).
# Compute rules (train a batch of nets, measure each D profile), then the figure rule
# separation_plot_figure ({figure}: a figure of deeplaws.separation.registry).
# Training stays one rule per batch (separation_train_<batch>, listed by
# `snakemake --list-rules`) because a batch writes a config-dependent number of runs and a
# Snakemake rule's outputs cannot vary in number with its wildcards.

# ---------------------------------------------------------------- compute rules


for _name, _runs in SEP_BATCHES.items():

    rule:
        name:
            f"separation_train_{_name}"
        input:
            data=f"results/data/{_runs[0]['sdata']}.npz",
        output:
            states=[sep_run_file(r, "state.pt") for r in _runs],
            metas=[sep_run_file(r, "train.json") for r in _runs],
        log:
            logs(f"separation_train_{_name}", _name),
        benchmark:
            benchmarks(f"separation_train_{_name}", _name)
        params:
            code=code_of("separation/train_batch.py"),
            runs=[{"sopt": r["sopt"], "slr": r["slr"]} for r in _runs],
            shared={k: _runs[0][k] for k in SEP_BATCH_KEYS},
            batched=lookup(dpath="separation/training/batched", within=config),
            batch_size=lookup(dpath="separation/training/batch_size", within=config),
            weight_decay=lookup(dpath="separation/training/weight_decay", within=config),
            momentum=lookup(dpath="separation/training/momentum", within=config),
            phase_a_epochs=sep_phase_a(SimpleNamespace(**_runs[0])),
            snapshots=[SEP_REGISTRY.snapshots_of(r) for r in _runs],
            device=lookup(dpath="separation/device", within=config),
        threads: sep_threads(SimpleNamespace(**_runs[0]))
        resources:
            mem_mb=scaled_mem(sep_mem_mb(SimpleNamespace(**_runs[0])) + 300 * (len(_runs) - 1)),
            runtime=sep_batch_runtime(_runs),
        conda:
            ENV
        message:
            f"Training {len(_runs)} net(s) {_name}: "
            + ", ".join(f"{r['sopt']} lr {r['slr']}" for r in _runs)
        script:
            "../workflow/scripts/separation/train_batch.py"


rule separation_measure_profile:
    input:
        state=f"{SEP_RUN}/state.pt",
        data="results/data/{sdata}.npz",
    output:
        profile=SEP_MEASURE,
    log:
        logs("separation_measure_profile", SEP_MEASURE_WC),
    benchmark:
        benchmarks("separation_measure_profile", SEP_MEASURE_WC)
    params:
        code=code_of("separation/measure_profile.py"),
        chunk=lookup(dpath="separation/measure/chunk", within=config),
        weighting=lookup(dpath="separation/measure/weighting", within=config),
        device=lookup(dpath="separation/device", within=config),
    threads: sep_threads
    resources:
        mem_mb=scaled_mem(sep_mem_mb),
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


rule separation_perturb_weights:
    input:
        state=f"{SEP_RUN}/state.pt",
        data="results/data/{sdata}.npz",
    output:
        record=SEP_PERTURB,
    log:
        logs("separation_perturb_weights", f"{SEP_RUN_WC}/bn~{{sbn}}"),
    benchmark:
        benchmarks("separation_perturb_weights", f"{SEP_RUN_WC}/bn~{{sbn}}")
    params:
        code=code_of("separation/perturb_weights.py"),
        sigmas=lookup(dpath="separation/perturbation/sigmas", within=config),
        draws=lookup(dpath="separation/perturbation/draws", within=config),
        chunk=lookup(dpath="separation/measure/chunk", within=config),
        weighting=lookup(dpath="separation/measure/weighting", within=config),
        device=lookup(dpath="separation/device", within=config),
    threads: 1
    resources:
        mem_mb=scaled_mem(1500),
        runtime=30,
    conda:
        ENV
    message:
        "Perturbing the weights of {wildcards.smodel} (L={wildcards.slayers}, {wildcards.sopt} "
        "lr {wildcards.slr}) layer by layer: accuracy and D profile, BN {wildcards.sbn} mode"
    script:
        "../workflow/scripts/separation/perturb_weights.py"


# ---------------------------------------------------------------- figure rules

rule separation_plot_figure:
    input:
        profiles=lambda wc: SEP_FIGURES[wc.figure].profiles,
        trains=lambda wc: SEP_FIGURES[wc.figure].trains,
        style="matplotlibrc",
    output:
        pdf=report(
            "results/figures/separation/{figure}.pdf",
            caption="../workflow/report/separation_figure.rst",
            category="Equi-separation law",
            labels={"figure": "{figure}"},
        ),
        png="results/figures/separation/{figure}.png",
        bare="results/figures/separation/bare/{figure}.png",
        sidecar="results/figures/separation/{figure}.json",
    log:
        logs("separation_plot_figure", "{figure}"),
    benchmark:
        benchmarks("separation_plot_figure", "{figure}")
    wildcard_constraints:
        figure=SEP_FIGURE_RE,
    params:
        code=code_of("separation/plot_figure.py"),
        name="{figure}",
        panels=lambda wc: SEP_FIGURES[wc.figure].panels,
        title=lambda wc: SEP_FIGURES[wc.figure].title,
        ncols=lambda wc: SEP_FIGURES[wc.figure].ncols,
        epochs=lambda wc: SEP_FIGURES[wc.figure].epochs,
        lr_rule=lookup(dpath="separation/lr_rule", within=config),
        bn_mode=lambda wc: SEP_FIGURES[wc.figure].bn_mode,
        dpi=lookup(dpath="figures/dpi", within=config),
        caption=sep_caption,
    threads: 1
    resources:
        mem_mb=scaled_mem(1000),
        runtime=5,
    conda:
        ENV
    message:
        "Plotting the separation figure {wildcards.figure}"
    script:
        "../workflow/scripts/separation/plot_figure.py"


if SEP_PERTURB_RUNS:

    rule separation_plot_perturbation:
        input:
            records=[
                SEP_PERTURB.format(**r, sbn=SEP["measure"]["bn_mode"]) for r in SEP_PERTURB_RUNS
            ],
            style="matplotlibrc",
        output:
            pdf=report(
                "results/figures/separation/perturbation.pdf",
                caption="../workflow/report/separation_perturbation.rst",
                category="Equi-separation law",
                labels={"figure": "perturbation"},
            ),
            png="results/figures/separation/perturbation.png",
            bare="results/figures/separation/bare/perturbation.png",
            sidecar="results/figures/separation/perturbation.json",
        log:
            logs("separation_plot_perturbation", "perturbation"),
        params:
            code=code_of("separation/plot_perturbation.py"),
            title=(
                f"Weight perturbation: GFNN w100 on {SEP['perturbation']['data']}, "
                f"{SEP['perturbation']['optimizer']}, {SEP['perturbation']['epochs']} epochs"
            ),
            epochs=lookup(dpath="separation/perturbation/epochs", within=config),
            sigmas=lookup(dpath="separation/perturbation/sigmas", within=config),
            draws=lookup(dpath="separation/perturbation/draws", within=config),
            bn_mode=lookup(dpath="separation/measure/bn_mode", within=config),
            dpi=lookup(dpath="figures/dpi", within=config),
        threads: 1
        resources:
            mem_mb=scaled_mem(1000),
            runtime=5,
        conda:
            ENV
        message:
            "Plotting the weight-perturbation figure"
        script:
            "../workflow/scripts/separation/plot_perturbation.py"
