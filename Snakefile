# deeplaws: regenerate every figure of three deep-learning-theory papers.
#   P1 ReduNet (rules/redunet.smk), P2 neural recovery (rules/recovery.smk),
#   P3 equi-separation law (rules/separation.smk); data layer in rules/data.smk.

from snakemake.utils import min_version

min_version("9.27")


configfile: "config/config.yaml"


report: "workflow/report/workflow.rst"


include: "rules/common.smk"
include: "rules/common_redunet.smk"
include: "rules/common_recovery.smk"
include: "rules/common_separation.smk"
include: "rules/common_claims.smk"
include: "rules/data.smk"
include: "rules/redunet.smk"
include: "rules/recovery.smk"
include: "rules/separation.smk"
include: "rules/claims.smk"
include: "rules/targets.smk"


rule all:
    input:
        final_outputs(),
    default_target: True
