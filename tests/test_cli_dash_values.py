"""Option values that begin with '-' are read without '=': ``--start -1.5,2``, ``--expr -x**2``,
``--thresholds -0.5,4.5,7``, ``--pair-threshold -1e-1``; options are still detected as options."""
import pytest
from hypothesis import given, settings, strategies as st

import cli

PARSER = cli.build_parser()
OPTIMIZER = ["run", "optimizer", "--out", "o"]

coordinate = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
negative = st.floats(min_value=-1e6, max_value=-1e-300, allow_nan=False)


def _errors(argv, capsys) -> str:
    with pytest.raises(SystemExit):
        PARSER.parse_args(argv)
    return capsys.readouterr().err


@settings(max_examples=40, deadline=None)
@given(x=negative, y=coordinate, more=st.lists(st.tuples(coordinate, coordinate), max_size=3))
def test_a_start_with_a_negative_x_is_read_after_a_space(x, y, more):
    points = [(x, y), *more]
    text = ";".join(f"{a!r},{b!r}" for a, b in points)
    args = PARSER.parse_args([*OPTIMIZER, "--start", text, "--start", f"{y!r},{x!r}", "--steps", "3"])
    assert args.start == [points, [(y, x)]]
    assert args.steps == 3


def test_other_options_whose_values_may_begin_with_a_dash():
    assert PARSER.parse_args([*OPTIMIZER, "--expr", "-x**2 + y**2"]).expr == "-x**2 + y**2"
    segment = PARSER.parse_args(["run", "segment", "--corpus", "c.txt", "--out", "o", "--thresholds", "-0.5,4.5,7",
                                 "--pair-threshold", "-1e-1"])
    assert segment.thresholds == (0.0, -0.5, 4.5, 7.0)
    assert segment.pair_threshold == pytest.approx(-0.1)


def test_options_are_still_options(capsys):
    assert "argument --start: expected one argument" in _errors([*OPTIMIZER, "--start", "--steps", "5"], capsys)
    assert "argument --start: expected one argument" in _errors([*OPTIMIZER, "--start", "-h"], capsys)
    # a declared option's dash value that is not a point is refused by the option's own parser
    assert "expected X,Y such as -1.5,2" in _errors([*OPTIMIZER, "--start", "-x"], capsys)
    # an option not declared keeps argparse's rule: a negative number is a value, checked against the range
    assert "steps must be between 1 and" in _errors([*OPTIMIZER, "--steps", "-5"], capsys)
    assert "unrecognized arguments: -q" in _errors([*OPTIMIZER, "--steps", "5", "-q"], capsys)
