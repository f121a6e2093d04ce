# Helpers shared by all rule files (validation, wildcard constraints, path, seed and
# input helpers). No rules are defined in this file.

import os
from pathlib import Path
from types import SimpleNamespace

from jinja2 import Environment as _JinjaEnvironment

from snakemake.exceptions import WorkflowError

from deeplaws.common.config import ConfigError, check_config

# Validate the config before anything else (and before the heavier imports below): every
# error names its key and what is allowed.
try:
    check_config(config, os.path.join(workflow.basedir, "workflow/schemas/config.schema.yaml"))
except ConfigError as _err:
    raise WorkflowError(str(_err)) from None

# A device: cuda without CUDA fails here, not in the first training job (local runs only: a
# cluster's submit host need not have the GPUs of its compute nodes).
if workflow.local_exec and workflow.is_main_process:
    from deeplaws.common.device import DeviceError, check_devices

    try:
        check_devices(config)
    except DeviceError as _err:
        raise WorkflowError(str(_err)) from None

from deeplaws.common.codedeps import fingerprint
from deeplaws.common.seeding import derive_seed
from deeplaws.data import download as _download
from deeplaws.data.subsets import KEYS as SUBSET_KEYS


ENV = "../envs/deeplaws.yaml"
ROOT = Path(workflow.basedir)


wildcard_constraints:
    dim="2|3",
    variant=r"\d+",
    tabular="iris|digits|mice",
    key="|".join(SUBSET_KEYS),
    source="|".join(_download.REGISTRY),
    filename=r"[A-Za-z0-9_.\-]+",


# --- paths -------------------------------------------------------------------------------


def logs(rule, name):
    """logs/<rule>/<name>.log"""
    return f"logs/{rule}/{name}.log"


def benchmarks(rule, name):
    """benchmarks/<rule>/<name>.tsv"""
    return f"benchmarks/{rule}/{name}.tsv"


def code_of(script):
    """Fingerprint of the package code that workflow/scripts/<script> imports, directly or
    through other modules, insensitive to comments and docstrings
    (deeplaws.common.codedeps). Passed as a param, so a real edit of a module reruns
    exactly the jobs whose scripts reach it, and a comment edit reruns nothing."""
    return fingerprint(ROOT / "workflow" / "scripts" / script, ROOT / "src")


# the settings with which the report renders caption files (snakemake.report)
_CAPTIONS = _JinjaEnvironment(trim_blocks=True, lstrip_blocks=True)


def render_caption(name, params=None, wildcards=None):
    """The text of caption file workflow/report/<name> rendered with the given values of
    snakemake.params and snakemake.wildcards: the caption of one figure of a rule that
    draws several kinds (its own caption file shows params.caption)."""
    text = (ROOT / "workflow/report" / name).read_text()
    snakemake = SimpleNamespace(
        params=SimpleNamespace(**(params or {})), wildcards=SimpleNamespace(**(wildcards or {}))
    )
    return _CAPTIONS.from_string(text).render(snakemake=snakemake)


# --- resources -----------------------------------------------------------------------------


def scaled_mem(base_mb):
    """mem_mb of a job: ``base_mb`` (a number, or a function of the wildcards), doubled on
    each new attempt (a retry after running out of memory; profiles/slurm resubmits failed
    jobs with retries: 2). Every rule asks for its memory through this."""

    def mem_mb(wildcards, attempt):
        base = base_mb(wildcards) if callable(base_mb) else base_mb
        return int(base) * 2 ** (attempt - 1)

    return mem_mb


# --- seeds -------------------------------------------------------------------------------


def data_seed(name):
    """The seed of dataset ``name``, derived from seeds.base."""
    return derive_seed(config["seeds"]["base"], "data", name)


# --- raw files ---------------------------------------------------------------------------


def raw_files(source):
    """Paths of the raw files of ``source``: a configured folder (which must hold them all),
    the user's resources/<source>/, a system folder, else resources/download/<source>/ (made
    by the download rule). Each consuming job checks every file against its pin."""
    try:
        return _download.resolve(source, config["data"][source]["directory"], ROOT)
    except _download.RawFileError as err:
        raise WorkflowError(str(err)) from None


def subset_source(wildcards):
    return list(raw_files(SUBSET_KEYS[wildcards.key].source).values())


# --- targets -----------------------------------------------------------------------------


def dataset_names():
    """Names of every dataset the current config builds."""
    data = config["data"]
    names = []
    for family in ("gaussian2d", "gaussian3d", "sinusoid"):
        if data[family]["activate"]:
            names += [f"{family}_{v}" for v in data[family]["variants"]]
    names += [t for t in ("iris", "digits", "mice", "mnist") if data[t]["activate"]]
    names += list(data["subsets"]["keys"])
    return names


def dataset_files(names=None):
    names = dataset_names() if names is None else names
    return [f"results/data/{n}.{ext}" for n in names for ext in ("npz", "json")]


def data_outputs():
    return dataset_files() + [
        "results/figures/data/overview.pdf",
        "results/figures/data/overview.png",
    ]


def final_outputs():
    """Every file the current config produces (the input of rule all), the claims report
    (results/claims.{csv,md,html}, rules/claims.smk) included."""
    return (
        data_outputs()
        + redunet_outputs()
        + recovery_outputs()
        + separation_outputs()
        + lens_outputs()
        + claims_outputs()
    )
