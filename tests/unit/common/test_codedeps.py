"""Code dependencies derived from the code (deeplaws.common.codedeps), on a small package
written here: what counts as an import, and which edits change a fingerprint."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from deeplaws.common.codedeps import dependencies, fingerprint

MODULES = {
    "deeplaws/__init__.py": '"""The package."""\n',
    "deeplaws/core/__init__.py": "",
    "deeplaws/core/a.py": """
        '''Module a.'''
        from .b import helper  # relative import


        def f(x):
            '''Doc of f.'''
            from deeplaws.core import lazy  # an import inside a function counts

            return helper(x) + lazy.VALUE
        """,
    "deeplaws/core/b.py": "def helper(x):\n    return 2 * x\n",
    "deeplaws/core/lazy.py": "VALUE = 1\n",
    "deeplaws/core/plugins.py": "NAMES = ('deeplaws.other.registered',)\n",
    "deeplaws/other/__init__.py": "",
    "deeplaws/other/registered.py": "X = 3\n",
    "deeplaws/other/unused.py": "Y = 4\n",
}


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for rel, text in MODULES.items():
        path = tmp_path / "src" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    (scripts / "job_a.py").write_text("from deeplaws.core.a import f\nprint(f(1))\n")
    (scripts / "job_plugins.py").write_text("import deeplaws.core.plugins\n")
    return tmp_path


def _names(tree: Path, script: str) -> set[str]:
    src = (tree / "src").resolve()
    return {str(p.relative_to(src)) for p in dependencies(tree / "scripts" / script, src)}


def test_imports_found_through_every_form(tree):
    assert _names(tree, "job_a.py") == {
        "deeplaws/__init__.py",
        "deeplaws/core/__init__.py",
        "deeplaws/core/a.py",
        "deeplaws/core/b.py",
        "deeplaws/core/lazy.py",
    }
    # a string naming a module (importlib.import_module) is a dependency, with its parents
    assert _names(tree, "job_plugins.py") == {
        "deeplaws/__init__.py",
        "deeplaws/core/__init__.py",
        "deeplaws/core/plugins.py",
        "deeplaws/other/__init__.py",
        "deeplaws/other/registered.py",
    }


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_comments_docstrings_and_layout_do_not_count(tree):
    src, script = tree / "src", tree / "scripts" / "job_a.py"
    before = fingerprint(script, src)
    a = src / "deeplaws/core/a.py"
    _edit(a, "'''Doc of f.'''", "'''A rewritten docstring\n    over two lines.'''")
    _edit(a, "# relative import", "# another comment")
    a.write_text(a.read_text() + "\n\n# trailing comment\n")
    _edit(src / "deeplaws/__init__.py", "The package.", "The package, documented.")
    assert fingerprint(script, src) == before


@pytest.mark.parametrize(
    ("module", "old", "new", "changes_a", "changes_plugins"),
    [
        ("deeplaws/core/b.py", "2 * x", "3 * x", True, False),
        ("deeplaws/core/lazy.py", "VALUE = 1", "VALUE = 2", True, False),
        ("deeplaws/other/registered.py", "X = 3", "X = 5", False, True),
        ("deeplaws/core/__init__.py", "", "Z = 0\n", True, True),
        ("deeplaws/other/unused.py", "Y = 4", "Y = 5", False, False),
    ],
)
def test_a_real_edit_changes_exactly_its_users(tree, module, old, new, changes_a, changes_plugins):
    src = tree / "src"
    scripts = {name: tree / "scripts" / name for name in ("job_a.py", "job_plugins.py")}
    before = {name: fingerprint(path, src) for name, path in scripts.items()}
    path = src / module
    path.write_text(path.read_text().replace(old, new) if old else new)
    after = {name: fingerprint(path, src) for name, path in scripts.items()}
    assert (after["job_a.py"] != before["job_a.py"]) is changes_a
    assert (after["job_plugins.py"] != before["job_plugins.py"]) is changes_plugins


def test_every_script_of_the_workflow_reaches_only_package_files():
    root = Path(__file__).resolve().parents[3]
    src = (root / "src").resolve()
    for script in sorted((root / "workflow/scripts").rglob("*.py")):
        deps = dependencies(script, src)
        assert deps, script  # every adapter calls into the package
        assert all(p.is_relative_to(src / "deeplaws") and p.is_file() for p in deps)
        assert src / "deeplaws/__init__.py" in deps


def test_the_cost_model_is_not_code_of_the_solves():
    """Recalibrating the P2 cost model (SLURM resources only) must rerun no solve job."""
    root = Path(__file__).resolve().parents[3]
    src = (root / "src").resolve()
    deps = dependencies(root / "workflow/scripts/recovery/solve_unit.py", src)
    names = {str(p.relative_to(src)) for p in deps}
    assert "deeplaws/recovery/convex/working_set.py" in names
    assert not names & {"deeplaws/recovery/cost.py", "deeplaws/recovery/cost_calibration.py"}
