"""Model configuration: what a checkpoint's JSON says about the architecture, validated as untrusted input."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any, Mapping

from engines.errors import InputError
from engines.latent.catalogue import BATCH_SIZE, CATEGORIES, CLUSTERS, EPOCHS, HIDDEN, LATENT, LAYERS, LIKELIHOOD, LR, MODELS

KINDS = MODELS.names
MAX_DIMS = 3 * 128 * 128  # largest data item a model is built for


@dataclass(frozen=True)
class ModelConfig:
    """The architecture. ``data_shape`` is (C, H, W) for images, (D,) for points.

    ``latent`` is the latent size of the VAEs (a flow's latent size is its data size). ``levels`` is the
    number of pixel levels used to dequantize images for the flow (17 for the 8x8 digits, 256 for 8-bit).
    """

    kind: str = "vae"
    data_shape: tuple[int, ...] = (1, 8, 8)
    latent: int = 16
    hidden: int = 256
    layers: int = 4
    clusters: int = 10
    categories: int = 10  # per categorical latent variable (the Gumbel VAE)
    levels: int = 17
    likelihood: str = "gaussian"  # VAEs on images: "gaussian" (learned per-pixel sigma) or "bernoulli"

    @property
    def is_image(self) -> bool:
        return len(self.data_shape) == 3

    @property
    def dims(self) -> int:
        n = 1
        for s in self.data_shape:
            n *= s
        return n

    @property
    def is_flow(self) -> bool:
        """A flow's latent is its data (its kind takes no latent size)."""
        return not MODELS[self.kind].has("latent")

    @property
    def has_clusters(self) -> bool:
        """A clustering prior (its kind takes a number of clusters)."""
        return MODELS[self.kind].has("clusters")

    @property
    def latent_size(self) -> int:
        """Numbers in a code: the data's (flow), one-hot blocks of ``categories`` per variable (categorical)."""
        if self.is_flow:
            return self.dims
        return self.latent * self.categories if MODELS[self.kind].has("categories") else self.latent

    @property
    def title(self) -> str:
        if MODELS[self.kind].has("categories"):
            return f"{MODELS[self.kind].label}, latent {self.latent}×{self.categories}"
        return f"{MODELS[self.kind].label}, latent {self.latent_size}"

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["data_shape"] = list(self.data_shape)
        return d

    def validated(self) -> "ModelConfig":
        if self.kind not in KINDS:
            raise InputError(f"unknown model {self.kind!r}; choose one of {', '.join(KINDS)}")
        shape = tuple(int(s) for s in self.data_shape)
        if len(shape) not in (1, 3) or any(s < 1 for s in shape):
            raise InputError(f"data shape must be (C, H, W) or (D,), got {list(self.data_shape)}")
        cfg = replace(self, data_shape=shape)
        if cfg.dims > MAX_DIMS:
            raise InputError(f"data items of {cfg.dims} numbers are too large (at most {MAX_DIMS})")
        if cfg.is_image and shape[0] not in (1, 3):
            raise InputError(f"images need 1 or 3 channels, got {shape[0]}")
        if not cfg.is_flow:
            LATENT.validate(cfg.latent)  # the ranges its form and --help show
        if cfg.is_flow and cfg.dims < 2:
            raise InputError("a NICE flow needs data with at least 2 numbers per item")
        if cfg.kind == "conv-vae" and not cfg.is_image:
            raise InputError(f"the convolutional VAE needs images, and these items are points of {cfg.dims} numbers; "
                             "use --model vae, nice or cluster-vae for points")
        if cfg.kind == "conv-vae" and min(shape[1:]) < 4:
            raise InputError(f"the convolutional VAE needs images of at least 4x4 pixels, got {shape[1]}x{shape[2]}")
        for option in (HIDDEN, LAYERS, CLUSTERS, CATEGORIES, LIKELIHOOD):
            option.validate(getattr(cfg, option.name))
        if not 2 <= cfg.levels <= 65536:
            raise InputError(f"pixel levels must be between 2 and 65536, got {cfg.levels}")
        return cfg

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str = "the config") -> "ModelConfig":
        """Parse an untrusted mapping (a checkpoint's JSON); InputError naming the bad field."""
        if not isinstance(data, Mapping):
            raise InputError(f"{source}: the model config must be a JSON object, got {type(data).__name__}")
        known = {f for f in cls.__dataclass_fields__}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InputError(f"{source}: unknown model config fields {', '.join(map(str, unknown))}")
        values: dict[str, Any] = {}
        for name, value in data.items():
            if name in ("kind", "likelihood"):
                if not isinstance(value, str):
                    raise InputError(f"{source}: {name!r} must be a string")
                values[name] = value
            elif name == "data_shape":
                if not isinstance(value, (list, tuple)) or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
                    raise InputError(f"{source}: 'data_shape' must be a list of integers")
                values[name] = tuple(value)
            else:
                if not isinstance(value, int) or isinstance(value, bool):
                    raise InputError(f"{source}: {name!r} must be an integer, got {value!r}")
                values[name] = value
        try:
            return cls(**values).validated()
        except InputError as exc:
            raise InputError(f"{source}: {exc}") from None


@dataclass(frozen=True)
class TrainConfig:
    """Optimisation settings of a training run."""

    epochs: int = 60
    batch_size: int = 64
    lr: float = 2e-3
    seed: int = 0
    kl_warmup: int = 10  # epochs over which the KL weight rises from 0.1 to 1 (VAEs)
    max_seconds: float | None = None  # stop early (keeping the weights) after this long

    def validated(self) -> "TrainConfig":
        for option in (EPOCHS, BATCH_SIZE, LR):
            option.validate(getattr(self, option.name))
        return self

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class History:
    """Loss terms per epoch (means over the epoch's batches) and held-out totals."""

    epoch: list[int] = field(default_factory=list)
    step: list[int] = field(default_factory=list)
    total: list[float] = field(default_factory=list)
    recon: list[float] = field(default_factory=list)
    kl: list[float] = field(default_factory=list)
    bpd: list[float] = field(default_factory=list)
    test_total: list[float] = field(default_factory=list)

    def copy(self) -> "History":
        return History(*(list(getattr(self, f)) for f in self.__dataclass_fields__))

    def as_arrays(self) -> dict[str, Any]:
        import numpy as np

        return {f: np.asarray(getattr(self, f), dtype=float) for f in self.__dataclass_fields__}
