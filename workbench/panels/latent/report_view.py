"""The Report tab: the geometry report of the loaded model (the shell, the angle laws with their KS tests,
lerp against slerp path length, the active dimensions, the held-out fit) as a table, with the KL per latent
dimension as bars (most first; the 0.01-nat line marks active ones). ``workbench run latent --report``
writes the same numbers to report.json."""
from __future__ import annotations

import html
from typing import Optional

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from engines.latent.catalogue import ACTIVE_NATS

BAR_COLOR = "#4e79a7"
DEAD_COLOR = "#bab0ac"


class ReportView(QtWidgets.QWidget):
    """Emits ``compute_clicked``; :meth:`set_report` shows a :class:`engines.latent.geometry.GeometryReport`."""

    compute_clicked = QtCore.Signal()

    def __init__(self) -> None:
        super().__init__()
        layout = QtWidgets.QVBoxLayout(self)
        row = QtWidgets.QHBoxLayout()
        self.button = QtWidgets.QPushButton("Compute report")
        self.button.setToolTip("Measure the loaded model's latent geometry on its data set (a few seconds; "
                               "the same numbers as `workbench run latent --report`)")
        self.button.clicked.connect(self.compute_clicked)
        self.status = QtWidgets.QLabel("Load a model, then compute its report.")
        self.status.setWordWrap(True)
        row.addWidget(self.button)
        row.addWidget(self.status, 1)
        layout.addLayout(row)
        split = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal)
        self.table = QtWidgets.QTextBrowser()
        self.table.setOpenExternalLinks(False)
        self.kl_plot = pg.PlotWidget()
        p = self.kl_plot.getPlotItem()
        p.setMenuEnabled(False)
        p.setTitle("KL per latent dimension (held-out items), most first", size="9pt")
        p.setLabel("bottom", "dimension (by KL)")
        p.setLabel("left", "KL", units="nats")
        p.showGrid(y=True, alpha=0.2)
        self.bars: Optional[pg.BarGraphItem] = None
        self.threshold = pg.InfiniteLine(ACTIVE_NATS, angle=0, pen=pg.mkPen("#e15759", width=1.5,
                                                                             style=QtCore.Qt.PenStyle.DashLine),
                                         label=f"active: > {ACTIVE_NATS} nats", labelOpts={"position": 0.85})
        split.addWidget(self.table)
        split.addWidget(self.kl_plot)
        split.setSizes([520, 480])
        layout.addWidget(split, 1)
        self.report = None

    def clear(self, text: str = "Compute the report of this model.") -> None:
        self.report = None
        self.table.clear()
        self.status.setText(text)
        self.kl_plot.getPlotItem().clear()

    def set_report(self, report) -> None:
        self.report = report
        self.status.setText(f"{report.items} items, latent size {report.latent_size}")
        self.table.setHtml(report_html(report))
        p = self.kl_plot.getPlotItem()
        p.clear()
        if report.kl_per_dim is None:
            p.setTitle("KL per dimension: none for a flow (its encoding is exact)", size="9pt")
            return
        p.setTitle("KL per latent dimension (held-out items), most first", size="9pt")
        order = np.argsort(-report.kl_per_dim, kind="stable")
        kl = report.kl_per_dim[order]
        brushes = [pg.mkBrush(BAR_COLOR if v > ACTIVE_NATS else DEAD_COLOR) for v in kl]
        self.bars = pg.BarGraphItem(x=np.arange(len(kl)), height=kl, width=0.8, brushes=brushes)
        p.addItem(self.bars)
        p.addItem(self.threshold)
        p.getAxis("bottom").setTicks([[(k, f"z{int(d)}") for k, d in enumerate(order)]] if len(kl) <= 32 else None)

    def data(self) -> dict[str, np.ndarray]:
        r = self.report
        if r is None or r.kl_per_dim is None:
            return {}
        return {"dimension": np.arange(r.latent_size), "kl_nats": r.kl_per_dim}


def report_html(report) -> str:
    """The report as an HTML table."""
    d = report.as_dict()
    s, a, pl = d["shell"], d["angles"], d["path_length"]

    def num(v, fmt=".4g") -> str:
        return "not finite" if v is None else format(v, fmt)

    rows = [
        ("Shell √n", num(s["sqrt_n"]), f"prior E‖z‖ {num(s['prior_expected_norm'])}"),
        ("Codes' mean ‖z‖", f"{num(s['codes_mean_norm'])} ± {num(s['codes_std_norm'], '.3g')}",
         f"mean |‖z‖ − √n| / √n {num(s['codes_relative_deviation'], '.3f')} (prior samples "
         f"{num(s['prior_relative_deviation'], '.3f')})"),
        ("Angles, prior pairs", f"KS {num(a['prior_pairs']['ks_statistic'], '.3f')}, p {num(a['prior_pairs']['ks_p_value'], '.2g')}",
         f"{a['prior_pairs']['pairs']} pairs against sin^(n−2): a check of the law (p > 0.05 expected)"),
        ("Angles, encoded pairs", f"KS {num(a['encoded_pairs']['ks_statistic'], '.3f')}, p {num(a['encoded_pairs']['ks_p_value'], '.2g')}",
         html.escape(a["encoded_pairs_meaning"])),
        ("Path length", f"lerp {num(pl['lerp'])}, slerp {num(pl['slerp'])}",
         f"perceptual path length density over {pl['pairs']} random prior pairs (pixels)"),
    ]
    act = d["active_dimensions"]
    if act is not None:
        rows.append(("Active dimensions", f"{act['count']} of {d['latent_size']}",
                     f"KL per dimension > {act['threshold_nats']} nats: " + ", ".join(f"z{i}" for i in act["indices"])))
    h = d["heldout"]
    if h is None:
        rows.append(("Held-out fit", "—", "not known: Workbench runs an exported program, not its likelihood"))
    elif "nll" in h:
        rows.append(("Held-out NLL", f"{num(h['nll'])} nats", f"{num(h['bits_per_dim'])} bits/dim (exact, the flow)"))
    else:
        rows.append(("Held-out −ELBO", f"{num(h['negative_elbo'])} nats", "per item, test split"))
    body = "".join(f"<tr><td><b>{k}</b></td><td>{v}</td><td>{note}</td></tr>" for k, v, note in rows)
    return f"<table cellpadding='4' border='0'>{body}</table>"
