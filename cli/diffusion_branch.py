"""The branch options of ``workbench run diffusion`` (--branch-at K --branch-sampler NAME [--branch-nfe N]
[--branch-eta E] [--branch-guidance W] [--branch-of NAME]) and what they add to its metrics and sidecar
(tasks.diffusion_branch)."""
from __future__ import annotations

import argparse
from typing import Any, Optional

from cli.plumbing import add_option
from tasks.diffusion_branch import BRANCH_AT, BRANCH_ETA, BRANCH_GUIDANCE, BRANCH_NFE

EPILOG = """BRANCH (rewind and continue one run with another sampler):
  --branch-at K --branch-sampler SAMPLER continues the run of --branch-of (default: the first --sampler) from
  its model call K with SAMPLER, on SAMPLER's grid restricted to σ ≤ σ_K, spending at most --branch-nfe calls
  (default: the calls the run had left). The branch is added to every output after the samplers, named
  branch_<of>_<K>_<sampler>; its frames are the whole branched path (the run's first K−1 calls, then its own).
  With --class C --guidance W, --branch-guidance W2 continues at another guidance scale towards class C.
  workbench run diffusion --mixture eight_gaussians --sampler ddim --nfe 20 --branch-at 8 --branch-sampler heun --branch-nfe 9 --out out/
  workbench run diffusion --mixture eight_gaussians_4_classes --class 1 --guidance 3 --sampler ddim --branch-at 8 --branch-sampler ddim --branch-guidance 0 --out out/"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_option(parser, BRANCH_AT, metavar="K")
    parser.add_argument("--branch-sampler", metavar="SAMPLER",
                        help="the sampler the branch continues with, NAME[:KEY=VALUE,...] (needed with --branch-at)")
    add_option(parser, BRANCH_NFE, metavar="N")
    add_option(parser, BRANCH_ETA, metavar="E")
    add_option(parser, BRANCH_GUIDANCE, metavar="W")
    parser.add_argument("--branch-of", metavar="NAME", help="the --sampler whose run is branched (default: the first)")


def branch_request(args: argparse.Namespace, request) -> Optional[Any]:
    """The BranchRequest the options ask for, checked against the sampling ``request`` (None: no branch)."""
    from engines.diffusion.catalogue import parse_sampler
    from engines.errors import InputError
    from tasks.diffusion_branch import BranchRequest

    given = [flag for flag, value in (("--branch-sampler", args.branch_sampler), ("--branch-nfe", args.branch_nfe),
                                      ("--branch-eta", args.branch_eta), ("--branch-guidance", args.branch_guidance),
                                      ("--branch-of", args.branch_of)) if value is not None]
    if args.branch_at is None:
        if given:
            raise InputError(f"{', '.join(given)} {'needs' if len(given) == 1 else 'need'} --branch-at K "
                             "(the model call to branch from)")
        return None
    if args.branch_sampler is None:
        raise InputError("--branch-at needs --branch-sampler NAME (the sampler the branch continues with)")
    if args.branch_guidance is not None and getattr(args, "class") is None:
        raise InputError("--branch-guidance needs --class (the class the run and its branch are guided towards)")
    branch = BranchRequest(args.branch_at, parse_sampler(args.branch_sampler), args.branch_nfe,
                           args.branch_of, args.branch_guidance).with_eta(args.branch_eta)
    branch.check(request)
    return branch


def with_branches(body: dict[str, Any], outcome) -> dict[str, Any]:
    """metrics.json's body with each branch's parent, call and σ added to its entry."""
    from engines.diffusion.branch import BranchRun
    from tasks.diffusion_branch import branch_summary

    for entry, run in zip(body["samplers"], outcome.result.runs):
        if isinstance(run, BranchRun):
            entry.update(branch_summary(run))
    return body


def parameters(branch) -> dict[str, Any]:
    """The sidecar's parameters of the branch (none without one)."""
    if branch is None:
        return {}
    guided = {} if branch.guidance is None else {"guidance": branch.guidance}
    return {"branch": {"at": branch.call, "sampler": list(branch.sampler), "nfe": branch.nfe, "of": branch.of, **guided}}
