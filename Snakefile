# deeplaws: regenerate every figure of three deep-learning-theory papers.
#   P1 ReduNet (rules/redunet.smk), P2 neural recovery (rules/recovery.smk),
#   P3 equi-separation law (rules/separation.smk); data layer in rules/data.smk;
#   the cross-paper lens (rules/lens.smk): each paper's instrument on another's networks.

from snakemake.utils import min_version

min_version("9.27")

# Snakemake's own message for a YAML syntax error names neither the file nor the line.
from snakemake.exceptions import WorkflowError
from deeplaws.common.config import ConfigError, check_yaml_files

try:
    check_yaml_files("config/config.yaml")
except ConfigError as _err:
    raise WorkflowError(str(_err)) from None


configfile: "config/config.yaml"


report: "workflow/report/workflow.rst"


include: "rules/common.smk"
include: "rules/common_redunet.smk"
include: "rules/common_recovery.smk"
include: "rules/common_separation.smk"
include: "rules/common_lens.smk"
include: "rules/common_claims.smk"
include: "rules/data.smk"
include: "rules/redunet.smk"
include: "rules/recovery.smk"
include: "rules/separation.smk"
include: "rules/lens.smk"
include: "rules/claims.smk"
include: "rules/targets.smk"


rule all:
    input:
        final_outputs(),
    default_target: True
