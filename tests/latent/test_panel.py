"""The latent panel: first launch draws the bundled VAE's map, strips and statistics; clicks pick items;
training runs in a worker process, streams curves and samples, and stop keeps its weights; results computed
for a previous model never reach the views."""
import numpy as np
import pytest

TIMEOUT_MS = 90_000  # whole tests took up to 24 s on a 2-core machine at load 9-10: each wait is 3x that and more


def idle(qtbot, panel):
    qtbot.waitUntil(lambda: not panel.context.jobs.running(), timeout=TIMEOUT_MS)


def test_import_does_not_load_engines():
    import subprocess
    import sys

    code = ("import sys, cli.run_latent; import workbench.panels.latent.panel; "
            "print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_first_launch_draws_the_bundled_vae(qtbot, panel):
    idle(qtbot, panel)
    ov, tab, steps = panel.overview, panel.map_tab, panel.path_box.steps_slider.value()
    assert ov.checkpoint.config.latent == 16 and len(ov.encoded.z) == 1797
    x, y = tab.map_view.scatter.getData()
    np.testing.assert_allclose(np.column_stack([x, y]), ov.encoded.map.xy)
    assert tab.strips.rows["lerp"].item.image is not None
    assert tab.strips.rows["slerp"].item.image.shape[1] > 8 * steps
    assert tab.strips.rows["analogy"].item.image is not None
    i = tab.paths.interpolation
    start = ov.encoded.data.position_of(panel.path_box.from_spin.value())  # the box shows the row
    np.testing.assert_allclose(i.codes["lerp"][0], ov.encoded.z[start])
    ppl = panel.high.ppl_plot.perceptual
    assert ppl is not None and ppl.raw["lerp"].mean > 0 and ppl.pairs == 2000
    assert ov.angles.p_value > 0.001
    figures = panel.figures()
    assert len(figures) == 12 and all(f.widget is not None for f in figures)
    assert figures[1].data()["latents_slerp"].shape == (steps, 16)
    assert len(figures[6].data()["total"]) == len(ov.checkpoint.info["history"]["epoch"])  # curves from the JSON
    frames = list(panel.animations()[0].frames())
    assert len(frames) == panel.animations()[0].count() and frames[0].dtype == np.uint8
    params = panel.parameters()
    assert params["checkpoint_sha256"] == ov.checkpoint.sha256 and params["from"] == panel.path_box.from_spin.value()


def test_the_strips_show_the_numbers_the_walk_command_measures(qtbot, panel):
    from tasks.latent import path_numbers

    idle(qtbot, panel)
    paths = panel.map_tab.paths
    numbers = path_numbers(panel.overview.checkpoint.model, paths.interpolation, "slerp")
    assert paths.numbers["slerp"] == numbers
    assert f"path length {numbers.path_length:.4g}" in panel.map_tab.strips.titles["slerp"].text


def test_clicks_pick_the_two_items_and_steps_change_the_strip(qtbot, panel):
    idle(qtbot, panel)
    view, box = panel.map_tab.map_view, panel.path_box
    view.item_clicked.emit(10)
    view.item_clicked.emit(20)
    qtbot.waitUntil(lambda: panel.map_tab.paths.request.start == 10 and panel.map_tab.paths.request.end == 20,
                    timeout=TIMEOUT_MS)
    box.steps_slider.setValue(5)
    qtbot.waitUntil(lambda: len(panel.map_tab.paths.interpolation.t) == 5, timeout=TIMEOUT_MS)
    # the boxes, the hover and the strip titles name items by their rows in load_digits(), as the CLI does
    rows = panel.overview.encoded.data.all_rows
    assert (box.from_spin.value(), box.to_spin.value()) == (rows[10], rows[20])
    assert panel.map_tab.paths.interpolation.endpoints[0].startswith(f"row {rows[10]} ")
    view.hover(10)
    assert view.inset.isVisible() and f"row {rows[10]}," in view.inset_text.textItem.toPlainText()
    box.prior_pair()
    qtbot.waitUntil(lambda: panel.map_tab.paths.request.prior_seed == 1, timeout=TIMEOUT_MS)


def test_two_d_latent_shows_the_decoded_grid(qtbot, panel):
    from tasks.latent import grid_shape as latent_grid_shape

    idle(qtbot, panel)
    panel.model_box.combo.setCurrentIndex(1)
    panel.model_box.combo.activated.emit(1)
    qtbot.waitUntil(lambda: panel.overview.checkpoint.model.latent_size == 2, timeout=TIMEOUT_MS)
    view = panel.map_tab.map_view
    qtbot.waitUntil(lambda: view.manifold.image is not None and view.manifold.isVisible(), timeout=TIMEOUT_MS)
    # square cells of at least GRID_CELL_PX screen pixels, so each decoded digit can be read
    from tasks.latent import GRID_CELL_PX

    rows, columns = view.manifold.image.shape[0] // 8, view.manifold.image.shape[1] // 8
    box = view.getPlotItem().getViewBox().boundingRect()
    assert (columns, rows) == latent_grid_shape(box.width(), box.height())
    cell_w, cell_h = box.width() / columns, box.height() / rows
    assert min(cell_w, cell_h) >= 0.6 * GRID_CELL_PX and 0.6 < cell_w / cell_h < 1.6
    assert view.scatter.opacity() < 1
    panel.map_box.grid.setChecked(False)
    qtbot.waitUntil(lambda: not view.manifold.isVisible(), timeout=TIMEOUT_MS)


@pytest.mark.parametrize("method, axis", [("tsne", "t-SNE 1"), ("umap", "UMAP 1")])
def test_a_tsne_or_umap_map_shows_only_the_ends_of_the_path(qtbot, panel, method, axis):
    from engines.latent.maps import LatentMap

    idle(qtbot, panel)
    view, request = panel.map_tab.map_view, panel.map_tab.paths.request
    tsne = LatentMap(method, np.random.default_rng(0).normal(size=(1797, 2)))
    panel.map_box.projection.blockSignals(True)
    panel.map_box.projection.setCurrentIndex(panel.map_box.projection.findData(method))
    panel.map_box.projection.blockSignals(False)
    panel.map_control.embedding_done(tsne)  # as if the t-SNE or UMAP job had finished
    np.testing.assert_allclose(np.column_stack(view.scatter.getData()), tsne.xy)
    assert view.getPlotItem().getAxis("bottom").labelText == axis
    assert view.paths["lerp"].getData()[0] is None or len(view.paths["lerp"].getData()[0]) == 0
    np.testing.assert_allclose(np.column_stack(view.ends.getData()), tsne.xy[[request.start, request.end]])
    panel.map_box.projection.setCurrentIndex(panel.map_box.projection.findData("pca"))  # back: paths on the map
    assert len(view.paths["lerp"].getData()[0]) == len(panel.map_tab.paths.interpolation.t)


def _slow(reporter, *args, **kwargs):
    """A job that runs until it is cancelled (checking every 5 ms)."""
    import time

    for _ in range(6000):
        reporter.check()
        time.sleep(0.005)


def test_results_for_the_previous_model_are_never_drawn(qtbot, panel, monkeypatch):
    import tasks.latent

    idle(qtbot, panel)
    monkeypatch.setattr(tasks.latent, "path_job", _slow)
    monkeypatch.setattr(tasks.latent, "ppl_job", _slow)
    panel.update_path()  # for the 16-dimensional VAE ...
    panel.update_ppl()
    old = [panel.path_job.current, panel.ppl_job.current]
    assert all(h.running and not h.silenced for h in old)
    monkeypatch.undo()
    panel.load(panel.model_box.sources[1])  # ... replaced by the 2D one: nothing of them may arrive
    assert all(h.silenced for h in old)
    qtbot.waitUntil(lambda: panel.overview.checkpoint.model.latent_size == 2, timeout=TIMEOUT_MS)
    idle(qtbot, panel)
    assert panel.map_tab.paths.interpolation.codes["lerp"].shape[1] == 2
    np.testing.assert_allclose(panel.map_tab.paths.on_map["lerp"], panel.map_tab.paths.interpolation.codes["lerp"])
    assert panel.high.ppl_plot.perceptual.raw["lerp"].speed2.mean() < 10  # |dz|^2/eps^2 of 2D prior pairs, not 16D


def test_the_train_form_follows_the_model_kind(panel):
    from engines.latent.catalogue import MODELS

    box = panel.train_box
    box.kind_combo.setCurrentIndex(box.kind_combo.findData("nice"))
    form = box.settings
    assert form.values(["epochs", "hidden", "lr"]) == {"epochs": 60, "hidden": 96, "lr": 1e-3}
    assert not form.layout_.isRowVisible(form.editors["latent"]) and form.layout_.isRowVisible(form.editors["layers"])
    box.kind_combo.setCurrentIndex(box.kind_combo.findData("cluster-vae"))
    request = box.request()
    assert request.kind == "cluster-vae" and dict(request.settings) == MODELS["cluster-vae"].defaults()
    model, train = request.configs()
    assert (model.clusters, model.hidden, train.epochs) == (10, 128, 100)


def test_training_streams_and_stop_keeps_the_weights(qtbot, panel):
    idle(qtbot, panel)
    box = panel.train_box
    box.kind_combo.setCurrentIndex(0)
    box.settings.set_values({"latent": 4, "epochs": 400})
    box.button.click()
    qtbot.waitUntil(lambda: panel.snapshot is not None and panel.snapshot.epoch >= 2, timeout=TIMEOUT_MS)
    assert panel.training.curves["total"].getData()[0] is not None
    count = panel.model_box.combo.count()
    box.button.click()  # stop
    qtbot.waitUntil(lambda: panel.model_box.combo.count() == count + 1, timeout=TIMEOUT_MS)
    assert "stopped at epoch" in panel.model_box.combo.currentText()
    qtbot.waitUntil(lambda: panel.overview.checkpoint.model.latent_size == 4, timeout=TIMEOUT_MS)
    assert box.button.text() == "Train"
    assert panel.overview.checkpoint.info["train"]["epochs"] == 400


def test_a_hostile_checkpoint_shows_a_message(qtbot, panel, tmp_path):
    idle(qtbot, panel)
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"\x80\x02cos\nsystem\nq\x00X\x05\x00\x00\x00touchq\x01\x85q\x02Rq\x03.")
    panel.open_path("checkpoint", bad)
    qtbot.waitUntil(lambda: "refused to load bad.pt" in panel.model_box.info.text(), timeout=TIMEOUT_MS)
    from engines.errors import InputError

    with pytest.raises(InputError):
        panel.open_path("checkpoint", tmp_path / "missing.safetensors")


