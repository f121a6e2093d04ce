"""Bad inputs stop before any job with a message naming the key, file or value.

The table (tests/reliability/cases.py, shown in docs/reliability.md) goes through the
package's config validation, the function the workflow calls before it builds the DAG; a
handful goes through a real ``snakemake -n`` to show that such an error exits non-zero and
writes nothing. Broken files (raw data, results, YAML) go through the functions that read them.
"""

from __future__ import annotations

import copy
import gzip
import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml

from deeplaws.common.config import (
    ConfigError,
    check_config,
    load_schema,
    load_yaml,
    merge_configs,
)
from deeplaws.common.device import DeviceError, check_devices
from deeplaws.common.io import CorruptFileError, load_json, load_npz, save_json, save_npz
from deeplaws.data.download import REGISTRY, ChecksumError, RawFileError, resolve, verify_raw
from tests.reliability.cases import CONFIG_CASES
from tests.workflow.conftest import copy_repo, run_snakemake

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = load_schema(ROOT / "workflow/schemas/config.schema.yaml")
BASE = yaml.safe_load((ROOT / "config/config.yaml").read_text())


def config_with(override: dict) -> dict:
    return copy.deepcopy(merge_configs(BASE, override))


def test_the_base_config_is_valid():
    check_config(config_with({}), SCHEMA)


def test_the_table_is_large_and_ids_unique():
    ids = [c[0] for c in CONFIG_CASES]
    assert len(ids) == len(set(ids)) and len(ids) + len(FILE_CASES) >= 40


@pytest.mark.parametrize(("override", "fragments"), [c[1:] for c in CONFIG_CASES],
                         ids=[c[0] for c in CONFIG_CASES])  # fmt: skip
def test_bad_config_is_refused_naming_key_and_value(override, fragments):
    cfg = config_with(override)
    with pytest.raises(ConfigError) as info:
        check_config(cfg, SCHEMA)
    msg = str(info.value)
    for fragment in fragments:
        assert fragment in msg, msg


# --- broken files: each case writes its input under tmp_path and checks the reader ----------


def _tampered_mnist(tmp: Path) -> tuple[str, list[str]]:
    name = "train-labels-idx1-ubyte.gz"
    path = tmp / "resources" / "mnist" / name
    path.parent.mkdir(parents=True)
    with gzip.open(path, "wb") as fh:
        fh.write(bytes([0, 0, 8, 1, 0, 0, 0, 2, 3, 7]))  # a valid IDX file, not the real one
    with pytest.raises(ChecksumError) as info:
        verify_raw("mnist", [path])
    return str(info.value), [str(path), REGISTRY["mnist"][name].sha256, "found SHA-256"]


FASHION = Path("/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz")


def _fashion_as_mnist(tmp: Path) -> tuple[str, list[str]]:
    if not FASHION.is_file():
        pytest.skip("Debian's dataset-fashion-mnist is not installed")
    path = tmp / "resources" / "mnist" / FASHION.name
    path.parent.mkdir(parents=True)
    shutil.copy(FASHION, path)
    with pytest.raises(ChecksumError) as info:
        verify_raw("mnist", [path])
    return str(info.value), [str(path), "this file is fashion_mnist/train-labels-idx1-ubyte.gz"]


def _truncated_npz(tmp: Path) -> tuple[str, list[str]]:
    path = tmp / "results" / "x.npz"
    save_npz(path, {"a": np.arange(1000)})
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptFileError) as info:
        load_npz(path)
    assert not path.exists()  # removed: the next run rebuilds it
    return str(info.value), [str(path), "corrupt or truncated", "next run rebuilds it"]


def _truncated_json(tmp: Path) -> tuple[str, list[str]]:
    path = tmp / "results" / "x.json"
    save_json(path, {"a": list(range(50))})
    path.write_text(path.read_text()[:40])
    with pytest.raises(CorruptFileError) as info:
        load_json(path)
    assert not path.exists()
    return str(info.value), [str(path), "JSONDecodeError"]


def _corrupt_raw_npz_outside_results(tmp: Path) -> tuple[str, list[str]]:
    path = tmp / "mine" / "x.npz"
    path.parent.mkdir()
    path.write_bytes(b"PK\x03\x04 not a zip")
    with pytest.raises(CorruptFileError) as info:
        load_npz(path)
    assert path.exists()  # outside results/: refused, never deleted
    return str(info.value), [str(path), "replace or delete it"]


