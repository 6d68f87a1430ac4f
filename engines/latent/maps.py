"""Two-dimensional maps of latent codes: the codes themselves (2D latents), PCA, or t-SNE and UMAP (as jobs)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LatentMap:
    method: str  # "latent", "pca", "tsne", "umap"
    xy: np.ndarray  # (N, 2)
    explained: tuple[float, float] = (1.0, 0.0)  # PCA: variance fraction of the two axes
    components: np.ndarray | None = None  # PCA: (2, n) directions; mean in ``centre``
    centre: np.ndarray | None = None


def pca_map(z: np.ndarray) -> LatentMap:
    """The codes themselves when 2D, else their first two principal components."""
    z = np.asarray(z, np.float64)
    if z.shape[1] == 2:
        return LatentMap("latent", z.copy(), (1.0, 0.0), np.eye(2), np.zeros(2))
    centre = z.mean(axis=0)
    u, s, vt = np.linalg.svd(z - centre, full_matrices=False)
    var = s ** 2
    frac = var / max(var.sum(), 1e-300)
    components = vt[:2]
    # a deterministic sign: the largest coefficient of each direction positive
    signs = np.sign(components[np.arange(2), np.abs(components).argmax(axis=1)])
    components = components * signs[:, None]
    return LatentMap("pca", (z - centre) @ components.T, (float(frac[0]), float(frac[1])), components, centre)


def project(m: LatentMap, z: np.ndarray) -> np.ndarray:
    """Codes placed on an existing PCA map (paths drawn over the scatter)."""
    z = np.asarray(z, np.float64)
    if m.method == "latent":
        return z[:, :2]
    if m.method == "pca":
        return (z - m.centre) @ m.components.T
    raise ValueError(f"{m.method} maps cannot place new points")


def tsne_job(reporter, z: np.ndarray, perplexity: float = 30.0, seed: int = 0) -> LatentMap:
    """Job: t-SNE of the codes (scikit-learn; run it in a process so cancel can stop it)."""
    from sklearn.manifold import TSNE

    reporter.progress(None, f"t-SNE of {len(z)} codes")
    z = np.asarray(z, np.float64)
    perplexity = float(min(perplexity, max(2.0, (len(z) - 1) / 3)))
    xy = TSNE(2, perplexity=perplexity, init="pca", random_state=seed, n_jobs=1).fit_transform(z)
    reporter.progress(1.0, "t-SNE done")
    return LatentMap("tsne", xy)


def umap_job(reporter, z: np.ndarray, neighbours: int = 15, seed: int = 0) -> LatentMap:
    """Job: UMAP of the codes (McInnes, Healy & Melville 2018; umap-learn, whose first call compiles with
    numba: run it in a process so cancel can stop it)."""
    import umap

    reporter.progress(None, f"UMAP of {len(z)} codes")
    z = np.asarray(z, np.float64)
    neighbours = int(min(neighbours, max(2, len(z) - 1)))
    xy = umap.UMAP(n_components=2, n_neighbors=neighbours, random_state=seed, n_jobs=1).fit_transform(z)
    reporter.progress(1.0, "UMAP done")
    return LatentMap("umap", np.asarray(xy, np.float64))
