"""Word modules: InfoMap on the co-occurrence graph of a segmented text's most frequent words
(Su Jianlin, minimum entropy (5): https://kexue.fm/archives/5597)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from engines.cluster.graph import run_infomap, word_graph
from engines.cluster.hierarchy import Level
from engines.errors import InputError


@dataclass
class WordModules:
    modules: list[list[tuple[str, int]]]  # per module: (word, count), most frequent first; biggest module first
    codelength: float
    one_level_codelength: float
    saving: float
    clu: str
    tree: str
    words: list[str]
    levels: list[Level] = field(default_factory=list)  # the root and each level of modules below it
    paths: np.ndarray | None = None  # (len(words), depth) module numbers from the top module down

    @property
    def assignments(self) -> np.ndarray:
        """The module (0 = biggest) of each word of ``words``."""
        module = {w: k for k, group in enumerate(self.modules) for w, _ in group}
        return np.array([module[w] for w in self.words], np.int64)


def word_modules(reporter, lines: list[list[str]], top: int, window: int, min_len: int, markov_time: float,
                 seed: int, levels: str = "two") -> WordModules:
    """InfoMap (holds the GIL: call it from a process job) on the co-occurrence graph of the ``top`` most
    frequent words of at least ``min_len`` characters, neighbours within ``window`` words on a line."""
    reporter.progress(None, "counting words")
    counts = Counter(w for line in lines for w in line if len(w) >= min_len)
    vocab = [w for w, _ in counts.most_common(top)]
    if len(vocab) < 3:
        raise InputError("too few words to build a word graph")
    reporter.progress(None, f"co-occurrence graph of {len(vocab)} words")
    src, dst, w = word_graph(lines, vocab, window)
    # association rather than raw counts: weight links by PMI-like ratio so frequent words do not dominate
    freq = np.array([counts[v] for v in vocab], np.float64)
    w = w / np.sqrt(freq[src] * freq[dst])
    reporter.progress(None, f"InfoMap on {len(src):,} links")
    res = run_infomap(len(vocab), src, dst, w, markov_time=markov_time, seed=seed, levels=levels)
    groups: dict[int, list[tuple[str, int]]] = {}
    for i, m in enumerate(res.modules.tolist()):
        groups.setdefault(m, []).append((vocab[i], counts[vocab[i]]))
    modules = sorted((sorted(g, key=lambda t: -t[1]) for g in groups.values()), key=len, reverse=True)
    return WordModules(modules, res.codelength, res.one_level_codelength, res.saving, res.clu, res.tree, vocab,
                       res.levels, res.paths)

