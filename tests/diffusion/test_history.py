"""A training run's loss curve as a checkpoint keeps it: window means, read back checked."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from engines.diffusion.history import POINTS, read_history, summarise
from engines.errors import InputError


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0.01, 10.0), min_size=1, max_size=2000))
def test_window_means_round_trip_through_the_config(losses):
    history = summarise(np.asarray(losses))
    assert len(history.mean) <= POINTS and history.steps == len(losses)
    assert history.step[-1] == len(losses)
    every = history.every
    np.testing.assert_allclose(history.mean[0], np.mean(losses[:every]))
    np.testing.assert_allclose(history.mean[-1], np.mean(losses[every * (len(history.mean) - 1):]))
    back = read_history({"loss_history": history.to_json()}, "x.json")
    np.testing.assert_allclose(back.mean, history.mean, rtol=1e-5)
    assert (back.every, back.steps) == (history.every, history.steps)


def test_no_history_is_none():
    assert read_history({"steps": 3}, "x.json") is None and read_history(None, "x.json") is None


@pytest.mark.parametrize("bad", [
    {"every": 0, "steps": 3, "mean": [1.0, 2.0, 3.0]},
    {"every": 1, "steps": 3, "mean": [1.0, 2.0]},
    {"every": 1, "steps": 2, "mean": [1.0, float("nan")]},
    {"every": 1, "steps": 1, "mean": ["a"]},
    {"every": 1, "steps": 10**6, "mean": [1.0] * 10**3},
    [1.0, 2.0],
])
def test_a_malformed_history_is_refused_naming_the_field(bad):
    with pytest.raises(InputError, match="x.json.*loss_history"):
        read_history({"loss_history": bad}, "x.json")
