"""The segmentation catalogue is the one source of the settings: the engine's defaults, the command
line's options and the panel's controls read it; class units have a notation of their own."""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from engines.errors import InputError
from engines.segment import catalogue as cat
from engines.segment.counting import count_units
from engines.segment.lexicon import Lexicon, text_to_units, units_to_text, word_class, written_form
from engines.segment.params import SegmentParams
from engines.segment.units import ALNUM, NUM, OFFSET, encode

ROOT = Path(__file__).parents[2]


def test_the_catalogue_loads_no_torch():
    code = "import sys, engines.segment.catalogue, engines.segment.params; print('torch' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.strip() == "False"


def test_params_defaults_are_the_catalogue_defaults():
    params = SegmentParams()
    values = params.values()
    assert set(values) == {o.name for o in cat.PARAMETERS}
    for option in cat.PARAMETERS:
        assert values[option.name] == option.default, option.name
    assert params.thresholds == (0.0, 0.8, 4.5, 7.0)  # what the sidecar records
    assert params.threshold(5) == pytest.approx(7.0 + cat.THRESHOLD_STEP)
    assert params.effective_n() == 4 and SegmentParams(method="pmi").effective_n() == 2


def test_params_refuse_values_out_of_range_naming_the_option():
    with pytest.raises(InputError, match="min_count must be at least 1, got 0"):
        SegmentParams(min_count=0)
    with pytest.raises(InputError, match="threshold_3 must be between 1 and 9, got 0.5"):
        SegmentParams(thresholds=(0.0, 0.8, 0.5, 7.0))
    with pytest.raises(InputError, match="method must be one of ngram, pmi"):
        SegmentParams(method="bpe")
    with pytest.raises(InputError, match="5-gram threshold"):
        SegmentParams(thresholds=(0.0, 0.8, 4.5, 7.0, 30.0))


def test_with_values_sets_thresholds_by_name():
    params = SegmentParams().with_values({"threshold_3": 5.0, "word_bonus": 2.0, "names": False})
    assert params.thresholds == (0.0, 0.8, 5.0, 7.0) and params.word_bonus == 2.0 and params.names is False
    short = SegmentParams(thresholds=(0.0, 1.0)).with_values({"threshold_4": 8.0})
    assert short.thresholds == (0.0, 1.0, 1.0 + cat.THRESHOLD_STEP, 8.0)
    with pytest.raises(KeyError):
        SegmentParams().with_values({"bonus": 1.0})


def test_command_line_options_come_from_the_catalogue():
    from cli import build_parser

    parser = build_parser()
    args = parser.parse_args(["run", "segment", "--corpus", "reviews", "--out", "x"])
    for option in cat.PARAMETERS:
        if option.name not in {o.name for o in cat.THRESHOLDS}:
            assert getattr(args, option.name) == option.default, option.name
    assert args.thresholds == SegmentParams().thresholds
    args = parser.parse_args(["run", "segment", "--corpus", "reviews", "--out", "x", "--pair-threshold", "off",
                              "--redundancy", "1.5", "--thresholds", "1,5", "--no-names"])
    assert args.pair_threshold is None and args.redundancy == 1.5 and args.names is False
    assert args.thresholds == (0.0, 1.0, 5.0)


@pytest.mark.parametrize("argv, words", [
    (["--min-count", "0"], "min_count must be at least 1, got 0"),
    (["--thresholds", "0.8,0.5"], "threshold_3 must be between 1 and 9"),
    (["--word-bonus", "9"], "word_bonus must be between 0 and 8"),
    (["--method", "bpe"], "invalid choice"),
])
def test_command_line_refusals_name_the_option_and_its_range(argv, words, capsys):
    from cli import build_parser

    with pytest.raises(SystemExit):
        build_parser().parse_args(["run", "segment", "--corpus", "reviews", "--out", "x", *argv])
    assert words in capsys.readouterr().err


def test_help_documents_the_class_notation(capsys):
    from cli import main

    with pytest.raises(SystemExit):
        main(["run", "segment", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert cat.CLASS_NOTATION in text
    for unit in cat.CLASS_UNITS:
        assert f"{unit.symbol}: {unit.description}" in text


def test_class_units_are_written_in_their_notation():
    text = "１９９８年，ＣＤＭＡ手机，中国"
    units = encode(text).units
    rows = np.array([[NUM, ord("年") + OFFSET], [ALNUM, ord("手") + OFFSET],
                     [ord("中") + OFFSET, ord("国") + OFFSET]])
    words = units_to_text(rows)
    assert [written_form(w) for w in words] == ["#年", "@手", "中国"]
    assert [word_class(w) for w in words] == ["number", "latin", ""]
    assert word_class(units_to_text(np.array([[NUM, ord("年") + OFFSET, ALNUM]]))[0]) == "number+latin"
    back, lens = text_to_units(words)
    assert np.array_equal(back, rows) and lens.tolist() == [2, 2, 2]
    table = count_units(units, 2)
    lexicon = Lexicon(np.array([1, 2, 3]), np.array([5, 3, 4]), np.array([2, 2, 2]), list(words),
                      np.array([1.0, 2.0, 3.0]), table)
    rows_shown = lexicon.rows(reference={"中国"})
    assert [(r.word, r.unit_class, r.count) for r in rows_shown] == [("#年", "number", 5), ("中国", "", 4),
                                                                    ("@手", "latin", 3)]
    assert all(r.length == len(r.word) == 2 for r in rows_shown)  # the length counts what is written
    assert not any(r.new for r in rows_shown)  # class words are never "new"; 中国 is in the reference


def test_builtin_corpora_resolve_from_the_catalogue():
    from engines.segment.corpus import builtin_paths, resolve

    for corpus in cat.CORPORA:
        source = resolve(corpus.name)
        assert source.name == corpus.title and source.gold_format == corpus.gold_format
        assert source.paths == builtin_paths(corpus.name) and all(p.exists() for p in source.paths)
    assert cat.GOLD_CORPORA == ("peoples-daily",)


def test_the_name_split_help_says_what_happens_on_the_built_in_corpus():
    from engines.segment.catalogue import NAMES
    from tasks.runner import run
    from tasks.segmentation import SegmentRequest, discover_job

    assert "朱镕基 becomes 朱 镕基" in NAMES.help and "江泽民 stays whole" in NAMES.help
    words = {row.word for row in run(discover_job, SegmentRequest("peoples-daily"), display_lines=0).rows}
    assert "朱镕基" not in words and "镕基" in words and "江泽民" in words
