# The data layer: every dataset as results/data/<name>.npz with a JSON sidecar.

# ---------------------------------------------------------------- compute rules


rule data_make_gaussian:
    input:
    output:
        npz="results/data/gaussian{dim}d_{variant}.npz",
        meta="results/data/gaussian{dim}d_{variant}.json",
    log:
        logs("data_make_gaussian", "gaussian{dim}d_{variant}"),
    benchmark:
        benchmarks("data_make_gaussian", "gaussian{dim}d_{variant}")
    params:
        code=code_of("data/make_gaussian.py"),
        noise=lookup(dpath="data/gaussian{dim}d/noise", within=config),
        samples=lookup(dpath="data/gaussian{dim}d/samples", within=config),
        seed=lambda wc: data_seed(f"gaussian{wc.dim}d_{wc.variant}"),
    threads: 1
    resources:
        mem_mb=scaled_mem(500),
        runtime=5,
    conda:
        ENV
    message:
        "Generating Gaussian {wildcards.dim}D clusters, variant {wildcards.variant}"
    script:
        "../workflow/scripts/data/make_gaussian.py"


rule data_make_sinusoid:
    input:
    output:
        npz="results/data/sinusoid_{variant}.npz",
        meta="results/data/sinusoid_{variant}.json",
    log:
        logs("data_make_sinusoid", "sinusoid_{variant}"),
    benchmark:
        benchmarks("data_make_sinusoid", "sinusoid_{variant}")
    params:
        code=code_of("data/make_sinusoid.py"),
        time=lookup(dpath="data/sinusoid/time", within=config),
        samples=lookup(dpath="data/sinusoid/samples", within=config),
        seed=lambda wc: data_seed(f"sinusoid_{wc.variant}"),
    threads: 1
    resources:
        mem_mb=scaled_mem(500),
        runtime=5,
    conda:
        ENV
    message:
        "Generating sinusoid classes, variant {wildcards.variant}"
    script:
        "../workflow/scripts/data/make_sinusoid.py"


rule data_make_tabular:
    input:
        raw=lambda wc: (
            list(raw_files("mice").values()) if wc.tabular == "mice" else []
        ),
    output:
        npz="results/data/{tabular}.npz",
        meta="results/data/{tabular}.json",
    log:
        logs("data_make_tabular", "{tabular}"),
    benchmark:
        benchmarks("data_make_tabular", "{tabular}")
    params:
        code=code_of("data/make_tabular.py"),
        test_size=lookup(dpath="data/{tabular}/test_size", within=config),
        random_state=lookup(dpath="data/{tabular}/random_state", within=config),
    threads: 1
    resources:
        mem_mb=scaled_mem(1000),
        runtime=5,
    conda:
        ENV
    message:
        "Building the {wildcards.tabular} dataset"
    script:
        "../workflow/scripts/data/make_tabular.py"


rule data_make_mnist:
    input:
        raw=lambda wc: (
            list(raw_files("mnist").values())
            if config["data"]["mnist"]["source"] == "full"
            else []
        ),
    output:
        npz="results/data/mnist.npz",
        meta="results/data/mnist.json",
    log:
        logs("data_make_mnist", "mnist"),
    benchmark:
        benchmarks("data_make_mnist", "mnist")
    params:
        code=code_of("data/make_mnist.py"),
        source=lookup(dpath="data/mnist/source", within=config),
        per_class=lookup(dpath="data/mnist/per_class", within=config),
    threads: 1
    resources:
        mem_mb=scaled_mem(2000),
        runtime=10,
    conda:
        ENV
    message:
        "Building the MNIST dataset for ReduNet"
    script:
        "../workflow/scripts/data/make_mnist.py"


rule data_make_subset:
    input:
        raw=subset_source,
    output:
        npz="results/data/{key}.npz",
        meta="results/data/{key}.json",
    log:
        logs("data_make_subset", "{key}"),
    benchmark:
        benchmarks("data_make_subset", "{key}")
    params:
        code=code_of("data/make_subset.py"),
        source=lambda wc: SUBSET_KEYS[wc.key].source,
        per_class=lookup(dpath="data/subsets/per_class", within=config),
        seed=lookup(dpath="data/subsets/seed", within=config),
        imbalance=lambda wc: (
            [
                config["data"]["subsets"]["imbalance"]["major"],
                config["data"]["subsets"]["imbalance"]["minor"],
            ]
            if wc.key == "cfm_imb"
            else None
        ),
    threads: 1
    resources:
        mem_mb=scaled_mem(4000),
        runtime=15,
    conda:
        ENV
    message:
        "Selecting the equi-separation training subset {wildcards.key}"
    script:
        "../workflow/scripts/data/make_subset.py"


rule data_download_file:
    # Writes only into resources/download/, which the pipeline owns: files a user placed in
    # resources/<source>/ are inputs, never outputs, so no setting can make a rerun delete
    # them. No param depends on the config, so changing where raw files are looked for never
    # reruns (re-downloads) this rule.
    output:
        raw="resources/download/{source}/{filename}",
    log:
        logs("data_download_file", "{source}/{filename}"),
    benchmark:
        benchmarks("data_download_file", "{source}/{filename}")
    params:
        looked_in=lambda wc: [
            *_download.search_dirs(wc.source, None),
            _download.PLACED_DIR.format(source=wc.source),
        ],
        config_key=lambda wc: f"data.{wc.source}.directory",
    threads: 1
    resources:
        mem_mb=scaled_mem(500),
        runtime=30,
    conda:
        ENV
    message:
        "Downloading {wildcards.filename} of {wildcards.source} (SHA-256 checked)"
    script:
        "../workflow/scripts/data/download_file.py"


# ---------------------------------------------------------------- figure rules


rule data_plot_overview:
    input:
        datasets=lambda wc: [f"results/data/{n}.npz" for n in dataset_names()],
        style="matplotlibrc",
    output:
        pdf=report(
            "results/figures/data/overview.pdf",
            caption="../workflow/report/data_overview.rst",
            category="Data",
        ),
        png="results/figures/data/overview.png",
    log:
        logs("data_plot_overview", "overview"),
    params:
        code=code_of("data/plot_overview.py"),
        dpi=lookup(dpath="figures/dpi", within=config),
    threads: 1
    resources:
        mem_mb=scaled_mem(4000),
        runtime=10,
    conda:
        ENV
    message:
        "Plotting the overview of all datasets"
    script:
        "../workflow/scripts/data/plot_overview.py"
