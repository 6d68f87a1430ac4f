"""Every job of tasks.optimizer and tasks.optimizer_maps on tiny inputs, through the shared runner: trajectories (2 optimizers × 2
starts × 20 steps, in this thread and in a job process), their continuous-time curves, an 8×8 basin map
and a 3×3 sweep on Distill's quadratic."""
import numpy as np

from tasks.optimizer import (SurfaceChoice, TrajectoriesRequest, ode_curves_job, preview, run_parameters,
                             trajectories_job, trajectory_table)
from tasks.optimizer_maps import BasinRequest, SweepRequest, basin_job, sweep_job
from tasks.runner import run


def main() -> None:
    himmelblau = SurfaceChoice("himmelblau")
    specs = ["sgd:lr=0.01", "adam:lr=0.1@fast"]
    starts = np.array([[0.0, 0.0], [-1.0, 4.0]])
    partials = []
    request = TrajectoriesRequest(himmelblau, tuple(specs), starts, 20, grid_n=40)
    assert not request.in_process
    snap = run(trajectories_job, request, on_partial=partials.append)
    r = snap.result
    assert r.positions.shape == (2, 2, 21, 2) and r.labels == ["sgd:lr=0.01", "fast"], (r.positions.shape, r.labels)
    np.testing.assert_array_equal(r.positions[:, :, 0], np.broadcast_to(starts, (2, 2, 2)))
    assert r.losses[0, 0, 0] == (0 + 0 - 11) ** 2 + (0 + 0 - 7) ** 2  # himmelblau at the origin
    assert (r.losses[:, :, -1] < r.losses[:, :, 0]).all()  # every run went downhill
    assert snap.z.shape == (40, 40) and snap.minima.shape == (4, 2) and snap.minimum_loss < 1e-9
    for log, layer in snap.layers.items():
        lines = layer.contours[np.isfinite(layer.contours[:, 0])]
        assert len(lines) > 100 and lines.min() >= 0 and lines.max() <= 39, log  # grid-index coordinates
    assert partials[0].result is None and partials[-1].result is not None  # the surface first, then steps
    table = trajectory_table(r)
    assert len(table["x"]) == 2 * 2 * 21 and set(table["optimizer"]) == {"sgd:lr=0.01", "fast"}
    assert preview(r).losses.shape[2] <= 21
    parameters = run_parameters(snap)
    assert parameters["steps"] == 20 and parameters["labels"] == r.labels and parameters["diverged_at"] == [[-1, -1]] * 2

    other = run(trajectories_job, request, process=True)
    np.testing.assert_array_equal(other.result.positions, r.positions)  # a job process computes the same

    three = TrajectoriesRequest(himmelblau, ("sgd:lr=0.01", "momentum:lr=0.01,momentum=0.5", "adam"), steps=20)
    curves = run(ode_curves_job, three, starts[:1])
    assert sorted(c for c, _ in curves) == [0, 1]  # adam has no ODE counterpart here
    assert all(np.allclose(xy[0], starts[0]) for _, xy in curves)

    basins = run(basin_job, BasinRequest(himmelblau, "adam:lr=0.05", 8, 300)).basins
    assert basins.minimum_index.shape == (8, 8) and set(np.unique(basins.minimum_index)) <= {-1, 0, 1, 2, 3}
    assert len(set(np.unique(basins.minimum_index)) - {-1}) >= 3  # the grid's corners lead to different minima

    quadratic = SurfaceChoice("quadratic", (("kappa", 10.0),))
    outcome = run(sweep_job, SweepRequest(quadratic, "momentum", "lr", np.array([0.1, 0.5, 1.0]), "momentum",
                                          np.array([0.0, 0.5, 0.9]), (1.0, 1.0), 20))
    assert outcome.result.values.shape == (3, 3) and outcome.predicted.shape == (3, 3)
    assert outcome.optimal is not None and outcome.rates["momentum"] < outcome.rates["gd"]  # momentum is faster
    print("optimizer tasks: ok")


if __name__ == "__main__":  # process jobs re-import the main module
    main()