def test_save_and_open_a_dataset(qtbot, panel, tmp_path):
    idle(qtbot, panel)
    import json

    from engines.latent.checkpoint import load_checkpoint
    from tasks import __version__

    handle = panel.save(tmp_path / "copy.safetensors")
    with qtbot.waitSignal(handle.done, timeout=TIMEOUT_MS):
        pass
    ck = load_checkpoint(tmp_path / "copy.safetensors")
    assert ck.config == panel.overview.checkpoint.config
    body = json.loads((tmp_path / "copy.json").read_text())
    assert body["workbench"] == __version__ and body["history"] == panel.overview.checkpoint.info["history"]
    rng = np.random.default_rng(0)
    images = rng.uniform(0, 1, (30, 16, 16)).astype(np.float32)  # resized to the model's 8x8
    np.savez(tmp_path / "mine.npz", images=images, labels=np.arange(30) % 2)
    panel.open_path("dataset", tmp_path / "mine.npz")
    qtbot.waitUntil(lambda: panel.overview.encoded.data.name == "mine.npz", timeout=TIMEOUT_MS)
    assert len(panel.overview.encoded.z) == 30 and panel.path_box.from_label.count() == 2


def test_the_report_tab_computes_the_geometry_report_when_shown(qtbot, panel):
    from engines.latent.training import evaluate

    idle(qtbot, panel)
    view = panel.report_view
    assert view.report is None  # computed on demand
    panel.tabs.setCurrentWidget(view)
    qtbot.waitUntil(lambda: view.report is not None, timeout=TIMEOUT_MS)
    ov = panel.overview
    assert view.report.heldout["negative_elbo"] == pytest.approx(
        evaluate(ov.checkpoint.model, ov.encoded.data)["test_discrete"])
    text = view.table.toPlainText()
    assert "Active dimensions" in text and f"{len(view.report.active)} of 16" in text
    assert "not those of independent isotropic directions" in text
    np.testing.assert_allclose(np.sort(view.bars.opts["height"])[::-1], np.sort(view.report.kl_per_dim)[::-1])
    figure = next(f for f in panel.figures() if f.title == "KL per latent dimension")
    assert figure.data()["kl_nats"].shape == (16,)


