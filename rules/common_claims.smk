# The reproduction report: every paper claim of config/claims.yaml checked against this
# config's results (results/claims.{csv,md,html}) and the README gallery (docs/gallery/).
# Rules in rules/claims.smk; helpers (registry, reasons, input functions, targets) here.

from deeplaws.claims import load_registry as _claims_load, unmet as _claims_unmet
from deeplaws.common.docs_tables import gallery as _docs_gallery

CLAIMS_REGISTRY = "config/claims.yaml"
CLAIMS_SCHEMA = "workflow/schemas/claims.schema.yaml"
CLAIMS = _claims_load(ROOT / CLAIMS_REGISTRY, ROOT / CLAIMS_SCHEMA)

# README gallery: docs/gallery/<part>_<figure>.png <- the figure it copies (one or two per
# paper + data; the figures of deeplaws.common.docs_tables.GALLERY_FIGURES, checked
# against the registries).
GALLERY = _docs_gallery(ROOT)


def claims_reasons():
    """Claim id -> why it cannot run in this config (None: it runs). Besides `requires:`,
    a claim reading a file under results/figures/ needs this config to make that figure."""
    made = set(
        data_outputs() + redunet_outputs() + recovery_outputs() + separation_outputs()
        + lens_outputs()
    )
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