def _yaml_syntax(tmp: Path) -> tuple[str, list[str]]:
    path = tmp / "config.yaml"
    path.write_text("figures:\n  dpi: 150\n redunet: {}\n")
    with pytest.raises(ConfigError) as info:
        load_yaml(path)
    return str(info.value), [str(path), "line 3", "YAML syntax error"]


def _directory_lacks_files(tmp: Path) -> tuple[str, list[str]]:
    with pytest.raises(RawFileError) as info:
        resolve("mnist", str(tmp), tmp)
    return str(info.value), ["data.mnist.directory", str(tmp), "t10k-labels-idx1-ubyte.gz"]


def _cuda_without_cuda(tmp: Path) -> tuple[str, list[str]]:
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    with pytest.raises(DeviceError) as info:
        check_devices({"separation": {"device": "cuda"}})
    return str(info.value), ["separation.device: 'cuda'", "no usable CUDA device"]


FILE_CASES = {
    "raw-mnist-tampered": _tampered_mnist,
    "raw-fashion-placed-as-mnist": _fashion_as_mnist,
    "results-npz-truncated": _truncated_npz,
    "results-json-truncated": _truncated_json,
    "npz-corrupt-outside-results": _corrupt_raw_npz_outside_results,
    "yaml-syntax-error": _yaml_syntax,
    "configured-directory-lacks-files": _directory_lacks_files,
    "device-cuda-without-cuda": _cuda_without_cuda,
}


@pytest.mark.parametrize("case", list(FILE_CASES))
def test_broken_file_is_refused_naming_it(case, tmp_path):
    msg, fragments = FILE_CASES[case](tmp_path)
    for fragment in fragments:
        assert fragment in msg, msg


# --- a handful through a real Snakemake: non-zero exit, message, nothing written --------------

SNAKEMAKE_CASES = {
    "eta-nan": ("redunet:\n  experiments:\n    gaussian2d: {eta: .nan}\n",
                ["redunet.experiments.gaussian2d.eta: nan is not a finite number"]),
    "fig1-lrs-short": ("separation:\n  fig1:\n    lrs: {sgd: [0.3, 0.03]}\n",
                       ["separation.fig1.lrs.sgd: 2 values"]),
    "grid-n-reversed": ("recovery:\n  grid:\n    n: {start: 80, stop: 10, step: 10}\n",
                        ["recovery.grid.n: start 80 > stop 10"]),
    "directory-lacks-files": ("data:\n  mnist: {source: full, directory: /nonexistent/mnist}\n",
                              ["data.mnist.directory", "/nonexistent/mnist"], "mnist"),
}  # fmt: skip


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    return copy_repo(tmp_path_factory.mktemp("bad_inputs"))


def _assert_refused(repo: Path, run, fragments: list[str]) -> None:
    assert run.rc != 0, run.out[-3000:]
    for fragment in fragments:
        assert fragment in run.out, run.out[-3000:]
    assert not (repo / "results").exists()  # no job ran, nothing a later run could take
    assert "Building DAG" not in run.out or "Job 0" not in run.out


@pytest.mark.workflow
@pytest.mark.parametrize("case", list(SNAKEMAKE_CASES))
def test_snakemake_refuses_before_any_job(case, repo):
    text, fragments, *dataset = SNAKEMAKE_CASES[case]
    (repo / "bad.yaml").write_text(text)
    target = f"results/data/{(dataset or ['iris'])[0]}.npz"  # the case's key is used there
    # the target before --configfile, which takes every value that follows it
    run = run_snakemake(repo, "-c1", target, "--configfile", "bad.yaml", timeout=300)
    _assert_refused(repo, run, fragments)


@pytest.mark.workflow
def test_snakemake_names_file_and_line_of_a_yaml_error(repo):
    config = repo / "config/config.yaml"
    original = config.read_text()
    lines = original.splitlines(keepends=True)
    at = next(i for i, ln in enumerate(lines) if ln.startswith("  dpi:"))
    lines[at] = "  dpi: [150\n"
    config.write_text("".join(lines))
    try:
        run = run_snakemake(repo, "-c1", "results/data/iris.npz", timeout=300)
    finally:
        config.write_text(original)
    _assert_refused(repo, run, ["config/config.yaml, line", "YAML syntax error"])


def test_docs_list_every_case():
    text = (ROOT / "docs/reliability.md").read_text()
    for case in [c[0] for c in CONFIG_CASES] + list(FILE_CASES):
        assert f"`{case}`" in text, case
