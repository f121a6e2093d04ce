# The cross-paper lens: P3's separation fuzziness D across the layers of the constructed
# ReduNets, and P1's rates R, R_c, ΔR (with log D beside) across the taps of the trained
# GFNNs. Compute rules reuse saved results (no training, no construction) and write tidy
# tables under results/lens/; figure rules only read them. Helpers in rules/common_lens.smk.

# ---------------------------------------------------------------- compute rules

if LENS_REDUNET:

    rule lens_redunet_fuzziness:
        input:
            features=[f"results/redunet/{e}/layer_features.npz" for e in LENS_REDUNET],
        output:
            table="results/lens/redunet_fuzziness.csv",
            fit="results/lens/redunet_fit.csv",
        log:
            logs("lens_redunet_fuzziness", "redunet"),
        benchmark:
            benchmarks("lens_redunet_fuzziness", "redunet")
        params:
            code=code_of("lens/measure_redunet.py"),
            experiments=LENS_REDUNET,
            weighting=lookup(dpath="separation/measure/weighting", within=config),
        threads: 1
        resources:
            mem_mb=4000,
            runtime=15,
        conda:
            ENV
        message:
            "Lens: separation fuzziness D after every stored ReduNet layer of "
            + ", ".join(LENS_REDUNET)
        script:
            "../workflow/scripts/lens/measure_redunet.py"


if LENS_GFNN_RUNS:

    rule lens_gfnn_rates:
        input:
            states=[r["state"] for r in LENS_GFNN_RUNS],
            data=sorted({r["data"] for r in LENS_GFNN_RUNS}),
        output:
            taps="results/lens/gfnn_taps.csv",
            profiles="results/lens/gfnn_profiles.csv",
            gain="results/lens/gfnn_gain.csv",
        log:
            logs("lens_gfnn_rates", "gfnn"),
        benchmark:
            benchmarks("lens_gfnn_rates", "gfnn")
        params:
            code=code_of("lens/measure_gfnn.py"),
            runs=LENS_GFNN_RUNS,
            eps2=lookup(dpath="lens/eps2", within=config),
            bn_mode=lookup(dpath="separation/measure/bn_mode", within=config),
            chunk=lookup(dpath="separation/measure/chunk", within=config),
            weighting=lookup(dpath="separation/measure/weighting", within=config),
        threads: 1
        resources:
            mem_mb=2000,
            runtime=15,
        conda:
            ENV
        message:
            f"Lens: R, R_c, ΔR and D at every tap of {len(LENS_GFNN_RUNS)} saved GFNN run(s), "
            "at initialisation, the saved snapshots and after training"
        script:
            "../workflow/scripts/lens/measure_gfnn.py"


# ---------------------------------------------------------------- figure rules

LENS_FIGURE_TABLES = {
    "redunet_fuzziness": ["results/lens/redunet_fuzziness.csv", "results/lens/redunet_fit.csv"],
    "gfnn_rates": ["results/lens/gfnn_taps.csv", "results/lens/gfnn_profiles.csv"],
    "emergence_rates": ["results/lens/gfnn_taps.csv", "results/lens/gfnn_profiles.csv"],
}

for _name, _caption in LENS_FIGURES.items():

    rule:
        name:
            f"lens_plot_{_name}"
        input:
            tables=LENS_FIGURE_TABLES[_name],
            style="matplotlibrc",
        output:
            pdf=report(
                f"results/figures/lens/{_name}.pdf",
                caption=f"../workflow/report/{_caption}",
                category="Cross-paper lens",
                labels={"figure": _name},
            ),
            png=f"results/figures/lens/{_name}.png",
        log:
            logs("lens_plot_figure", _name),
        params:
            code=code_of("lens/plot_figure.py"),
            figure=_name,
            eps2=lookup(dpath="lens/eps2", within=config),
            dpi=lookup(dpath="figures/dpi", within=config),
        threads: 1
        resources:
            mem_mb=1000,
            runtime=5,
        conda:
            ENV
        message:
            f"Plotting the lens figure {_name}"
        script:
            "../workflow/scripts/lens/plot_figure.py"
