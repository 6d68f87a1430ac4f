"""Train a VAE, a convolutional VAE, a NICE flow or a clustering VAE and save it.

writes CKPT.safetensors (the weights) and CKPT.json (architecture, hyperparameters, data set,
training steps, held-out metrics, version and the sha256 of the weights).

examples:
  workbench train latent --model vae --dataset digits --latent 16 --out resources/checkpoints/digits_vae
  workbench train latent --model nice --dataset digits --out runs/nice
  workbench train latent --model vae --dataset moons --latent 2 --out runs/moons_vae
  workbench train latent --model conv-vae --dataset images/ --size 28x28 --channels 1 --out runs/mine
  workbench train latent --model text-vae --text reviews --length 5 --epochs 5 --out runs/text_vae
"""
from __future__ import annotations

import argparse
from pathlib import Path

from cli.plumbing import add_option, add_out, device_of, run_task
from cli.run_latent import data_spec, dataset_arguments
from cli.train_text_vae import add_text_arguments, given_text_settings, run_text

VERB, NAME = "train", "latent"
HELP = "Latent space: train a VAE or a flow and save it"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from engines.latent.catalogue import MODELS, SETTINGS

    from engines.latent.text_catalogue import TEXT_VAE

    kinds = (*MODELS, TEXT_VAE)
    parser.add_argument("--model", choices=[k.name for k in kinds], default=MODELS.names[0],
                        help=", ".join(f"{k.name} ({k.description})" for k in kinds) + f" (default {MODELS.names[0]})")
    dataset_arguments(parser, "digits")
    for option in SETTINGS:  # None: the model's default, so that a setting the model does not take is refused
        add_option(parser, option, default=None, help=_help(option))
    add_text_arguments(parser)
    add_out(parser, "CKPT", help="checkpoint to write: CKPT.safetensors and CKPT.json beside it")


def _help(option) -> str:
    """The option's help with the models that take it and their defaults."""
    from engines.latent.catalogue import MODELS
    from engines.latent.text_catalogue import TEXT_VAE

    kinds = (*MODELS, TEXT_VAE)
    defaults = {k.name: k.option(option.name).default for k in kinds if option.name in k.defaults()}
    show = {name: f"{v:g}" if isinstance(v, float) else str(v) for name, v in defaults.items()}
    default = next(iter(show.values())) if len(set(show.values())) == 1 else \
        "per model: " + ", ".join(f"{name} {v}" for name, v in show.items())
    only = "" if len(defaults) == len(kinds) else f"; {', '.join(defaults)} only"
    limits = "" if option.kind == "choice" else f"; {option.range_text}"
    return f"{option.help}{only} (default {default}{limits})"


DISCRETE = " of the discrete pixels, at their bins' centres"


def run(args: argparse.Namespace) -> int:
    from engines.latent.catalogue import SETTINGS
    from tasks.latent import TrainRequest, save_job, train_job, trained_info

    given = {o.name: getattr(args, o.name) for o in SETTINGS if getattr(args, o.name) is not None}
    if args.model == "text-vae":
        return run_text(args, given)
    if args.text or given_text_settings(args):
        from engines.errors import InputError

        raise InputError(f"--text and {', '.join(sorted(given_text_settings(args)) or ['the text options'])} go "
                         "with --model text-vae")
    spec = data_spec(args)
    result = run_task(train_job, TrainRequest(args.model, spec, given), device=device_of(args, "cpu"))
    body = run_task(save_job, args.out, result.config, result.state, trained_info(result))
    m = result.metrics
    if result.config.is_flow:
        score = f"held-out {m['test_bits_per_dim']:.3f} bits/dim (NLL ≈ {m['test_discrete']:.2f} nats per item{DISCRETE})"
    else:
        score = (f"held-out -ELBO {m['test_discrete']:.2f} nats per item{DISCRETE if result.config.is_image else ''} "
                 f"(reconstruction {m['test_discrete'] - m['test_kl']:.2f}, KL {m['test_kl']:.2f}); "
                 f"reconstruction MSE {m['test_recon_mse']:.4f} (the data's mean scores {m['mean_image_mse']:.4f})")
        if "test_purity" in m:
            score += f"; cluster purity {m['test_purity']:.3f}"
    out = Path(args.out)
    print(f"trained {result.config.title} on {spec.describe()} in {m['train_seconds']:.1f} s "
          f"({m['epochs']} epochs, {m['steps']} steps): {score}. Wrote {body['weights']} and its .json to {out.parent}")
    if result.note:
        print(f"note: {result.note}")
    return 0
