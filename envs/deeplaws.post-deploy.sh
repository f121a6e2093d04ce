#!/usr/bin/env bash
# Run by snakemake --sdm conda after creating envs/deeplaws.yaml: install the local package.
set -euo pipefail
pip install --no-deps -e .
