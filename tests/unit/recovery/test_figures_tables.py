"""The P2 figure registry and its captions."""


def test_every_figure_has_its_caption():
    from deeplaws.recovery.captions import CAPTIONS, HEATMAP_NOTE, caption
    from deeplaws.recovery.figures import FIGURE_IDS, figure_specs

    assert set(CAPTIONS) == set(FIGURE_IDS)
    for fid, spec in figure_specs([0.0, 0.1]).items():
        text = caption(fid)
        assert text.startswith(CAPTIONS[fid])
        assert text.endswith(HEATMAP_NOTE) == (spec.kind == "heatmap"), fid
        # a caption names the convex program numbers its panels solve
        numbers = {p.program for p in spec.panels}
        for program, number in (("skip_relaxed", "4.1"), ("normal_relaxed", "4.5")):
            if program in numbers:
                assert number in text, (fid, number)
