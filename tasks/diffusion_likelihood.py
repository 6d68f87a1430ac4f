"""The likelihood workflow of the diffusion panel and ``workbench run diffusion --likelihood``: a model's
ELBO terms per timestep and its bits/dim by the ELBO and by the probability-flow ODE, on held-out rows;
and the table comparing DDPM's predictions (ε / x0 / v) and schedules (linear / cosine), each trained
briefly on the same data. Importing this module loads no torch."""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import product
from typing import TYPE_CHECKING, Any, Optional

from engines.catalogue import Option
from engines.diffusion.catalogue import PREDICTION, VP_SCHEDULES
from engines.diffusion.catalogue_likelihood import ODE_STEPS, PROBES, ROWS
from engines.errors import InputError

if TYPE_CHECKING:
    from engines.diffusion.likelihood import Likelihood
    from engines.diffusion.sources import Source

DIGIT_BIN = 2.0 / 16  # the 8×8 digits take the 17 values k/16, mapped to [−1, 1]
IMAGE_BIN = 2.0 / 255  # 8-bit images mapped to [−1, 1]
TABLE_STEPS = Option("table_steps", "Training steps", "int", 1500, 100, 100000,
                     help="training steps of each model of the ε / x0 / v × linear / cosine table")


def bin_width(source: "Source") -> Optional[float]:
    """The quantisation step of the source's data in model space (None for continuous points)."""
    if source.kind == "points":
        return None
    return DIGIT_BIN if source.description.get("dataset") == "digits" else IMAGE_BIN


@dataclass
class LikelihoodRequest:
    """The likelihood of ``source`` (a spec as :func:`tasks.diffusion.open_source` reads, or an open
    Source) on its first ``rows`` held-out rows."""

    source: Any = "bundled:moons"
    rows: int = ROWS.default
    probes: int = PROBES.default
    ode_steps: int = ODE_STEPS.default
    seed: int = 0
    device: str = "auto"

    def check(self) -> None:
        for option in (ROWS, PROBES, ODE_STEPS):
            option.validate(getattr(self, option.name))


@dataclass
class LikelihoodOutcome:
    source: "Source"
    likelihood: "Likelihood"
    request: LikelihoodRequest


def likelihood_job(reporter, request: LikelihoodRequest) -> LikelihoodOutcome:
    """Open the source (if a spec) and measure its likelihood both ways."""
    from engines.diffusion.likelihood import likelihood_job as measure
    from tasks.diffusion import open_source, source_parameters

    request.check()
    source = request.source
    if isinstance(source, str):
        from engines.device import pick_device

        reporter.progress(None, "loading the model")
        source = open_source(source, pick_device(request.device))
    if source.reference is None:
        raise InputError(f"{source.label} has no held-out data to measure its likelihood on")
    result = measure(reporter, source.model, source.reference, request.rows, request.probes, request.ode_steps,
                     bin_width(source), request.seed, source_parameters(source))
    return LikelihoodOutcome(source, result, request)


def summary(result: "Likelihood") -> str:
    """One line: bits/dim (discrete) or nats/dim (points) by the ELBO and by the ODE, with intervals."""
    unit, elbo, ode = (("bits/dim", result.elbo_bits, result.ode_bits) if result.discrete
                       else ("nats/dim", result.elbo_nats, result.ode_nats))
    return (f"ELBO {elbo.mean:.4f} ± {elbo.half_width:.4f} {unit}, ODE {ode.mean:.4f} ± {ode.half_width:.4f} {unit} "
            f"({result.rows} rows, {result.probes} probes; the bound {'holds' if result.gap_nats >= 0 else 'FAILS'})")


# ------------------------------------------------------------------ ε / x0 / v × linear / cosine
@dataclass
class TableRequest:
    dataset: str = "moons"
    steps: int = TABLE_STEPS.default
    rows: int = ROWS.default
    probes: int = PROBES.default
    ode_steps: int = ODE_STEPS.default
    seed: int = 0
    device: str = "auto"
    predictions: tuple[str, ...] = PREDICTION.choices
    schedules: tuple[str, ...] = VP_SCHEDULES


@dataclass
class TableRow:
    prediction: str
    schedule: str
    likelihood: "Likelihood"


@dataclass
class Table:
    dataset: str
    rows: list[TableRow] = field(default_factory=list)
    planned: int = 0

    def columns(self) -> dict[str, Any]:
        """The table as columns (CSV): prediction, schedule, ELBO and ODE in nats/dim and bits/dim with CIs."""
        import numpy as np

        out: dict[str, list] = {k: [] for k in ("prediction", "schedule", "elbo_nats", "elbo_ci", "ode_nats", "ode_ci",
                                               "elbo_bits", "ode_bits")}
        for r in self.rows:
            lk = r.likelihood
            for key, value in (("prediction", r.prediction), ("schedule", r.schedule),
                               ("elbo_nats", lk.elbo_nats.mean), ("elbo_ci", lk.elbo_nats.half_width),
                               ("ode_nats", lk.ode_nats.mean), ("ode_ci", lk.ode_nats.half_width),
                               ("elbo_bits", lk.elbo_bits.mean), ("ode_bits", lk.ode_bits.mean)):
                out[key].append(value)
        return {k: np.asarray(v) for k, v in out.items()}


def table_job(reporter, request: TableRequest) -> Table:
    """Train one DDPM per (prediction, schedule) on ``dataset`` for ``steps`` steps and measure each one's
    likelihood on the same held-out rows; partials: the table so far."""
    from engines.jobs import SpanReporter
    from tasks.diffusion import STEPS, TrainRequest, train_job

    TABLE_STEPS.validate(request.steps)
    STEPS.validate(request.steps)
    combos = list(product(request.predictions, request.schedules))
    table = Table(request.dataset, planned=len(combos))
    for k, (prediction, schedule) in enumerate(combos):
        span = 1.0 / len(combos)
        trained = train_job(SpanReporter(reporter, k * span, 0.6 * span),
                            TrainRequest(request.dataset, "ddpm", request.steps, prediction, schedule,
                                         seed=request.seed, device=request.device))
        measured = likelihood_job(SpanReporter(reporter, (k + 0.6) * span, 0.4 * span),
                                  LikelihoodRequest(trained.source, request.rows, request.probes, request.ode_steps,
                                                    request.seed))
        table.rows.append(TableRow(prediction, schedule, measured.likelihood))
        reporter.partial(Table(table.dataset, list(table.rows), table.planned))
    return table
