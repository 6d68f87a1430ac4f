"""Every ``run``/``train`` command's --help states each option's default, and ``run optimizer --help`` lists
every optimizer, wrapper and surface with its defaults and ranges, as the README promises."""
import argparse
import re

import pytest

import cli
from engines.optim.catalogue import OPTIMIZERS, SURFACES, WRAPPERS, show

PARSER = cli.build_parser()
SHARED = {"help", "out", "device", "debug"}


def _choices(parser):
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices


COMMANDS = [(verb, name, sub) for verb in ("run", "train") for name, sub in _choices(_choices(PARSER)[verb]).items()]


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("verb,name,sub", COMMANDS, ids=[f"{v}-{n}" for v, n, _ in COMMANDS])
def test_each_option_with_a_default_says_it_in_help(verb, name, sub):
    for action in sub._actions:
        if not action.option_strings or action.dest in SHARED or action.required:
            continue
        if action.default in (None, False, [], argparse.SUPPRESS):
            continue  # nothing is assumed when the option is left out
        assert "default" in (action.help or ""), f"{verb} {name} {action.option_strings[0]} hides its default"


def test_each_command_has_its_own_description():
    descriptions = [sub.description for _, _, sub in COMMANDS]
    assert all(descriptions) and len(set(descriptions)) == len(descriptions)


def test_run_optimizer_help_lists_every_optimizer_wrapper_and_surface_with_defaults():
    text = _flat(_choices(_choices(PARSER)["run"])["optimizer"].format_help())
    for entry in (*OPTIMIZERS, *WRAPPERS):
        assert f"{entry.name} " in text and _flat(entry.describe_defaults()) in text, entry.name
    for surface in SURFACES:
        assert f"{surface.name} " in text
        for option in surface.options:
            assert f"{option.name}={show(option.default)}" in text, (surface.name, option.name)
    for flag, default in (("--steps", "default 500; between 1 and 1000000"), ("--noise", "default 0; between 0"),
                          ("--seed", "default 0; between 0 and 2147483647"), ("--surface", "default rosenbrock")):
        assert re.search(re.escape(flag) + r" \S+ .*?" + re.escape(default), text), flag
