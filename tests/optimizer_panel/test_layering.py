"""Overlapping trajectories stay legible: no optimizer is drawn in the start points' white, earlier ones are
drawn wider, each marks where it was every k steps and ends on its symbol; titles count in the right number."""
from types import SimpleNamespace

import numpy as np
import pytest

from engines.wording import counted
from workbench.panels.optimizer.layering import mark_every, mark_indices


def _view(qtbot, configs: int, starts: int = 1, steps: int = 500):
    from workbench.panels.optimizer.surface_view import SurfaceView

    view = SurfaceView()
    qtbot.addWidget(view)
    rng = np.random.default_rng(0)
    positions = rng.normal(size=(configs, starts, steps + 1, 2))
    view.set_starts(positions[0, :, 0])
    view.set_trajectories(positions, rng.random((configs, starts, steps + 1)), np.arange(steps + 1),
                          [f"opt{i}" for i in range(configs)])
    return view, positions


def test_no_trajectory_colour_is_the_start_markers_colour(qtbot):
    from workbench.panels.optimizer.style import PALETTE

    view, _ = _view(qtbot, len(PALETTE))
    start = view.starts.opts["brush"].color().name()
    drawn = {c.opts["pen"].color().name() for c in view._curves} | {h.opts["brush"].color().name() for h in view._heads}
    assert len(drawn) == len(PALETTE) and start not in drawn


def test_earlier_optimizers_are_drawn_wider_and_under_later_ones(qtbot):
    view, _ = _view(qtbot, 3)
    widths = [c.opts["pen"].widthF() for c in view._curves]
    assert widths[0] > widths[1] > widths[2] >= 2
    z = [c.zValue() for c in view._curves]
    assert z == sorted(z) and len(set(z)) == 3
    many, _ = _view(qtbot, 3, starts=40, steps=20)  # thousands of paths: one pixel, no marks
    assert {c.opts["pen"].widthF() for c in many._curves} == {1.0}
    assert all(len(m.data) == 0 for m in many._marks)


def test_marks_sit_at_every_kth_step_up_to_the_shown_one(qtbot):
    view, positions = _view(qtbot, 2, starts=2)
    view.show_index(500)
    assert view.every == 50
    texts = [label.text for _, label in view.legend.items]
    assert texts[-1] == "marks every 50 steps"
    for c, marks in enumerate(view._marks):
        got = np.column_stack(marks.getData())
        np.testing.assert_allclose(got, positions[c][:, 50::50].reshape(-1, 2))
        assert view._marks[c].opts["symbol"] != view._marks[1 - c].opts["symbol"]
        np.testing.assert_allclose(np.column_stack(view._heads[c].getData()), positions[c, :, -1])
    view.show_index(120)
    np.testing.assert_allclose(np.column_stack(view._marks[0].getData()), positions[0][:, [50, 100]].reshape(-1, 2))
    view.legend.items[0][0].item.setVisible(False)  # what a click on the legend entry does
    assert not view._curves[0].isVisible() and not view._marks[0].isVisible() and not view._heads[0].isVisible()
    assert view._curves[1].isVisible() and view._marks[1].isVisible()


@pytest.mark.parametrize("last, every", [(5, 1), (40, 5), (500, 50), (1000, 100), (3000, 500), (250, 50)])
def test_mark_interval_is_round_and_gives_about_ten_marks(last, every):
    assert mark_every(last) == every
    assert 3 <= last // every <= 10 or last <= 10


def test_marks_of_a_thinned_recording_land_on_the_next_recorded_step():
    steps = np.array([0, 3, 7, 12, 20, 31])
    assert mark_indices(steps, 10).tolist() == [3, 4, 5]  # steps 12, 20, 31 for 10, 20, 30


def test_counted_nouns_and_the_run_title():
    from cli.run_optimizer import snapshot_title

    assert counted(1, "start") == "1 start" and counted(2, "start") == "2 starts"
    assert counted(1000, "step") == "1,000 steps" and counted(0, "step") == "0 steps"

    def snapshot(optimizers, starts):
        return SimpleNamespace(labels=["o"] * optimizers, starts=np.zeros((starts, 2)),
                               result=SimpleNamespace(steps=np.arange(501)))

    assert snapshot_title(snapshot(2, 1)) == "2 optimizers × 1 start, 500 steps"
    assert snapshot_title(snapshot(1, 3)) == "1 optimizer × 3 starts, 500 steps"
