"""Rewind and branch (the application layer of :mod:`engines.diffusion.branch`): continue one run of a
comparison from any of its model calls with another sampler, NFE budget, η or guidance scale, for the
diffusion panel's "Branch from here…" and ``workbench run diffusion --branch-at K --branch-sampler NAME``
(with ``--class C --guidance W``, ``--branch-guidance W2``).

Importing this module loads no torch.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Optional

from engines.catalogue import Option
from engines.diffusion.catalogue import ETA, SAMPLERS
from engines.errors import InputError
from tasks.diffusion import NFE, SampleOutcome, SampleRequest, SamplerSpec, sample_job
from tasks.diffusion_guidance import CLASS, GUIDANCE, branch_source, guided_sample_job

if TYPE_CHECKING:
    from engines.diffusion.branch import BranchRun

BRANCH_AT = Option("branch_at", "Branch at call", "int", None, 1, NFE.maximum, none_label="no branch",
                   help="the model call of the branched run to continue from (1 = the first; at most the run's calls)")
BRANCH_NFE = Option("branch_nfe", "Branch NFE", "int", None, 1, NFE.maximum, none_label="the calls the run had left",
                    help="model calls the branch may spend from its call on (the adaptive pf_ode: its own)")
ETA_SAMPLERS = tuple(s.name for s in SAMPLERS if ETA in s.options)
BRANCH_ETA = replace(ETA, name="branch_eta", default=None, none_label="the sampler's",
                     help=f"the branch sampler's η ({', '.join(ETA_SAMPLERS)}: 0 deterministic, 1 the DDPM posterior)")
BRANCH_GUIDANCE = replace(GUIDANCE, name="branch_guidance", none_label="the run's",
                          help="the guidance scale w the branch continues with, towards the run's class (needs --class)")


@dataclass
class BranchRequest:
    """Continue the run of sampler ``of`` (None: the first of the comparison) from its model call ``call``
    (1-based) with ``sampler``, spending at most ``nfe`` calls (None: the calls the run had left), on the
    model guided towards class ``label`` at scale ``guidance`` (both None: the run's model; one None: the
    guided run's own)."""

    call: int
    sampler: SamplerSpec
    nfe: Optional[int] = None
    of: Optional[str] = None
    guidance: Optional[float] = None
    label: Optional[int] = None

    def with_eta(self, eta: Optional[float]) -> "BranchRequest":
        """This request with the branch sampler's η set (refused for a sampler without η)."""
        if eta is None:
            return self
        name, settings = self.sampler
        if name not in ETA_SAMPLERS:
            raise InputError(f"branch_eta applies to the samplers with η ({', '.join(ETA_SAMPLERS)}), not to {name}")
        return replace(self, sampler=(name, {**settings, "eta": BRANCH_ETA.validate(eta)}))

    def parent(self, samplers: list[SamplerSpec]) -> SamplerSpec:
        """The branched sampler among a comparison's ``samplers``."""
        names = [name for name, _ in samplers]
        of = self.of or names[0]
        if of not in names:
            raise InputError(f"the branched sampler must be one of the run's samplers ({', '.join(names)}), got {of!r}")
        return samplers[names.index(of)]

    def check(self, request: SampleRequest) -> None:
        """InputError unless the call lies within the branched sampler's calls at the request's NFE (as its
        grid spends them on a model with EDM's σ range and a 1000-step schedule; an adaptive solver: NFE)."""
        from engines.diffusion.models import Denoiser
        from engines.diffusion.samplers import make_plan

        name, settings = self.parent(request.samplers)
        calls = make_plan(name, Denoiser(), request.nfe, **settings).expected_calls or request.nfe
        BRANCH_AT.validate(self.call)
        if not 1 <= self.call <= calls:
            raise InputError(f"branch_at must be between 1 and {calls} ({SAMPLERS[name].label} makes {calls} model "
                             f"calls at NFE {request.nfe}), got {self.call}")
        BRANCH_NFE.validate(self.nfe)
        BRANCH_GUIDANCE.validate(self.guidance)
        CLASS.validate(self.label)
        SAMPLERS[self.sampler[0]].settings(self.sampler[1])


def branch_job(reporter, outcome: SampleOutcome, request: BranchRequest) -> "BranchRun":
    """Replay the branched run of ``outcome`` to the request's call and continue it with the request's
    sampler (progress: the replay, then the branch; Cancel checks before every model call)."""
    from engines.diffusion.branch import branch

    if outcome.request is None:
        raise InputError("this comparison does not say how it was sampled; sample it again to branch it")
    asked = outcome.request
    name, _ = request.parent(asked.samplers)
    parent = next(r for r in outcome.result.runs if r.name == name)
    new, settings = request.sampler
    nfe = request.nfe or max(1, parent.nfe - request.call + 1)
    reporter.progress(None, f"branching {parent.label} at call {request.call} into {SAMPLERS[new].label}, NFE {nfe}")
    source = outcome.source
    onto = source if request.guidance is None and request.label is None else \
        branch_source(source, request.label, request.guidance, asked.seed)
    run = branch(source.model, parent, request.call, new, settings, nfe, asked.samples, asked.seed,
                 onto.reference, source.kind, reporter.check, onto.model)
    reporter.progress(1.0, "branched")
    return run


def sample_and_branch_job(reporter, request: SampleRequest, branch_request: BranchRequest,
                          label: Optional[int] = None, scale: Optional[float] = None) -> SampleOutcome:
    """:func:`tasks.diffusion.sample_job` (with ``label``: guided towards it at ``scale``,
    :func:`tasks.diffusion_guidance.guided_sample_job`), then the branch added to its runs (after them)."""
    branch_request.check(request)
    outcome = sample_job(reporter, request) if label is None else guided_sample_job(reporter, request, label, scale)
    outcome.result.runs.append(branch_job(reporter, outcome, branch_request))
    return outcome


def branch_summary(run: "BranchRun") -> dict[str, Any]:
    """What metrics.json says of a branch besides a run's entries."""
    guided = {} if run.guidance is None else {"guidance": run.guidance, "class": run.guide_class}
    return {"branch_of": run.parent, "at_call": run.call, "sigma": run.sigma, **guided}
