# The reproduction report: every paper claim of config/claims.yaml checked against this
# config's results (results/claims.{csv,md,html}), and the README gallery (docs/gallery/).
# A claim whose requirements (`requires:`) do not hold, or whose figure this config does not
# make, is NOT RUN with the reason; a FAIL is a finding and never fails the workflow.

from deeplaws.claims import load_registry as _claims_load, unmet as _claims_unmet

CLAIMS_REGISTRY = "config/claims.yaml"
CLAIMS_SCHEMA = "workflow/schemas/claims.schema.yaml"
CLAIMS = _claims_load(ROOT / CLAIMS_REGISTRY, ROOT / CLAIMS_SCHEMA)

# README gallery: docs/gallery/<name> <- the figure it copies (one or two per paper + data).
GALLERY = {
    "data_overview.png": "results/figures/data/overview.png",
    "redunet_fig2a-c_gaussian2d.png": "results/figures/redunet/fig2a-c_gaussian2d.png",
    "redunet_fig2d-f_gaussian3d.png": "results/figures/redunet/fig2d-f_gaussian3d.png",
    "recovery_sk_rec_relax.png": "results/figures/recovery/sk_rec_relax.png",
    "recovery_nm_rec_1.png": "results/figures/recovery/nm_rec_1.png",
    "separation_fig1_optimizers.png": "results/figures/separation/fig1_optimizers.png",
    "separation_depth_cfm.png": "results/figures/separation/depth_cfm.png",
}


def claims_reasons():
    """Claim id -> why it cannot run in this config (None: it runs). Besides `requires:`,
    a claim reading a file under results/figures/ needs this config to make that figure."""
    made = set(data_outputs() + redunet_outputs() + recovery_outputs() + separation_outputs())
    reasons = {}
    for claim in CLAIMS:
        reason = _claims_unmet(claim, config)
        if reason is None:
            missing = [p for p in claim.inputs if p.startswith("results/figures/") and p not in made]
            if missing:
                reason = f"this config does not make {missing[0]}"
        reasons[claim.id] = reason
    return reasons


def claims_inputs(wildcards):
    """The result files of the claims that run in this config."""
    reasons = claims_reasons()
    files = [p for c in CLAIMS if reasons[c.id] is None for p in c.inputs]
    return list(dict.fromkeys(files))


def claims_outputs():
    return ["results/claims.csv", "results/claims.md", "results/claims.html"]


localrules:
    readme_gallery,


rule claims_evaluate:
    input:
        registry=CLAIMS_REGISTRY,
        schema=CLAIMS_SCHEMA,
        code=pkg_sources("__init__.py", "common/__init__.py", "common/io.py", "common/logging.py", "claims"),
        results=claims_inputs,
    output:
        csv="results/claims.csv",
        md="results/claims.md",
        html=report(
            "results/claims.html",
            category="Claims",
            caption="../workflow/report/claims.rst",
        ),
    log:
        logs("claims_evaluate", "claims"),
    benchmark:
        benchmarks("claims_evaluate", "claims")
    params:
        reasons=lambda wildcards: claims_reasons(),
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        ENV
    message:
        "Checking every paper claim of the registry against this config's results"
    script:
        "../workflow/scripts/claims/evaluate_claims.py"


rule readme_gallery:
    input:
        csv="results/claims.csv",
        figures=list(GALLERY.values()),
    output:
        md="docs/claims.md",
        figures=[f"docs/gallery/{name}" for name in GALLERY],
    log:
        logs("readme_gallery", "gallery"),
    params:
        link_prefix="../",
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    conda:
        ENV
    message:
        "Copying the gallery figures to docs/gallery/ and writing the claims table docs/claims.md"
    script:
        "../workflow/scripts/claims/readme_gallery.py"
