"""The panel's sidebar settings, generated from :mod:`engines.segment.catalogue`: the corpus, the lexicon
method, a slider per threshold and the word bonus, and a form for the other settings shown."""
from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from engines.catalogue import Option
from engines.segment import catalogue as cat
from engines.segment.params import SegmentParams
from workbench.widgets.option_form import OptionForm

SLIDERS = (*cat.THRESHOLDS, cat.WORD_BONUS)  # live settings: dragged while the text re-segments
FORM = (cat.MIN_COUNT, cat.PRUNE_PIECES, cat.NUMBERS, cat.NAMES)


def option_slider(option: Option):
    """A labelled slider over a bounded float option's range, at its default, its help as tooltip."""
    from superqt import QLabeledDoubleSlider

    slider = QLabeledDoubleSlider(QtCore.Qt.Orientation.Horizontal)
    slider.setRange(option.minimum, option.maximum)
    slider.setSingleStep(option.step or 0.1)
    slider.setValue(option.default)
    slider.setToolTip(f"{option.help} ({option.range_text}{' ' + option.unit if option.unit else ''})")
    return slider


def choice_box(entries, default: str) -> QtWidgets.QComboBox:
    """A combo box of a catalogue's entries (label shown, name as data, description and citation as
    tooltips), at ``default``."""
    box = QtWidgets.QComboBox()
    for entry in entries:
        box.addItem(entry.label, entry.name)
        tip = f"{entry.description} ({entry.citation})" if entry.citation else entry.description
        box.setItemData(box.count() - 1, tip, QtCore.Qt.ItemDataRole.ToolTipRole)
    box.setCurrentIndex(box.findData(default))
    return box


class SegmentControls(QtWidgets.QWidget):
    """Emits ``corpus_chosen(corpus, gold)`` when a corpus is picked and ``changed`` when a setting moves."""

    corpus_chosen = QtCore.Signal(str, object)
    changed = QtCore.Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.corpus_box = QtWidgets.QComboBox()
        for corpus in cat.CORPORA:
            self.corpus_box.addItem(corpus.label, (corpus.name, corpus.name if corpus.gold_format else None))
            self.corpus_box.setItemData(self.corpus_box.count() - 1, corpus.description,
                                        QtCore.Qt.ItemDataRole.ToolTipRole)
        self.corpus_box.activated.connect(lambda i: self.corpus_chosen.emit(*self.corpus_box.itemData(i)))
        self.base_box = QtWidgets.QComboBox()
        self.base_box.addItem("none", None)
        for corpus in cat.CORPORA:
            self.base_box.addItem(corpus.label, corpus.name)
        self.base_box.setToolTip("a base corpus whose counts join the text's (a short text borrows its statistics); "
                                 "the lexicon's 'in base' column then marks the words new in the text")
        self.base_weight = QtWidgets.QDoubleSpinBox()
        self.base_weight.setRange(cat.BASE_WEIGHT.minimum, cat.BASE_WEIGHT.maximum)
        self.base_weight.setSingleStep(cat.BASE_WEIGHT.step)
        self.base_weight.setDecimals(cat.BASE_WEIGHT.decimals)
        self.base_weight.setValue(cat.BASE_WEIGHT.default)
        self.base_weight.setKeyboardTracking(False)
        self.base_weight.setToolTip(f"{cat.BASE_WEIGHT.help} ({cat.BASE_WEIGHT.range_text})")
        self.base_weight.setEnabled(False)
        self.base_box.activated.connect(self._base_changed)
        self.base_weight.valueChanged.connect(lambda _: self.corpus_chosen.emit(*self.corpus))
        self.method_box = choice_box(cat.METHODS, cat.METHOD.default)
        self.method_box.currentIndexChanged.connect(self.changed)
        self.statistic_box = choice_box(cat.STATISTICS, cat.STATISTIC.default)
        self.statistic_box.setToolTip(cat.STATISTIC.help)
        self.statistic_box.currentIndexChanged.connect(self.changed)
        self.sliders = {option.name: option_slider(option) for option in SLIDERS}
        self.scheduler_edit = QtWidgets.QLineEdit()
        self.scheduler_edit.setPlaceholderText(cat.SCHEDULER.none_label)
        self.scheduler_edit.setClearButtonEnabled(True)
        self.scheduler_edit.setToolTip(f"{cat.SCHEDULER.help}; empty: {cat.SCHEDULER.none_label}. Enter reads "
                                       "the corpus again there")
        self.scheduler_edit.returnPressed.connect(lambda: self.corpus_chosen.emit(*self.corpus))
        self.form = OptionForm(FORM)
        self.form.changed.connect(self.changed)
        layout = QtWidgets.QFormLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        # the corpora's labels are long: their boxes take a row of their own, under their label
        layout.addRow(QtWidgets.QLabel("Corpus"))
        layout.addRow(self.corpus_box)
        layout.addRow("Scheduler", self.scheduler_edit)
        layout.addRow(QtWidgets.QLabel("Base corpus"))
        layout.addRow(self.base_box)
        layout.addRow(cat.BASE_WEIGHT.label, self.base_weight)
        layout.addRow(cat.METHOD.label, self.method_box)
        layout.addRow("Statistic", self.statistic_box)
        for option in SLIDERS:
            layout.addRow(option.label, self.sliders[option.name])
            self.sliders[option.name].valueChanged.connect(self.changed)
        layout.addRow(self.form)

    @property
    def corpus(self) -> tuple[str, str | None]:
        """The chosen corpus and its gold (None when it has none)."""
        return self.corpus_box.currentData()

    @property
    def scheduler(self) -> str | None:
        """The Dask scheduler typed (``local:N``, ``tcp://HOST:PORT``), None when empty (this machine)."""
        return self.scheduler_edit.text().strip() or None

    @property
    def base(self) -> tuple[str | None, float]:
        """The base corpus chosen (None: none) and its weight."""
        return self.base_box.currentData(), self.base_weight.value()

    def _base_changed(self) -> None:
        self.base_weight.setEnabled(self.base_box.currentData() is not None)
        self.corpus_chosen.emit(*self.corpus)  # the counts change: the corpus is counted again

    def add_corpus(self, label: str, corpus: str, gold: str | None = None) -> None:
        """Add a corpus to the list and select it (does not emit ``corpus_chosen``)."""
        self.corpus_box.addItem(label, (corpus, gold))
        self.corpus_box.setCurrentIndex(self.corpus_box.count() - 1)

    def params(self) -> SegmentParams:
        """The settings shown (the others at their defaults)."""
        values = {o.name: round(self.sliders[o.name].value(), o.decimals) for o in SLIDERS}
        return SegmentParams(method=self.method_box.currentData(), statistic=self.statistic_box.currentData()
                             ).with_values({**values, **self.form.values()})
