"""``workbench run diffusion --checkpoint CKPT --likelihood``: the model's bits/dim by the ELBO and by the
probability-flow ODE, and the ELBO's terms per timestep (wired into :mod:`cli.run_diffusion`).

writes into DIR:
  likelihood.json  ELBO and ODE in nats/dim and bits/dim with 95% intervals over the rows (the ODE's rows
                   averaged over their Hutchinson probes), the reconstruction and prior terms, the gap
  elbo_terms.csv   t (1..T), sigma, term (reconstruction, kl, prior), nats_per_dim, ci95_half_width
  sidecar.json
"""
from __future__ import annotations

import argparse
import json

from cli.plumbing import add_option, device_of, output_folder, run_task
from engines.diffusion.catalogue_likelihood import LIKELIHOOD_OPTIONS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("likelihood (--likelihood)")
    group.add_argument("--likelihood", action="store_true",
                       help="instead of sampling, write likelihood.json (bits/dim by the ELBO and by the probability-"
                            "flow ODE, with 95%% intervals) and elbo_terms.csv (the ELBO's terms per timestep)")
    for option in LIKELIHOOD_OPTIONS:
        add_option(group, option, metavar="N")


def run(args: argparse.Namespace, source: str) -> int:
    from engines.export.atomic import atomic_write_text
    from engines.export.staging import staged_outputs
    from engines.export.tables import write_csv
    from tasks.diffusion_likelihood import LikelihoodRequest, likelihood_job, summary
    from tasks.outputs import write_sidecar

    request = LikelihoodRequest(source, args.rows, args.probes, args.ode_steps, args.seed, device_of(args))
    outcome = run_task(likelihood_job, request)
    result = outcome.likelihood
    out = output_folder(args.out)
    with staged_outputs(out) as stage:
        atomic_write_text(stage / "likelihood.json", json.dumps(result.to_json(), indent=2, default=str) + "\n")
        write_csv(stage / "elbo_terms.csv", result.terms_columns())
        write_sidecar(stage, {"panel": "diffusion", "likelihood": True, **result.description, "rows": request.rows,
                              "probes": request.probes, "ode_steps": request.ode_steps, "seed": request.seed,
                              "device": str(outcome.source.model.device)})
    print(f"{outcome.source.label}: {summary(result)}; wrote likelihood.json, elbo_terms.csv and sidecar.json to {out}")
    return 0
