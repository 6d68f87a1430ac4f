"""``run diffusion``'s figure shows what each sampler returned (titled with sampler, NFE and the measures of
those samples), with x_t at its last model call apart and labelled: DDPM and DDIM stop at σ ≈ 0.17."""
import numpy as np
import pytest

from engines.jobs import run
from tasks.diffusion import SampleRequest, sample_job
from tasks.diffusion_figure import figure_rows, metrics_text


@pytest.fixture(scope="module")
def outcome():
    request = SampleRequest("mixture:moons", [("ddpm", {}), ("ddim", {}), ("heun", {})], nfe=10, samples=300,
                            seed=1, device="cpu")
    return run(sample_job, request)


def test_the_top_row_is_the_samples_and_the_bottom_row_the_last_x_t(outcome):
    rows = figure_rows(outcome.result)
    assert rows.kind == "points" and len(rows.samples) == len(rows.last_x) == 3
    for run_, top, bottom in zip(outcome.result.runs, rows.samples, rows.last_x):
        np.testing.assert_array_equal(top.data, run_.samples)
        np.testing.assert_array_equal(bottom.data, run_.frames.x[-1])
        assert top.title.startswith(f"<b>{run_.label}</b> samples, NFE {run_.nfe}<br>")
        assert metrics_text(run_.metrics) in top.title and "SW " in top.title and "MMD² " in top.title
        calls = len(run_.frames)
        assert bottom.title.startswith(f"x_t at its last call ({calls}/{calls}), σ = ")
    for name in ("ddpm", "ddim"):  # they return x̂0 of a last call made at σ > 0.1: the two rows differ
        k = [r.name for r in outcome.result.runs].index(name)
        r = outcome.result.runs[k]
        assert r.frames.sigma[-1] > 0.1
        assert np.abs(rows.samples[k].data - rows.last_x[k].data).mean() > 0.05


def test_the_figure_file_has_the_shared_size(outcome, tmp_path, qapp):
    from PySide6 import QtGui

    from cli.render import FIGURE_SCALE, FIGURE_SIZE
    from cli.run_diffusion import write_figure

    write_figure(outcome.result, tmp_path / "figure.png")
    image = QtGui.QImage(str(tmp_path / "figure.png"))
    assert (image.width(), image.height()) == tuple(round(v * FIGURE_SCALE) for v in FIGURE_SIZE)
