"""InfoMap (Rosvall & Bergstrom 2008) on graphs: a k-nearest-neighbour graph of an embedding, or a word
co-occurrence graph. ``infomap.Infomap.run`` holds the GIL for its whole run: call these from a job
started with ``process=True``.
"""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from engines.budget import check, estimate_bytes
from engines.cluster.catalogue import MARKOV_TIMES
from engines.cluster.hierarchy import Level, level_codelengths, module_paths
from engines.device import DeviceLike, as_device
from engines.errors import InputError


BLOCK_BYTES = 64 * 2**20  # the distances of one block of rows to every point: at most this much at a time


def knn_graph(x: np.ndarray, k: int = 15, device: DeviceLike = "cpu",
              block_bytes: int = BLOCK_BYTES) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Symmetrised kNN graph (sources, targets, weights) with Gaussian weights scaled per point. The
    distances are computed a block of rows at a time (``block_bytes`` each), never as one N × N matrix."""
    xt = torch.as_tensor(x, dtype=torch.float32, device=as_device(device))
    n = xt.shape[0]
    if n < 3:
        raise InputError("a neighbour graph needs at least 3 points")
    k = min(k, n - 1)
    check(f"the {k}-neighbour graph of {n:,} points", estimate_bytes((n, k + 1), 4 + 8) * 3 + block_bytes)
    rows = max(1, block_bytes // (4 * n))
    nearest = [torch.cdist(xt[i:i + rows], xt).topk(k + 1, largest=False) for i in range(0, n, rows)]
    dist = torch.cat([d for d, _ in nearest])[:, 1:]
    idx = torch.cat([i for _, i in nearest])[:, 1:]
    sigma = dist.mean(1).clamp_min(1e-9)
    w = torch.exp(-dist.pow(2) / (sigma.unsqueeze(1) * sigma[idx]))
    src = torch.arange(n, device=xt.device).repeat_interleave(k)
    return src.cpu().numpy(), idx.reshape(-1).cpu().numpy(), w.reshape(-1).double().cpu().numpy()


@dataclass
class InfomapResult:
    modules: np.ndarray  # module of each node (0-based, by decreasing flow)
    codelength: float  # bits per step of the two-level code
    one_level_codelength: float  # bits per step with every node in one module
    clu: str  # InfoMap's .clu text
    tree: str  # InfoMap's .tree text (multi-level: a node's path names every module above it)
    levels: list[Level] = field(default_factory=list)  # the root and each level of modules below it
    paths: np.ndarray | None = None  # (n, depth) module numbers from the top module down, per node

    @property
    def saving(self) -> float:
        """Relative codelength saving of the module partition."""
        return 1.0 - self.codelength / self.one_level_codelength if self.one_level_codelength > 0 else 0.0


def run_infomap(n: int, src: np.ndarray, dst: np.ndarray, weights: np.ndarray, markov_time: float = 1.0,
                seed: int = 1, trials: int = 1, directed: bool = False, ids: np.ndarray | None = None,
                levels: str = "two") -> InfomapResult:
    """InfoMap on the links ``src -> dst`` between nodes 0..n-1 (``modules[i]``: node i's top module).
    ``ids``: the node ids the .clu and .tree texts name them by (the points' rows in their input; None:
    0..n-1); the run itself is on 0..n-1, since InfoMap's result depends on the order of the ids.
    ``levels``: "two" (the two-level code) or "multi" (modules within modules: :mod:`.hierarchy`)."""
    import infomap

    def network(flags: str):
        im = infomap.Infomap(f"{flags} --markov-time {markov_time}" + (" --directed" if directed else ""))
        im.add_nodes(range(n))
        for a, b, w in zip(src.tolist(), dst.tolist(), weights.tolist()):
            if w > 0 and a != b:
                im.add_link(a, b, w)
        return im

    two = "--two-level " if levels == "two" else ""
    im = network(f"{two}--silent --seed {seed} --num-trials {trials}")
    result = im.run()
    source = result if result is not None else im  # infomap >= 2.9 returns a Result; older versions do not
    modules_of = source.modules() if result is not None else im.get_modules()
    modules = np.zeros(n, np.int64)
    for node, module in dict(modules_of).items():
        modules[node] = module - 1
    with tempfile.TemporaryDirectory() as tmp:
        clu, tree = os.path.join(tmp, "out.clu"), os.path.join(tmp, "out.tree")
        source.write_clu(clu)
        source.write_tree(tree)
        clu_text = Path(clu).read_text(encoding="utf-8")
        tree_text = Path(tree).read_text(encoding="utf-8")
    if ids is not None:
        clu_text, tree_text = renumber_clu(clu_text, ids), renumber_tree(tree_text, ids)
    paths = module_paths(source, n)
    if levels == "two":
        steps = [Level(0, 1, float(source.one_level_codelength)),
                 Level(1, int(modules.max()) + 1, float(source.codelength))]
    else:
        steps = level_codelengths(network, paths, float(source.one_level_codelength))
    return InfomapResult(modules, float(source.codelength), float(source.one_level_codelength), clu_text, tree_text,
                         steps, paths)


def renumber_clu(text: str, ids: np.ndarray) -> str:
    """A .clu text (``node_id module flow`` lines) with node i named ``ids[i]``."""
    return _map_lines(text, lambda fields: [str(int(ids[int(fields[0])])), *fields[1:]])


def renumber_tree(text: str, ids: np.ndarray) -> str:
    """A .tree text (``path flow "name" node_id`` lines; the name is the id when none was given) with node i
    named ``ids[i]``."""

    def rename(fields: list[str]) -> list[str]:
        node = fields[-1]
        new = str(int(ids[int(node)]))
        return [*fields[:2], f'"{new}"' if fields[2] == f'"{node}"' else fields[2], *fields[3:-1], new]

    return _map_lines(text, rename)


def _map_lines(text: str, rename) -> str:
    """``text`` with every line that is not a comment split on spaces, renamed and joined again."""
    lines = [line if line.startswith("#") or not line.strip() else " ".join(rename(line.split(" ")))
             for line in text.splitlines()]
    return "\n".join(lines) + ("\n" if text.endswith("\n") else "")


def infomap_auto(n: int, src: np.ndarray, dst: np.ndarray, weights: np.ndarray, k: int, seed: int,
                 reporter=None, ids: np.ndarray | None = None, levels: str = "two") -> tuple[InfomapResult, float]:
    """InfoMap at the smallest Markov time (of MARKOV_TIMES) that leaves at most 1.5 k modules, and that time:
    longer random-walk time scales merge the small modules a kNN graph breaks into (Lambiotte et al. 2008)."""
    res = None
    for i, mt in enumerate(MARKOV_TIMES):
        if reporter is not None:  # at most every Markov time is tried: the fraction is an upper bound's
            reporter.progress(i / len(MARKOV_TIMES), f"InfoMap, Markov time {mt:g} ({i + 1} of at most {len(MARKOV_TIMES)})")
        res = run_infomap(n, src, dst, weights, markov_time=mt, seed=seed, ids=ids, levels=levels)
        if res.modules.max() + 1 <= int(np.ceil(1.5 * k)):
            return res, mt
    return res, MARKOV_TIMES[-1]

def word_graph(words_by_line: list[list[str]], vocabulary: list[str], window: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Co-occurrence graph of ``vocabulary`` words: neighbours within ``window`` words on a line."""
    index = {w: i for i, w in enumerate(vocabulary)}
    pairs: dict[tuple[int, int], int] = {}
    for words in words_by_line:
        ids = [index.get(w, -1) for w in words]
        for i, a in enumerate(ids):
            if a < 0:
                continue
            for b in ids[i + 1: i + 1 + window]:
                if b >= 0 and b != a:
                    key = (a, b) if a < b else (b, a)
                    pairs[key] = pairs.get(key, 0) + 1
    if not pairs:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    keys = np.array(list(pairs.keys()), np.int64)
    return keys[:, 0], keys[:, 1], np.array(list(pairs.values()), np.float64)

