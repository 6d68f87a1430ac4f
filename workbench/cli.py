"""The ``workbench`` command: the GUI, the offscreen screenshot, and headless ``run PANEL`` jobs."""
from __future__ import annotations

import argparse
import importlib
import sys
import traceback
from pathlib import Path

from workbench import __version__

DEVICES = ("auto", "cpu", "cuda", "mps")


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT such as 1400x900, got {text!r}") from None
    if not (200 <= w <= 10000 and 200 <= h <= 10000):
        raise argparse.ArgumentTypeError(f"size {text} is out of range (200 to 10000 pixels each way)")
    return w, h


def _common(parser: argparse.ArgumentParser, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument("--device", choices=DEVICES, default=default,
                        help="compute device (default: the saved setting, else CUDA, then MPS, then CPU)")
    parser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS if suppress else False,
                        help="show tracebacks and log at debug level")


def build_parser() -> argparse.ArgumentParser:
    from workbench.panels import panel_modules

    modules = panel_modules()
    names = [m.INFO.name for m in modules]
    parser = argparse.ArgumentParser(
        prog="workbench",
        description="Workbench: see optimizers, latent spaces, diffusion sampling and unsupervised segmentation at work.",
        epilog="With no command, opens the window. Panels: " + ", ".join(f"{m.INFO.name} ({m.INFO.title})" for m in modules),
    )
    parser.add_argument("--version", action="version", version=f"workbench {__version__}")
    _common(parser, suppress=False)
    parser.add_argument("--screenshot", metavar="OUT.png", type=Path,
                        help="build the window offscreen with built-in defaults, let the panel finish its first job, save the picture and exit")
    parser.add_argument("--panel", choices=names, help="the panel to show (with --screenshot)")
    parser.add_argument("--size", type=_size, default=(1400, 900), metavar="WxH", help="window size for --screenshot (default 1400x900)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    run = commands.add_parser("run", help="run a panel's work headless and write figures, data and a sidecar into --out DIR",
                              description="Run a panel's work headless.")
    panels = run.add_subparsers(dest="panel_name", metavar="PANEL", required=True)
    clis = {module.INFO.name: importlib.import_module(module.__name__ + ".cli") for module in modules}
    for module in modules:
        cli = clis[module.INFO.name]
        # a panel's cli may offer several commands: RUN_COMMANDS = {name: (add_arguments, run, help)}
        entries = getattr(cli, "RUN_COMMANDS", None) or {module.INFO.name: (cli.add_arguments, cli.run, module.INFO.title)}
        for name, (add_arguments, handler, title) in entries.items():
            sub = panels.add_parser(name, help=title, description=cli.__doc__,
                                    formatter_class=argparse.RawDescriptionHelpFormatter)
            add_arguments(sub)
            _common(sub, suppress=True)
            sub.set_defaults(handler=handler)
    trainable = [m for m in modules if hasattr(clis[m.INFO.name], "add_train_arguments")]
    if trainable:
        train = commands.add_parser("train", help="train a panel's model headless and save a checkpoint",
                                    description="Train a model headless and save it as safetensors + JSON config.")
        models = train.add_subparsers(dest="train_name", metavar="PANEL", required=True)
        for module in trainable:
            cli = clis[module.INFO.name]
            sub = models.add_parser(module.INFO.name, help=module.INFO.title, description=cli.train.__doc__,
                                    formatter_class=argparse.RawDescriptionHelpFormatter)
            cli.add_train_arguments(sub)
            _common(sub, suppress=True)
            sub.set_defaults(handler=cli.train)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from workbench.logs import setup_logging

    setup_logging(args.debug)
    try:
        if args.command in ("run", "train"):
            return int(args.handler(args) or 0)
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

        if args.debug:
            traceback.print_exc()
        message = str(exc) if isinstance(exc, InputError) else f"{type(exc).__name__}: {exc}"
        print(f"workbench: error: {message}", file=sys.stderr)
        if not args.debug and not isinstance(exc, InputError):
            print("workbench: run with --debug for the traceback", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
