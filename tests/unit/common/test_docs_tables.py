"""The generated figure tables of the docs (deeplaws.common.docs_tables) against the
registries and the claims registry."""

from pathlib import Path

import pytest

from deeplaws.claims import load_registry
from deeplaws.common import docs_tables

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def every():
    """part -> every figure its registry can make (every study switched on)."""
    return docs_tables.figure_names(docs_tables.configs(ROOT)["every"])


def test_committed_docs_are_the_generated_tables():
    """A registry change without `python -m deeplaws.common.docs_tables` fails here."""
    for path, text in docs_tables.pages(ROOT).items():
        assert path.read_text() == text, (
            f"{path} is out of date: python -m deeplaws.common.docs_tables"
        )


def test_every_registry_figure_has_one_row(every):
    for part, names in every.items():
        page = (ROOT / docs_tables.PAGES[part]).read_text()
        region = page.split(docs_tables.BEGIN)[1].split(docs_tables.END)[0]
        rows = [line.split("|")[1].strip() for line in region.strip().splitlines()[2:]]
        assert rows == [f"`{n}`" for n in names], part


def test_claimed_figures_exist_in_their_registry(every):
    claims = load_registry(
        ROOT / "config/claims.yaml", ROOT / "workflow/schemas/claims.schema.yaml"
    )
    linked = docs_tables.claims_by_figure(ROOT)
    assert sum(len(ids) for ids in linked.values()) == sum(1 for c in claims if c.figure_file)
    for stem in linked:
        part, name = stem.split("/")[-2:]
        if part in every:  # the lens figures are checked in tests/unit/claims
            assert name in every[part], stem
    # and each claimed figure shows its claims in its row
    for part in every:
        page = (ROOT / docs_tables.PAGES[part]).read_text()
        for stem, ids in linked.items():
            if f"/{part}/" in stem:
                row = next(
                    line
                    for line in page.splitlines()
                    if line.startswith(f"| `{stem.split('/')[-1]}` ")
                )
                assert all(f"`{i}`" in row for i in ids), row


def test_replace_region_keeps_the_prose():
    text = f"intro\n{docs_tables.BEGIN}\nold\n{docs_tables.END}\noutro\n"
    new = docs_tables.replace_region(text, "| a |")
    assert new == f"intro\n{docs_tables.BEGIN}\n| a |\n{docs_tables.END}\noutro\n"
    assert docs_tables.replace_region(new, "| a |") == new
    with pytest.raises(ValueError):
        docs_tables.replace_region("no markers", "| a |")


def test_gallery_figures_are_made_by_the_default_config():
    made = docs_tables.figure_names(docs_tables.configs(ROOT)["default"])
    gallery = docs_tables.gallery(ROOT)
    assert len(gallery) == len(docs_tables.GALLERY_FIGURES)
    for name, path in gallery.items():
        part, stem = Path(path).parent.name, Path(path).stem
        assert name == f"{part}_{stem}.png"
        assert part == "data" or stem in made[part], path