def test_clicking_an_item_shows_its_nearest_neighbours_by_latent_distance(qtbot, panel):
    from sklearn.metrics import pairwise_distances

    idle(qtbot, panel)
    enc = panel.overview.encoded
    panel.map_tab.map_view.item_clicked.emit(100)
    box = panel.map_tab.strips.rows["neighbours"]
    qtbot.waitUntil(lambda: box.item.image is not None, timeout=TIMEOUT_MS)
    d = pairwise_distances(enc.z[100:101], enc.z)[0]
    d[100] = np.inf
    nearest = np.argsort(d)[:8]
    title = panel.map_tab.strips.titles["neighbours"].text
    rows = enc.data.all_rows
    assert f"row {int(rows[100])}" in title and all(f"{int(rows[i])}" in title for i in nearest)
    assert box.item.image.shape[1] > 9 * 8  # the item and its 8 neighbours side by side


def test_colour_by_norm_and_by_k_means_clusters(qtbot, panel):
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score

    idle(qtbot, panel)
    enc, view = panel.overview.encoded, panel.map_tab.map_view
    panel.map_box.colour.setCurrentIndex(2)
    np.testing.assert_allclose(view.data()["norm"], np.linalg.norm(enc.z, axis=1))
    assert view.norm_bar.isVisible() and view.norm_bar.levels() == pytest.approx(
        (view.data()["norm"].min(), view.data()["norm"].max()))
    panel.map_box.colour.setCurrentIndex(1)  # the VAE has no clusters of its own: k-means on the codes
    qtbot.waitUntil(lambda: "cluster" in view.data(), timeout=TIMEOUT_MS)
    assert not view.norm_bar.isVisible() and "k-means (k = 10)" in view.getPlotItem().titleLabel.text
    ref = KMeans(10, n_init=4, random_state=0).fit_predict(enc.z)
    assert adjusted_rand_score(view.data()["cluster"], ref) > 0.99


