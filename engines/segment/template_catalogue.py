"""The settings of the template finder (:mod:`engines.segment.templates`), as plain data: the panel's
controls and ``workbench run segment --templates``'s options are read from here."""
from __future__ import annotations

from engines.catalogue import Option

MIN_COUNT = Option("template_min_count", "template min count", "int", 20, 2, 1_000_000,
                   help="least uses of a kept template (matches whose words no earlier template took)")
MAX_GAP = Option("template_max_gap", "longest slot", "int", 3, 1, 8, unit="words",
                 help="most words a template's slot holds")
OPTIONS = (MIN_COUNT, MAX_GAP)
