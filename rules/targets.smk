# Aggregate targets: `snakemake data`, one per paper, `snakemake lens` (the cross-paper
# lens) and `snakemake figures` (everything).


localrules:
    data,
    redunet,
    recovery,
    separation,
    lens,
    figures,


rule data:
    input:
        data_outputs(),


rule redunet:
    input:
        redunet_outputs(),


rule recovery:
    input:
        recovery_outputs(),


rule separation:
    input:
        separation_outputs(),


rule lens:
    input:
        lens_outputs(),


rule figures:
    input:
        final_outputs(),
