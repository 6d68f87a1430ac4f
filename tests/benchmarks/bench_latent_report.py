"""The geometry report of each bundled latent model, measured in one run: the KS statistic and p-value of
random prior pairs' angles against sin^(n-2) over several seeds (how often p < 0.05: about 5% expected when
the law and its CDF are right), the encoded pairs' KS, active dimensions, lerp/slerp path length, and the
time of the report and of a UMAP of the codes (its first call includes numba's compilation).

    python tests/benchmarks/bench_latent_report.py [--seeds 20] [--umap]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import numpy as np  # noqa: E402

from engines.jobs import Reporter  # noqa: E402
from engines.latent.statistics import angle_fit, random_pair_angles  # noqa: E402
from tasks.bundled import bundled  # noqa: E402
from tasks.latent_report import report_job  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--umap", action="store_true", help="also time a UMAP of the codes")
    args = parser.parse_args()
    for b in bundled("latent"):
        start = time.perf_counter()
        enc, r = report_job(Reporter(), b.path)
        took = time.perf_counter() - start
        n = r.latent_size
        ps = np.array([angle_fit(random_pair_angles(n, 4000, s), n).p_value for s in range(args.seeds)])
        active = "-" if r.active is None else f"{len(r.active)}/{n}"
        print(f"{b.path.stem:>16}: n={n:<3} report {took:5.2f} s | prior KS {r.prior_angles.ks_statistic:.4f} "
              f"p {r.prior_angles.p_value:.3f}; p<0.05 in {np.mean(ps < 0.05):.0%} of {args.seeds} seeds | encoded KS "
              f"{r.data_angles.ks_statistic:.4f} p {r.data_angles.p_value:.2g} | active {active} | PPL lerp "
              f"{r.path_length['lerp']:.4g} slerp {r.path_length['slerp']:.4g} | heldout {r.heldout}")
        if args.umap:
            from tasks.latent_map import map_job

            start = time.perf_counter()
            map_job(Reporter(), enc.encoded.z, "umap")
            print(f"{'':>16}  UMAP of {len(enc.encoded.z)} codes: {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
