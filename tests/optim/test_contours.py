"""Contour lines of a loss grid (contourpy) in grid-index coordinates, and the log view."""
import numpy as np
import pytest

from engines.optim.contours import CONTOUR_GRID, N_CONTOURS, log_gap, surface_layer, surface_layers


def test_contours_of_a_ramp_are_lines_where_the_ramp_takes_the_level():
    z = np.tile(np.arange(50.0), (30, 1))  # z = column index; rows ↔ y
    layer = surface_layer(z, log=False)
    assert layer.levels == (0.0, pytest.approx(np.percentile(z, 99.5)))
    lines = np.split(layer.contours, np.flatnonzero(np.isnan(layer.contours[:, 0])))
    lines = [line[np.isfinite(line[:, 0])] for line in lines]
    lines = [line for line in lines if len(line)]
    levels = np.linspace(*layer.levels, N_CONTOURS + 2)[1:-1]
    assert len(lines) == N_CONTOURS
    for line, level in zip(lines, levels):
        np.testing.assert_allclose(line[:, 0], level)  # x (the column) where z = level
        assert line[:, 1].min() == 0 and line[:, 1].max() == 29  # across every row


def test_large_grids_are_traced_on_a_coarser_grid_in_full_grid_coordinates():
    n = 2 * CONTOUR_GRID
    y, x = np.mgrid[0:n, 0:n]
    layer = surface_layer(((x - n / 2) ** 2 + (y - n / 2) ** 2).astype(float), log=False)
    points = layer.contours[np.isfinite(layer.contours[:, 0])]
    radii = np.hypot(points[:, 0] - n / 2, points[:, 1] - n / 2)
    assert points.max() <= n - 1 and radii.min() > 0  # circles about the centre, in full-grid units
    assert len(points) < 20 * CONTOUR_GRID * N_CONTOURS


def test_log_layer_shows_the_gap_above_the_lowest_value_and_skips_non_finite_values():
    z = np.array([[1.0, 2.0, np.inf], [11.0, np.nan, 101.0]])
    np.testing.assert_allclose(log_gap(z)[0, :2], [np.log10(1e-4), np.log10(1 + 1e-4)])
    layers = surface_layers(z)
    assert set(layers) == {False, True} and layers[True].levels[0] == pytest.approx(-4)
    assert all(np.isfinite(layer.contours[np.isfinite(layer.contours[:, 0])]).all() for layer in layers.values())
