"""The fields Workbench reads from a diffusers folder's configs, validated where they are parsed, each with
its range: the UNet's sample shape and the counts that set how many layers it has (checked before even its
meta-device plan is made), and the scheduler's β schedule, step count and prediction type.

Field names and defaults are those of diffusers' ``UNet2DModel`` and ``DDPMScheduler``
(https://huggingface.co/docs/diffusers/api/models/unet2d, .../api/schedulers/ddpm)."""
from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np

from engines.catalogue import Option
from engines.diffusion.schedules import VPSchedule, cosine_betas, linear_betas
from engines.errors import InputError

SAMPLE_SIZE = Option("sample_size", "Sample size", "int", 32, 1, 1024, help="image side (or [height, width])")
IN_CHANNELS = Option("in_channels", "Channels", "int", 3, 1, 16, help="image channels")
LAYERS_PER_BLOCK = Option("layers_per_block", "Layers per block", "int", 2, 1, 16, help="ResNet layers per block")
MAX_BLOCKS = 8  # entries of block_out_channels / down_block_types / up_block_types

NUM_TRAIN_TIMESTEPS = Option("num_train_timesteps", "Training steps", "int", 1000, 2, 100_000,
                             help="diffusion steps the model was trained with")
BETA_START = Option("beta_start", "β start", "float", 1e-4, 1e-8, 0.5, help="first β of the schedule")
BETA_END = Option("beta_end", "β end", "float", 0.02, 1e-8, 0.999, help="last β of the schedule")
BETA_SCHEDULE = Option("beta_schedule", "β schedule", "choice", "linear",
                       choices=("linear", "scaled_linear", "squaredcos_cap_v2"), help="how β grows")
PREDICTION_TYPE = Option("prediction_type", "Prediction", "choice", "epsilon",
                         choices=("epsilon", "v_prediction", "sample"), help="what the network predicts")


def _checked(option: Option, value: Any, source: str) -> Any:
    """``value`` checked against ``option``; JSON's NaN and Infinity are refused here too."""
    if isinstance(value, float) and not math.isfinite(value):
        raise InputError(f"{source}: {option.name} must be {option.range_text}, got {value}")
    return option.validate(value, f"{source}:")


def _field(config: Mapping[str, Any], option: Option, source: str) -> Any:
    """The field's value checked against its option (a missing field or JSON null: the default)."""
    value = config.get(option.name)
    return _checked(option, option.default if value is None else value, source)


def unet_shape(config: Mapping[str, Any], source: str = "config.json") -> tuple[int, int, int]:
    """(C, H, W) of the UNet's samples, after checking the fields that size it; InputError naming the field
    and its range."""
    size = config.get("sample_size")
    if isinstance(size, list) and len(size) == 2:
        height, width = (_checked(SAMPLE_SIZE, side, source) for side in size)
    else:
        height = width = _field(config, SAMPLE_SIZE, source)
    _field(config, LAYERS_PER_BLOCK, source)
    for name in ("block_out_channels", "down_block_types", "up_block_types"):
        value = config.get(name)
        if value is not None and not (isinstance(value, list) and 1 <= len(value) <= MAX_BLOCKS):
            raise InputError(f"{source}: {name} must be a list of 1 to {MAX_BLOCKS} entries")
    return (_field(config, IN_CHANNELS, source), height, width)


def scheduler_settings(config: Mapping[str, Any], source: str = "scheduler_config.json") -> tuple[VPSchedule, str]:
    """The β schedule and prediction type a scheduler config describes (DDPM's defaults where it says
    nothing); InputError naming the field and its range."""
    steps = _field(config, NUM_TRAIN_TIMESTEPS, source)
    kind = _field(config, BETA_SCHEDULE, source)
    start, end = _field(config, BETA_START, source), _field(config, BETA_END, source)
    if start > end:
        raise InputError(f"{source}: beta_start ({start:g}) must not exceed beta_end ({end:g})")
    if kind == "linear":
        betas = linear_betas(steps, start, end)
    elif kind == "scaled_linear":
        betas = np.linspace(start ** 0.5, end ** 0.5, steps) ** 2
    else:
        betas = cosine_betas(steps)
    return VPSchedule.from_betas(betas, kind), _field(config, PREDICTION_TYPE, source)
