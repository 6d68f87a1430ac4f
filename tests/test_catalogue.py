"""Catalogue options: parsing and validation name the option and its range; bad text never escapes as
anything but InputError; forms and argparse options are generated from the same schema."""
import argparse
import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engines.catalogue import Catalogue, Entry, Option, parse_settings, union_options
from engines.errors import InputError

ETA = Option("eta", "η", "float", 0.0, 0.0, 1.0, help="DDIM noise")
STEPS = Option("steps", "Steps", "int", 10, 1, 1000)
SPACING = Option("spacing", "Spacing", "choice", "trailing", choices=("trailing", "leading"))
LOUD = Option("loud", "Loud", "bool", False)
SIGMA = Option("sigma_min", "σ_min", "float", None, 0.0, 10.0, none_label="model's")
DDIM = Entry("ddim", "DDIM", "deterministic DDIM", (ETA, SPACING))
EULER = Entry("euler", "Euler", options=(SIGMA, STEPS))
SAMPLERS = Catalogue("sampler", (DDIM, EULER))


def test_parse_and_validate_within_range():
    assert ETA.parse(" 0.5") == 0.5
    assert STEPS.parse("12") == 12
    assert SPACING.parse("leading") == "leading"
    assert LOUD.parse("yes") is True and LOUD.parse("off") is False
    assert SIGMA.validate(None) is None


@pytest.mark.parametrize("option, text, words", [
    (ETA, "1.5", "eta must be between 0 and 1, got 1.5"),
    (ETA, "abc", "eta must be between 0 and 1, got 'abc'"),
    (STEPS, "2.5", "steps must be between 1 and 1000"),
    (STEPS, "0", "steps must be between 1 and 1000, got 0"),
    (SPACING, "middle", "spacing must be one of trailing, leading, got 'middle'"),
    (LOUD, "maybe", "loud must be true or false"),
    (ETA, "nan", "eta must be between 0 and 1"),
])
def test_refusals_name_the_option_and_its_range(option, text, words):
    with pytest.raises(InputError, match=words.replace("(", r"\(").replace(")", r"\)")):
        option.parse(text)


def test_an_int_option_refuses_fractions_and_bools():
    with pytest.raises(InputError, match="whole number"):
        STEPS.validate(2.5)
    with pytest.raises(InputError):
        STEPS.validate(True)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=40))
def test_any_text_is_a_valid_value_or_an_input_error(text):
    for option in (ETA, STEPS, SPACING, LOUD, SIGMA):
        try:
            value = option.parse(text)
        except InputError as exc:
            assert option.name in str(exc)
            continue
        assert option.validate(value) == value
        if option.kind in ("int", "float") and value is not None:
            assert option.minimum <= value <= option.maximum


def test_catalogue_lookup_and_refusal():
    assert SAMPLERS["ddim"] is DDIM and "euler" in SAMPLERS and SAMPLERS.names == ("ddim", "euler")
    with pytest.raises(InputError, match="unknown sampler 'heun'; choose one of ddim, euler"):
        SAMPLERS["heun"]
    with pytest.raises(ValueError, match="duplicate"):
        Catalogue("sampler", (DDIM, DDIM))


def test_settings_are_parsed_by_the_entry_options():
    assert parse_settings(DDIM, "eta=0.25, spacing=leading") == {"eta": 0.25, "spacing": "leading"}
    with pytest.raises(InputError, match="ddim has no setting rho; it takes eta, spacing"):
        parse_settings(DDIM, "rho=7")
    with pytest.raises(InputError, match="ddim eta must be between 0 and 1"):
        parse_settings(DDIM, "eta=2")
    with pytest.raises(InputError, match="should read KEY=VALUE"):
        parse_settings(DDIM, "eta")
    with pytest.raises(InputError, match="euler has no setting eta"):
        EULER.settings({"eta": 0.1})


def test_union_and_help_table():
    assert [o.name for o in union_options(SAMPLERS)] == ["eta", "spacing", "sigma_min", "steps"]
    table = SAMPLERS.help_table()
    assert "ddim" in table and "deterministic DDIM" in table and "eta=0 (between 0 and 1)" in table


def test_argparse_options_from_the_schema(capsys):
    from cli.plumbing import add_option

    parser = argparse.ArgumentParser(prog="t")
    for option in (ETA, STEPS, SPACING, LOUD, SIGMA):
        add_option(parser, option)
    args = parser.parse_args(["--eta", "0.3", "--no-loud", "--sigma-min", "0.01"])
    assert (args.eta, args.steps, args.spacing, args.loud, args.sigma_min) == (0.3, 10, "trailing", False, 0.01)
    assert parser.parse_args([]).sigma_min is None
    with pytest.raises(SystemExit):
        parser.parse_args(["--steps", "5000"])
    assert "steps must be between 1 and 1000, got 5000" in capsys.readouterr().err
    text = parser.format_help()
    assert "DDIM noise (default 0; between 0 and 1)" in text


def test_a_form_generated_from_options(qtbot):
    from workbench.widgets.option_form import OptionForm

    form = OptionForm(union_options(SAMPLERS))
    qtbot.addWidget(form)
    assert form.values() == {"eta": 0.0, "spacing": "trailing", "sigma_min": None, "steps": 10}
    changes = []
    form.changed.connect(lambda: changes.append(1))
    form.editors["eta"].setValue(0.4)
    form.set_values({"sigma_min": 0.05, "steps": 3})  # programmatic: no changed signal
    assert form.values(["eta", "sigma_min", "steps"]) == {"eta": 0.4, "sigma_min": 0.05, "steps": 3}
    assert changes == [1]
    assert form.editors["eta"].maximum() == 1.0 and "between 0 and 1" in form.editors["eta"].toolTip()
    form.show()
    form.show_only(["eta"])
    assert form.editors["eta"].isVisible() and not form.editors["steps"].isVisible()


def test_a_form_shows_choice_labels_and_reads_back_the_values(qtbot):
    from workbench.widgets.option_form import OptionForm

    labels = tuple("trailing (ends at the data)" if c == "trailing" else c.upper() for c in SPACING.choices)
    form = OptionForm([dataclasses.replace(SPACING, choice_labels=labels)])
    qtbot.addWidget(form)
    combo = form.editors["spacing"]
    assert [combo.itemText(i) for i in range(combo.count())] == list(labels)
    assert combo.currentText() == "trailing (ends at the data)" and form.values() == {"spacing": "trailing"}
    other = next(c for c in SPACING.choices if c != "trailing")
    form.set_values({"spacing": other})
    assert combo.currentText() == other.upper() and form.values() == {"spacing": other}
    form.set_values({"spacing": "no such spacing"})  # an unknown value leaves the choice as it was
    assert form.values() == {"spacing": other}


def test_choice_labels_name_every_choice():
    with pytest.raises(ValueError, match="2 choice labels for 3 choices"):
        Option("mode", "Mode", "choice", "a", choices=("a", "b", "c"), choice_labels=("A", "B"))
