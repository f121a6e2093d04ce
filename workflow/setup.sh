#!/usr/bin/env bash
# Set up deeplaws in .venv (Python 3.11): the pinned stack of pyproject.toml, the CPU build of
# torch, the package itself (editable), and Debian's Fashion-MNIST when apt can be used.
# Safe to run again: steps already done are skipped.
#
#   TORCH_INDEX_URL=...  where to get the CPU build of torch 2.13.0 (default: pip's own
#                        configuration; on a machine whose pip would pick a CUDA build, use
#                        https://download.pytorch.org/whl/cpu)
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'deeplaws setup: %s\n' "$*"; }

# --- Python 3.11 venv --------------------------------------------------------------------
PY="${PYTHON:-}"
if [ -z "$PY" ]; then
  for cand in python3.11 python3; do
    if command -v "$cand" >/dev/null 2>&1; then PY="$cand"; break; fi
  done
fi
[ -n "$PY" ] || { say "no python3.11 found; install Python 3.11 first"; exit 1; }
if ! "$PY" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
  say "$PY is Python $("$PY" -c 'import platform; print(platform.python_version())'); deeplaws needs 3.11 (set PYTHON=...)"
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  say "creating .venv with $PY"
  "$PY" -m venv .venv
fi

# --- packages (skipped when pyproject.toml is unchanged since the last successful run) -----
stamp=.venv/.deeplaws-setup.stamp
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ] || ! .venv/bin/python -c 'import deeplaws, torch' 2>/dev/null; then
  torch_args=()
  [ -n "${TORCH_INDEX_URL:-}" ] && torch_args=(--index-url "$TORCH_INDEX_URL")
  say "installing torch 2.13.0 (CPU build)"
  .venv/bin/python -m pip install --quiet "${torch_args[@]}" torch==2.13.0
  if .venv/bin/python -c 'import torch, sys; sys.exit(torch.version.cuda is None)'; then
    say "warning: the installed torch is a CUDA build; set TORCH_INDEX_URL to a CPU index"
  fi
  say "installing deeplaws and its pinned dependencies"
  .venv/bin/python -m pip install --quiet -e '.[dev]'
  echo "$want" > "$stamp"
else
  say "packages up to date"
fi

# --- Fashion-MNIST from Debian (otherwise the pipeline downloads it, checksummed) -------
if [ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]; then
  say "Fashion-MNIST found in /usr/share/datasets/fashion-mnist"
elif command -v apt-get >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo -n"
  if $SUDO true 2>/dev/null; then
    say "installing Debian's dataset-fashion-mnist"
    $SUDO apt-get update -qq || true
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq dataset-fashion-mnist >/dev/null \
      || say "apt-get could not install dataset-fashion-mnist; Fashion-MNIST will be downloaded"
  else
    say "apt-get needs root; Fashion-MNIST will be downloaded (or: sudo apt-get install dataset-fashion-mnist)"
  fi
else
  say "no apt-get; Fashion-MNIST will be downloaded"
fi
say "done"
