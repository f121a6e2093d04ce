# The reproduction report: every paper claim of config/claims.yaml checked against this
# config's results (results/claims.{csv,md,html}), and the README gallery (docs/gallery/).
# readme_gallery also rewrites the claim counts between the claims markers of README.md in
# place: README.md is no declared output (Snakemake removes an output before its job runs).
# A claim whose requirements (`requires:`) do not hold, or whose figure this config does not
# make, is NOT RUN with the reason; a FAIL is a finding and never fails the workflow.
# Helpers in rules/common_claims.smk.

localrules:
    readme_gallery,


rule claims_evaluate:
    input:
        registry=CLAIMS_REGISTRY,
        schema=CLAIMS_SCHEMA,
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
        code=code_of("claims/evaluate_claims.py"),
        reasons=lambda wildcards: claims_reasons(),
    threads: 1
    resources:
        mem_mb=scaled_mem(1000),
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
        code=code_of("claims/readme_gallery.py"),
        link_prefix="../",
        readme="README.md",
    threads: 1
    resources:
        mem_mb=scaled_mem(500),
        runtime=5,
    conda:
        ENV
    message:
        "Copying the gallery figures to docs/gallery/ and writing the claims table docs/claims.md"
    script:
        "../workflow/scripts/claims/readme_gallery.py"
