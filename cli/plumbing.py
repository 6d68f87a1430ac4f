"""What every command shares: the output folder, the progress printer, running a task, the common options."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, Callable

from cli.parser import allow_dash_values
from cli.progress import ProgressPrinter
from engines.catalogue import Option
from engines.device import CHOICES as DEVICES
from engines.errors import InputError


def output_folder(out: Path) -> Path:
    """``out`` created if needed; InputError naming the folder when it cannot be. The versions its
    sidecar will list are looked up meanwhile."""
    from engines.export.sidecar import prefetch_versions
    from engines.export.staging import create_folder

    prefetch_versions()
    return create_folder(out)


def run_task(fn: Callable[..., Any], *args: Any, process: bool = False, **kwargs: Any) -> Any:
    """Run a task's job with a progress printer, through the runner the GUI uses too."""
    from tasks.runner import run

    printer = ProgressPrinter()
    try:
        return run(fn, *args, process=process, on_progress=printer, **kwargs)
    finally:
        printer.close()


def device_of(args: argparse.Namespace, default: str = "auto") -> str:
    """The --device preference of a command (resolved inside the task, off the main thread)."""
    return getattr(args, "device", None) or default


def add_common(parser: argparse.ArgumentParser, suppress: bool) -> None:
    """--device and --debug, on the top-level parser and (suppressed defaults) on every command."""
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument("--device", choices=tuple(DEVICES), default=default,
                        help="compute device (default: the saved setting, else CUDA, then MPS, then CPU)")
    parser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS if suppress else False,
                        help="show tracebacks and log at debug level")


def add_out(parser: argparse.ArgumentParser, what: str = "DIR", help: str = "output folder (created if needed)") -> None:
    parser.add_argument("--out", type=out_path, required=True, metavar=what, help=help)


def out_path(text: str) -> Path:
    """An argparse ``type`` for --out: a path, not an empty word (which would mean the current folder)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("expected a folder or file name, got an empty one (write . for the current folder)")
    return Path(text)


class Append(argparse.Action):
    """argparse's ``append`` without copying the list at every occurrence (which makes 20,000 ``--start``
    options take quadratic time): the default is copied once, then appended to in place."""

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        items = getattr(namespace, self.dest, None)
        if items is None or items is self.default:
            items = list(items or ())
            setattr(namespace, self.dest, items)
        items.append(values)


def option_type(option: Option) -> Callable[[str], Any]:
    """An argparse ``type`` that parses and validates with ``option`` (its refusal names the range)."""

    def parse(text: str) -> Any:
        try:
            return option.parse(text)
        except InputError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    parse.__name__ = option.name  # argparse names the type in some messages
    return parse


def add_option(parser: argparse.ArgumentParser, option: Option, flag: str | None = None, **overrides: Any) -> None:
    """``--name`` for a catalogue option: its type, default, range and help (a boolean becomes
    ``--name/--no-name``)."""
    flag = flag or "--" + option.name.replace("_", "-")
    default = overrides.pop("default", option.default)
    shown = option.none_label or None if default is None else default
    extra = f"default {_show(shown)}" if shown is not None else ""
    if option.kind not in ("bool", "choice", "text"):
        extra += ("; " if extra else "") + option.range_text
    text = option.help or option.label
    help_text = f"{text} ({extra})" if extra else text
    if option.kind == "bool":
        parser.add_argument(flag, dest=option.name, action=argparse.BooleanOptionalAction, default=default,
                            help=help_text, **overrides)
        return
    kwargs: dict[str, Any] = {"dest": option.name, "default": default, "help": help_text}
    if option.kind == "choice":
        kwargs["choices"] = option.choices
    else:
        kwargs["type"] = option_type(option)
        kwargs["metavar"] = option.name.upper()
    kwargs.update(overrides)
    parser.add_argument(flag, **kwargs)
    if option.kind in ("int", "float") and (option.minimum is None or option.minimum < 0):
        allow_dash_values(parser, flag)  # -1e-3 as well as -0.5


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return f"{value:g}" if isinstance(value, float) else str(value)
