"""What the latent engine offers, as plain data (no torch): the model kinds with their training defaults and
the settings each takes, the pixel likelihoods, the built-in data sets, the map projections, the path modes
and the path-length distances. Argparse options, the panel's train form and help texts come from here.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from engines.catalogue import Catalogue, Entry, Option, seed_option

LIKELIHOODS = Catalogue("likelihood", (
    Entry("gaussian", "Gaussian", "Gaussian with a learned standard deviation per pixel or coordinate (σ ≥ 0.03); "
          "of dequantized pixels: each level spread uniformly over its bin"),
    Entry("bernoulli", "Bernoulli", "Bernoulli on pixels in [0, 1] (binary cross-entropy); images only"),
))

# the settings of a training run; a kind takes some of them, with its own defaults (see MODELS)
LATENT = Option("latent", "Latent", "int", 16, 2, 128, help="latent size (a flow's is its data size)")
HIDDEN = Option("hidden", "Hidden", "int", None, 8, 2048, help="hidden width")
LAYERS = Option("layers", "Layers", "int", 4, 2, 16, help="coupling layers of the flow (NICE; the f-VAE's decoder)")
CLUSTERS = Option("clusters", "Clusters", "int", 10, 2, 64, help="clusters of the clustering prior")
CATEGORIES = Option("categories", "Categories", "int", 10, 2, 64,
                    help="categories of each categorical latent (the latent size counts the variables)")
LIKELIHOOD = Option("likelihood", "Likelihood", "choice", "gaussian", choices=LIKELIHOODS.names,
                    help="pixel likelihood (gaussian: with a learned sigma per pixel)")
EPOCHS = Option("epochs", "Epochs", "int", None, 1, 100_000, help="passes over the training items")
LR = Option("lr", "Learning rate", "float", None, 1e-5, 0.5, help="peak learning rate of the one-cycle schedule",
            step=1e-4, decimals=5)
BATCH_SIZE = Option("batch_size", "Batch size", "int", 64, 1, 65536, help="items per optimisation step")
SEED = seed_option(help="seed of initialisation and batches")
SETTINGS = (LATENT, HIDDEN, LAYERS, CLUSTERS, CATEGORIES, LIKELIHOOD, EPOCHS, LR, BATCH_SIZE, SEED)  # form and --help order
EVERY_KIND = ("hidden", "epochs", "lr", "batch_size", "seed")


@dataclass(frozen=True)
class ModelKind(Entry):
    """A model that the panel and ``workbench train latent`` build: its class as ``"module:Class"``
    (imported when built), and as ``options`` the settings it takes with its own defaults (tuned to train
    to a useful point on the digits in seconds on one core). A kind without ``latent`` is a flow (its
    latent is its data); one with ``clusters`` has a clustering prior."""

    model: str = ""

    def has(self, name: str) -> bool:
        return any(o.name == name for o in self.options)


def _kind(name: str, label: str, model: str, description: str, citation: str, url: str, takes: tuple[str, ...],
          module: str = "engines.latent.models", **defaults) -> ModelKind:
    options = tuple(replace(o, default=defaults.get(o.name, o.default)) for o in SETTINGS
                    if o.name in takes or o.name in EVERY_KIND)
    return ModelKind(name, label, description, options, citation, url, model=f"{module}:{model}")


KINGMA = ("Kingma & Welling 2013: Auto-Encoding Variational Bayes", "https://arxiv.org/abs/1312.6114")
MODELS: Catalogue[ModelKind] = Catalogue("model", (
    _kind("vae", "VAE (MLP)", "VAE", "variational autoencoder with MLP encoder and decoder", *KINGMA,
          ("latent", "likelihood"), epochs=100, hidden=128, lr=2e-3),
    _kind("conv-vae", "VAE (convolutional)", "ConvVAE", "variational autoencoder with convolutions (images only)", *KINGMA,
          ("latent", "likelihood"), epochs=60, hidden=256, lr=2e-3),
    _kind("nice", "NICE flow", "NICE", "additive-coupling normalising flow; its latent is the data's size",
          "Dinh et al. 2014: NICE, non-linear independent components estimation", "https://arxiv.org/abs/1410.8516",
          ("layers",), epochs=60, hidden=96, lr=1e-3),
    _kind("cluster-vae", "VAE with clustering prior", "ClusterVAE", "VAE whose prior is a mixture: one Gaussian per cluster",
          "Su Jianlin: 变分自编码器(四):一步到位的聚类方案", "https://kexue.fm/archives/5887",
          ("latent", "clusters", "likelihood"), epochs=100, hidden=128, lr=2e-3),
    _kind("fvae", "f-VAE (flow decoder)", "FVAE", "VAE whose decoder p(x|z) is a flow conditioned on z: exact log p(x|z)",
          "Su et al. 2018: f-VAEs, Improve VAEs with Conditional Flows", "https://arxiv.org/abs/1809.05861",
          ("latent", "layers"), module="engines.latent.fvae", epochs=100, hidden=128, lr=1e-3, layers=4),
    _kind("gumbel-vae", "Gumbel-softmax VAE", "GumbelVAE",
          "VAE with categorical latents relaxed by Gumbel-softmax, temperature annealed; latent = variables",
          "Jang et al. 2017: Categorical Reparameterization with Gumbel-Softmax", "https://arxiv.org/abs/1611.01144",
          ("latent", "categories", "likelihood"), module="engines.latent.gumbel", epochs=100, hidden=128, lr=2e-3,
          latent=8),
))


@dataclass(frozen=True)
class DataSet(Entry):
    """A built-in data set (user files are opened by path)."""

    points: bool = False  # 2D points rather than images


DATASETS: Catalogue[DataSet] = Catalogue("data set", (
    DataSet("digits", "digits (8×8, 1,797)", "scikit-learn's 1,797 handwritten digits, 8×8 pixels"),
    *(DataSet(name, f"{name} (2D points)", f"2,000 points of the {name.replace('_', ' ')} toy set", points=True)
      for name in ("moons", "circles", "swiss_roll", "gaussian_mixture", "eight_gaussians", "checkerboard", "rings")),
))

PROJECTIONS = Catalogue("map", (
    Entry("pca", "PCA (or the 2D latent)", "the first two principal components of the codes (a 2D latent as it is)"),
    Entry("tsne", "t-SNE", "t-SNE of the codes (computed on request, in a worker process)",
          citation="van der Maaten & Hinton 2008: Visualizing Data using t-SNE",
          url="https://jmlr.org/papers/v9/vandermaaten08a.html"),
    Entry("umap", "UMAP", "UMAP of the codes (computed on request, in a worker process)",
          citation="McInnes, Healy & Melville 2018: UMAP", url="https://arxiv.org/abs/1802.03426"),
))

INTERPOLATIONS = Catalogue("interpolation", (
    Entry("lerp", "lerp", "the straight line (1 − t) z₀ + t z₁: its middle dips below the prior's shell"),
    Entry("slerp", "slerp", "the great circle between z₀ and z₁: keeps the norm of equal-norm ends",
          citation="White 2016: Sampling Generative Networks (slerp)", url="https://arxiv.org/abs/1609.04468"),
))

ACTIVE_NATS = 0.01  # a latent coordinate whose mean KL(q(z_i | x) || N(0, 1)) is above this carries information

KARRAS = ("Karras et al. 2019: StyleGAN (perceptual path length)", "https://arxiv.org/abs/1812.04948")
DISTANCES = Catalogue("distance", (
    Entry("pixel", "pixel", "squared distance between the decoded items", citation=KARRAS[0], url=KARRAS[1]),
    Entry("feature", "feature", "squared distance in a fixed random feature space (16 3×3 filters, ReLU, 2×2 "
          "pooling; images only)", citation=KARRAS[0], url=KARRAS[1]),
))


def citations() -> tuple[tuple[str, str], ...]:
    """(citation, url) of every entry above that cites one, each once, in catalogue order."""
    seen: dict[str, str] = {}
    for catalogue in (MODELS, PROJECTIONS, INTERPOLATIONS, DISTANCES):
        for entry in catalogue:
            if entry.citation:
                seen.setdefault(entry.citation, entry.url)
    return tuple(seen.items())
