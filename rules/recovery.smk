# P2 Neural recovery, "Overparameterized ReLU neural networks learn the simplest model"
# (Wang, Hua, Candès, Pilanci). Compute rules, then figure rules.
#
# Records:  results/recovery/<program>/<panel>/<unit>.json, one record per trial, where a
#           unit is a cell n~N_d~D (all trials), one trial n~N_d~D_trial~T (expensive
#           training programs), a column n~all_d~D or a whole panel n~all_d~all;
#           a program with fanout "program" writes results/recovery/<program>/panels~all.json
#           instead: every panel in one job (trained nets: the cells of all panels at one
#           (n, d) train as one batch).
#           A unit's params hold only its own share of the grid, and finished trials are
#           reused from the record store results/recovery/store (deeplaws.recovery.store),
#           so growing the grid or adding σ values or trials computes only the new records.
# Tables:   results/recovery/tables/<figure>.csv (one tidy table per figure).
# Figures:  results/figures/recovery/<figure>.{pdf,png}, named by experiment ID (docs/recovery.md).

localrules:
    recovery_gather_table,
    recovery_plot_figure,


# ---------------------------------------------------------------- compute rules


rule recovery_solve_unit:
    input:
    output:
        records="results/recovery/{program}/{panel}/{unit}.json",
    log:
        logs("recovery_solve_unit", "{program}/{panel}/{unit}"),
    benchmark:
        benchmarks("recovery_solve_unit", "{program}/{panel}/{unit}")
    params:
        code=code_of("recovery/solve_unit.py"),
        ns=lambda wc: recovery_unit_grid(wc)[0],
        ds=lambda wc: recovery_unit_grid(wc)[1],
        trials=lambda wc: recovery_unit_grid(wc)[2],
        base_seed=lookup(dpath="seeds/base", within=config),
        settings=lambda wc: recovery_settings(wc.program),
        store=RECOVERY_STORE,
    threads: 1
    resources:
        mem_mb=scaled_mem(lambda wc: recovery_resources(wc)[0]),
        runtime=lambda wc: recovery_resources(wc)[1],
    conda:
        ENV
    message:
        "Recovery: {wildcards.program} on panel {wildcards.panel}, {wildcards.unit}"
    script:
        "../workflow/scripts/recovery/solve_unit.py"


rule recovery_solve_program:
    input:
    output:
        records="results/recovery/{program}/panels~all.json",
    log:
        logs("recovery_solve_program", "{program}"),
    benchmark:
        benchmarks("recovery_solve_program", "{program}")
    params:
        code=code_of("recovery/solve_program.py"),
        panels=lambda wc: recovery_program_panels(wc.program),
        trials=lambda wc: config["recovery"]["trials"][wc.program],
        base_seed=lookup(dpath="seeds/base", within=config),
        settings=lambda wc: recovery_settings(wc.program),
        store=RECOVERY_STORE,
    threads: 1
    resources:
        mem_mb=scaled_mem(lambda wc: recovery_program_resources(wc.program)[0]),
        runtime=lambda wc: recovery_program_resources(wc.program)[1],
    conda:
        ENV
    message:
        "Recovery: {wildcards.program} on all its panels"
    script:
        "../workflow/scripts/recovery/solve_program.py"


rule recovery_estimate_mixture:
    input:
    output:
        records="results/recovery/mixture/d~{mixd}.json",
    log:
        logs("recovery_estimate_mixture", "d~{mixd}"),
    benchmark:
        benchmarks("recovery_estimate_mixture", "d~{mixd}")
    params:
        code=code_of("recovery/estimate_mixture.py"),
        sigmas=lambda wc: _span(config["recovery"]["mixture"]["sigmas"]),
        n=lookup(dpath="recovery/mixture/n", within=config),
        samples=lookup(dpath="recovery/mixture/samples", within=config),
        mean_draws=lookup(dpath="recovery/mixture/mean_draws", within=config),
        base_seed=lookup(dpath="seeds/base", within=config),
    threads: 1
    resources:
        mem_mb=scaled_mem(1000),
        runtime=10,
    conda:
        ENV
    message:
        "Mixture separability probability at d = {wildcards.mixd}"
    script:
        "../workflow/scripts/recovery/estimate_mixture.py"


rule recovery_gather_table:
    input:
        records=recovery_table_inputs,
    output:
        table="results/recovery/tables/{figure}.csv",
    log:
        logs("recovery_gather_table", "{figure}"),
    benchmark:
        benchmarks("recovery_gather_table", "{figure}")
    params:
        code=code_of("recovery/gather_table.py"),
        sigmas=lookup(dpath="recovery/sigmas", within=config),
        grid=lambda wc: recovery_figure_grid(wc.figure),
    threads: 1
    resources:
        mem_mb=scaled_mem(2000),
        runtime=10,
    conda:
        ENV
    message:
        "Gathering the records of recovery figure {wildcards.figure} into one table"
    script:
        "../workflow/scripts/recovery/gather_table.py"


# ---------------------------------------------------------------- figure rules


rule recovery_plot_figure:
    input:
        table="results/recovery/tables/{figure}.csv",
        style="matplotlibrc",
    output:
        pdf=report(
            "results/figures/recovery/{figure}.pdf",
            caption="../workflow/report/recovery_figure.rst",
            category="Neural recovery",
            labels={"figure": "{figure}"},
        ),
        png="results/figures/recovery/{figure}.png",
    log:
        logs("recovery_plot_figure", "{figure}"),
    params:
        code=code_of("recovery/plot_figure.py"),
        caption=lambda wc: recovery_caption(wc.figure),
        sigmas=lookup(dpath="recovery/sigmas", within=config),
        dpi=lookup(dpath="figures/dpi", within=config),
    threads: 1
    resources:
        mem_mb=scaled_mem(2000),
        runtime=10,
    conda:
        ENV
    message:
        "Plotting recovery figure {wildcards.figure}"
    script:
        "../workflow/scripts/recovery/plot_figure.py"
