# Aggregate targets: `snakemake data`, `snakemake figures`, and one per paper.


localrules:
    data,
    figures,


rule data:
    input:
        data_outputs(),
    default_target: False


rule figures:
    input:
        final_outputs(),
