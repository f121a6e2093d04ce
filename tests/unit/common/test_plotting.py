"""Figure files carry their caption in their own metadata."""

from __future__ import annotations

import matplotlib.pyplot as plt
from PIL import Image

from deeplaws.common.plotting import save_figure


def test_caption_goes_into_png_and_pdf_metadata(tmp_path):
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    caption = "Recovery rate over (n, d),\n  three trials per cell."
    pdf, png = tmp_path / "f.pdf", tmp_path / "f.png"
    save_figure(fig, pdf, png, dpi=50, caption=caption)
    plt.close(fig)
    with Image.open(png) as img:
        assert img.info["Description"] == "Recovery rate over (n, d), three trials per cell."
    assert b"/Subject (Recovery rate over \\(n, d\\), three trials per cell.)" in pdf.read_bytes()
    # without a caption no such entry is written
    fig, _ = plt.subplots()
    save_figure(fig, tmp_path / "g.png", dpi=50)
    plt.close(fig)
    with Image.open(tmp_path / "g.png") as img:
        assert "Description" not in img.info
