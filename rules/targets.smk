# Aggregate targets: `snakemake data`, one per paper, and `snakemake figures` (everything).


localrules:
    data,
    redunet,
    recovery,
    separation,
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


rule figures:
    input:
        final_outputs(),
