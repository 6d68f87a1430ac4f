"""The ``workbench`` command: the window, the offscreen screenshot, and the headless commands.

One module per command (``cli/run_optimizer.py``, ``cli/train_latent.py``, ...), each a thin client of the
application layer (:mod:`tasks`): it declares its options (generated from the engines' catalogues where
they exist), runs the task's job through :func:`cli.plumbing.run_task` and writes its outputs.
"""
from __future__ import annotations

import argparse
import sys
import traceback
from collections import Counter
from pathlib import Path

from tasks import __version__


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT such as 1400x900, got {text!r}") from None
    if not (200 <= w <= 10000 and 200 <= h <= 10000):
        raise argparse.ArgumentTypeError(f"size {text} is out of range (200 to 10000 pixels each way)")
    return w, h


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or with ``argv`` naming one, of that command alone (see
    :func:`cli.commands.command_modules`)."""
    from cli.commands import command_modules
    from cli.parser import Parser
    from cli.plumbing import add_common
    from workbench.panels import panel_infos

    infos = panel_infos()
    parser = Parser(
        prog="workbench",
        description="Workbench: see optimizers, latent spaces, diffusion sampling and unsupervised segmentation at work.",
        epilog="With no command, opens the window. Panels: " + ", ".join(f"{i.name} ({i.title})" for i in infos),
    )
    parser.add_argument("--version", action="version", version=f"workbench {__version__}")
    add_common(parser, suppress=False)
    parser.add_argument("--screenshot", metavar="OUT.png", type=Path,
                        help="build the window offscreen with built-in defaults, let the panel finish its first job, save the picture and exit")
    parser.add_argument("--panel", choices=[i.name for i in infos], help="the panel to show (with --screenshot)")
    parser.add_argument("--size", type=_size, default=(1400, 900), metavar="WxH", help="window size for --screenshot (default 1400x900)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    verbs = {
        "run": commands.add_parser("run", help="run a workflow headless and write figures, data and a sidecar into --out DIR",
                                   description="Run a workflow headless."),
        "train": commands.add_parser("train", help="train a model headless and save a checkpoint",
                                     description="Train a model headless and save it as safetensors + JSON config."),
    }
    groups = {verb: sub.add_subparsers(dest=f"{verb}_name", metavar="NAME", required=True) for verb, sub in verbs.items()}
    for module in command_modules(argv):
        group, name = (commands, module.VERB) if module.NAME is None else (groups[module.VERB], module.NAME)
        sub = group.add_parser(name, help=module.HELP, description=module.__doc__,
                               formatter_class=argparse.RawDescriptionHelpFormatter)
        module.add_arguments(sub)
        add_common(sub, suppress=True)
        sub.set_defaults(handler=module.run)
    return parser


MAX_REPEATS = 1000  # occurrences of one option: argparse's time grows with their square


def _check_repeats(parser: argparse.ArgumentParser, argv: list[str]) -> None:
    """A parser error before parsing when one option occurs more than :data:`MAX_REPEATS` times."""
    counts = Counter(arg.partition("=")[0] for arg in argv if arg.startswith("--"))
    for name, count in counts.items():
        if count > MAX_REPEATS:
            parser.error(f"{name} is given {count:,} times, at most {MAX_REPEATS:,}: give several values in one "
                         "where the option takes a list (--start X,Y;X,Y;...)")


def exit_now(code: int) -> None:
    """Flush the log handlers and the standard streams and end the process without the interpreter's
    teardown (torch's alone takes 0.3 to 0.8 s): a finished command has written and closed its outputs."""
    import logging
    import os

    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    """The ``workbench`` command on ``argv`` (None: the command line, and a headless command that finishes
    ends the process at once, through :func:`exit_now`)."""
    words = sys.argv[1:] if argv is None else argv
    parser = build_parser(words)
    _check_repeats(parser, words)
    args = parser.parse_args(argv)
    from workbench.logs import setup_logging

    setup_logging(args.debug)
    try:
        if getattr(args, "handler", None) is not None:
            code = int(args.handler(args) or 0)
            if argv is None:
                exit_now(code)
            return code
        if args.screenshot is not None:
            from workbench.app import take_screenshot

            return take_screenshot(args.screenshot, args.panel, args.size, args.device)
        if args.panel is not None:
            parser.error("--panel goes with --screenshot")
        from workbench.app import platform_problem, run_gui

        problem = platform_problem()
        if problem:
            print(f"workbench: {problem}", file=sys.stderr)
            return 1
        return run_gui(args.device)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - one line for the user, the traceback with --debug
        from engines.errors import InputError
        from tasks.runner import JobFailed

        if args.debug:
            traceback.print_exc()
            if isinstance(exc, JobFailed):
                print(exc.error.details, file=sys.stderr)
        message = str(exc) if isinstance(exc, (InputError, JobFailed)) else f"{type(exc).__name__}: {exc}"
        print(f"workbench: error: {message}", file=sys.stderr)
        if not args.debug and not isinstance(exc, InputError):
            print("workbench: run with --debug for the traceback", file=sys.stderr)
        return 1
