# Helpers of the lens rules (inputs, params, targets). No rules here.
#
# The lens measures one paper's networks with another paper's instrument and reuses saved
# results only: the ReduNet per-layer features (results/redunet/<exp>/layer_features.npz)
# and the equi-separation state files (results/separation/runs/.../state.pt).

LENS = config["lens"]


def lens_redunet_experiments():
    """The ReduNet experiments the lens measures (named in lens/redunet and active)."""
    if not (LENS["activate"] and LENS["redunet"]["activate"]):
        return []
    active = set(redunet_experiments())
    return [e for e in LENS["redunet"]["experiments"] if e in active]


def _state(train_json):
    return str(Path(train_json).with_name("state.pt"))


def lens_gfnn_runs():
    """The saved runs the lens measures: [{state, data, study, snapshots}], one per run.

    The Fig 1 runs (study 'fig1') and the emergence run ('emergence', every saved snapshot);
    a run in both is measured once, with its snapshots, as 'fig1+emergence'.
    """
    if not (LENS["activate"] and LENS["gfnn"]["activate"]):
        return []
    runs = {}
    wanted = (("fig1", "fig1_optimizers"), ("emergence", "emergence"))
    for study, figure in wanted:
        if not LENS["gfnn"][study] or figure not in SEP_FIGURES:
            continue
        fig = SEP_FIGURES[figure]
        trains = fig.trains if study == "fig1" else fig.trains[:1]
        for train in trains:
            state = _state(train)
            data = f"results/data/{SEP[study]['data']}.npz"
            entry = runs.setdefault(state, {"state": state, "data": data, "studies": []})
            entry["studies"].append(study)
    return [
        {
            "state": r["state"],
            "data": r["data"],
            "study": "+".join(r["studies"]),
            "snapshots": "emergence" in r["studies"],
        }
        for r in runs.values()
    ]


LENS_GFNN_RUNS = lens_gfnn_runs()
LENS_REDUNET = lens_redunet_experiments()

LENS_FIGURES = {}
if LENS_REDUNET:
    LENS_FIGURES["redunet_fuzziness"] = "lens_redunet_fuzziness.rst"
if any("fig1" in r["study"] for r in LENS_GFNN_RUNS):
    LENS_FIGURES["gfnn_rates"] = "lens_gfnn_rates.rst"
if any("emergence" in r["study"] for r in LENS_GFNN_RUNS):
    LENS_FIGURES["emergence_rates"] = "lens_emergence_rates.rst"


def lens_tables():
    out = []
    if LENS_REDUNET:
        out += ["results/lens/redunet_fuzziness.csv", "results/lens/redunet_fit.csv"]
    if LENS_GFNN_RUNS:
        out += [
            "results/lens/gfnn_taps.csv",
            "results/lens/gfnn_profiles.csv",
            "results/lens/gfnn_gain.csv",
        ]
    return out


def lens_outputs():
    """Every file of the lens that the current config produces."""
    out = lens_tables()
    for name in LENS_FIGURES:
        out += [f"results/figures/lens/{name}.{ext}" for ext in ("pdf", "png")]
    return out