def test_the_directions_tab_moves_an_item_along_an_attribute_vector(qtbot, panel):
    idle(qtbot, panel)
    d, enc = panel.directions, panel.overview.encoded
    panel.tabs.setCurrentWidget(d)
    d.strength.setValue(20)  # strength 2
    qtbot.waitUntil(lambda: d.result is not None and d.result[0].strengths[-1] == 2.0, timeout=TIMEOUT_MS)
    strip, grid = d.result
    a, b = strip.labels
    v = enc.z[enc.labels == a].mean(0) - enc.z[enc.labels == b].mean(0)
    np.testing.assert_allclose(strip.codes[-1], enc.z[strip.index] + 2.0 * v)
    assert d.grid_box.item.image is not None and grid.decoded.shape[:2] == (16, 9)
    figure = next(f for f in panel.figures() if f.title == "Attribute strip and traversals")
    assert figure.data()["traversal_decoded"].shape == grid.decoded.shape
    assert d.row_labels()[0] == f"z{int(grid.dims[0])}  KL {grid.kl[grid.dims[0]]:.2f} nats"


def test_the_directions_tab_opened_while_the_model_loads_draws_once_it_is_in(qtbot, make_panel):
    import workbench.panels.latent as latent

    widget = make_panel(latent)
    widget.tabs.setCurrentWidget(widget.directions)  # before the first model is in
    widget.start()
    qtbot.waitUntil(lambda: widget.directions.result is not None, timeout=TIMEOUT_MS)
