"""Write the manifest of an exported PyTorch program (MODEL.json beside MODEL.pt2), so that
``workbench run latent|diffusion --checkpoint MODEL.pt2`` and the window know what the program is.
The program is then opened (safely: nothing in it runs) and run once on the manifest's shapes.

examples:
  workbench manifest decoder.pt2 --role latent --latent-size 8 --data-shape 1,8,8 --encoder encoder.pt2
  workbench manifest denoiser.pt2 --role diffusion --data-shape 2 --objective ddpm --prediction eps
  workbench manifest classifier.pt2 --role landscape --data-shape 4 --loss cross_entropy --dataset data.npz
"""
from __future__ import annotations

import argparse
from pathlib import Path

from cli.plumbing import add_option

VERB, NAME = "manifest", None
HELP = "write the JSON manifest that says what an exported .pt2 program is"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from engines.exported import catalogue as C

    parser.add_argument("program", type=Path, metavar="MODEL.pt2", help="a program written by torch.export.save")
    add_option(parser, C.ROLE, default=None, required=True)
    for option in C.OPTIONS:
        add_option(parser, option, default=None)


def run(args: argparse.Namespace) -> int:
    from engines.exported import catalogue as C
    from engines.exported.manifest import write_manifest

    given = {o.name: getattr(args, o.name) for o in C.OPTIONS if getattr(args, o.name) is not None}
    taken = {o.name for o in C.KEYS[args.role]}
    foreign = sorted(set(given) - taken)
    if foreign:
        from engines.errors import InputError

        raise InputError(f"--{foreign[0].replace('_', '-')} does not go with --role {args.role}; it takes "
                         f"{', '.join('--' + n.replace('_', '-') for n in sorted(taken))}")
    path = write_manifest(args.program, args.role, given, lambda staged: _check(staged, args.role))
    print(f"wrote {path}: {args.program.name} opened and ran once on its shapes")
    return 0


def _check(path: Path, role: str) -> None:
    """Open the program the manifest describes and run it once, as its panel will."""
    if role == "latent":
        from engines.latent.checkpoint import load_checkpoint

        load_checkpoint(path)
    elif role == "diffusion":
        from engines.diffusion.checkpoint import load

        load(path)
    else:
        from engines.landscape.formats import open_network
        from tasks.landscape import registry

        open_network(registry(), path)
