"""Code dependencies derived from the code: the package modules a script really uses.

A job depends on the modules of ``deeplaws`` its script imports, directly or through
other modules (every ``import`` statement anywhere in a module counts, including those
inside functions, and so do the parent packages, whose ``__init__`` runs first; a string
constant naming a module of the package, as passed to ``importlib.import_module``, counts
as an import too). Each module enters through a digest of its syntax tree without
docstrings, so an edit of comments, docstrings or layout changes nothing, and any other
edit changes the fingerprint of exactly the scripts that reach the module.

The rules pass ``fingerprint(script)`` as a param: Snakemake reruns a job whose params
changed, and only those.
"""

from __future__ import annotations

import ast
import hashlib
from functools import cache
from pathlib import Path

PACKAGE = "deeplaws"


def _strip_docstrings(tree: ast.AST) -> ast.AST:
    """Remove the docstring (a leading string expression) of the module, every class and
    every function; a body left empty gets ``pass`` so that the tree stays valid."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if (
                body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                node.body = body[1:] or [ast.Pass()]
    return tree


@cache
def _parse_text(text: str, filename: str) -> ast.Module:
    return ast.parse(text, filename=filename)


def _parse(path: Path) -> ast.Module:
    return _parse_text(path.read_text(encoding="utf-8"), str(path))


@cache
def _digest_text(text: str, filename: str) -> str:
    tree = _strip_docstrings(ast.parse(text, filename=filename))
    return hashlib.sha256(ast.dump(tree, include_attributes=False).encode()).hexdigest()


def source_digest(path: Path) -> str:
    """SHA-256 of the module's syntax tree without docstrings (comments never reach it)."""
    return _digest_text(path.read_text(encoding="utf-8"), str(path))


def _module_file(name: str, src: Path) -> Path | None:
    """The file of module ``name`` (dotted) under ``src``, or None if it is not one."""
    parts = name.split(".")
    if parts[0] != PACKAGE:
        return None
    base = src.joinpath(*parts)
    if (base / "__init__.py").is_file():
        return base / "__init__.py"
    if base.with_suffix(".py").is_file():
        return base.with_suffix(".py")
    return None


def _module_name(path: Path, src: Path) -> str:
    rel = path.relative_to(src).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imported_names(path: Path, src: Path | None) -> set[str]:
    """Dotted names a module imports (``from a import b`` gives a and a.b), relative
    imports resolved against the module's package (only for files under ``src``)."""
    package: list[str] = []
    if src is not None and path.is_relative_to(src):
        package = _module_name(path, src).split(".")
        if path.name != "__init__.py":
            package = package[:-1]
    names: set[str] = set()
    for node in ast.walk(_parse(path)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                if not package or node.level - 1 > len(package):
                    continue
                head = package[: len(package) - (node.level - 1)]
                base = ".".join(head + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if node.value.startswith(PACKAGE + ".") and node.value.isascii():
                names.add(node.value)
    return names


def dependencies(script: str | Path, src: str | Path) -> list[Path]:
    """Every module file of the package under ``src`` that ``script`` reaches by imports,
    sorted (the script itself is not included)."""
    src = Path(src).resolve()
    script = Path(script).resolve()
    seen: set[Path] = set()
    todo = [script]
    while todo:
        path = todo.pop()
        for name in _imported_names(path, src if path != script else None):
            parts = name.split(".")
            for i in range(1, len(parts) + 1):  # the parent packages run first
                file = _module_file(".".join(parts[:i]), src)
                if file is not None and file not in seen:
                    seen.add(file)
                    todo.append(file)
    return sorted(seen)


def fingerprint(script: str | Path, src: str | Path) -> str:
    """A short digest of the package code ``script`` depends on (see the module doc)."""
    src = Path(src).resolve()
    h = hashlib.sha256()
    for file in dependencies(script, src):
        h.update(str(file.relative_to(src)).encode())
        h.update(source_digest(file).encode())
    return h.hexdigest()[:16]
