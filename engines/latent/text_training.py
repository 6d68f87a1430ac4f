"""Training the text VAE as a job: reads the lines, builds the vocabulary, streams progress and loss, stops
cleanly on cancel (the result is then the last finished epoch) or when the loss turns non-finite."""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from typing import Any, Mapping

import numpy as np
import torch

from engines import budget
from engines.checkpoints.plan import planned_model
from engines.device import DeviceLike, as_device
from engines.jobs import Cancelled, Throttle
from engines.latent.text_catalogue import TEXT_VAE
from engines.latent.text_data import read_lines
from engines.latent.text_vae import TextVAE, TextVAEConfig
from engines.latent.text_vocab import Vocabulary
from engines.threads import BACKWARD_FACTOR, step_threads

TEST_FRACTION = 0.1
PARTIAL_INTERVAL_S = 1.0


@dataclass
class TextRun:
    """A run so far (streamed as partials) or finished: the weights as numpy arrays (they cross process
    boundaries safely), the vocabulary, the loss per epoch and, when finished, held-out numbers."""

    config: TextVAEConfig
    state: dict[str, np.ndarray]
    vocab: Vocabulary
    settings: dict[str, Any]
    text: str
    lines: int
    losses: list[float] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=dict)
    note: str = ""
    finished: bool = False

    def build(self) -> TextVAE:
        """The model with these weights (on the CPU, in eval mode)."""
        model = TextVAE(self.config)
        model.load_state_dict({k: torch.from_numpy(v) for k, v in self.state.items()})
        return model.eval()


def _numpy_state(model: TextVAE) -> dict[str, np.ndarray]:
    return {k: v.detach().to("cpu").numpy().copy() for k, v in model.state_dict().items()}


@torch.no_grad()
def held_out(model: TextVAE, ids: torch.Tensor) -> dict[str, float]:
    """Negative ELBO (fixed noise) and the share of characters the posterior mean reconstructs."""
    was = model.training
    model.eval()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        terms = model.losses(ids)
    accuracy = float((model.decode(model.encode(ids)[0]) == ids).float().mean())
    model.train(was)
    return {"test_total": float(terms["total"]), "test_recon": float(terms["recon"]),
            "test_kl": float(terms["kl"]), "test_char_accuracy": accuracy}


def train_text_vae(reporter, text: str, settings: Mapping[str, Any], device: DeviceLike = "cpu",
                   lines: list[str] | None = None) -> TextRun:
    """Job: train a text VAE on the lines of ``text`` (a path or ``reviews``; or the given ``lines``) with
    ``settings`` (the options of :data:`TEXT_VAE`, checked). Streams the run after each epoch (at most one
    partial a second); a cancelled run returns the last finished epoch. Torch gets the threads a step's FLOPs
    are worth (engines.threads: one for the default sizes)."""
    s = {**TEXT_VAE.defaults(), **TEXT_VAE.settings(settings)}
    length = int(s["length"])
    if lines is None:
        reporter.progress(None, f"reading {text}")
        text, lines = read_lines(text, length, s["max_lines"], reporter)
    vocab = Vocabulary.build(lines, s["vocab"])
    ids = torch.from_numpy(vocab.encode(lines, length))
    config = TextVAEConfig(length, vocab.size, s["embed"], s["hidden"], s["latent"]).validated()
    torch.manual_seed(s["seed"])
    rng = np.random.default_rng(s["seed"])
    order = rng.permutation(len(ids))
    n_test = int(len(ids) * TEST_FRACTION) if len(ids) >= 100 else 0
    test, train = ids[order[:n_test]], ids[order[n_test:]]
    dev = as_device(device)
    planned = planned_model(lambda: TextVAE(config))  # on the meta device: nothing allocated yet
    size = sum(p.numel() * p.element_size() for p in planned.parameters())
    budget.check(f"training a text VAE of {sum(p.numel() for p in planned.parameters()):,} parameters (weights, "
                 "gradients and Adam's two moments)", 4 * size)
    model = TextVAE(config).to(dev)
    train = train.to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=s["lr"])
    batch = min(s["batch_size"], len(train))
    steps = max(1, len(train) // batch)
    warmup = s["kl_warmup"] * steps  # optimisation steps over which the KL's weight rises to 1
    run = TextRun(config, _numpy_state(model), vocab, s, text, len(lines))
    throttle = Throttle(PARTIAL_INTERVAL_S)
    start = time.monotonic()
    threads = step_threads(lambda: model.losses(train[:1], 1.0, s["free_bits"]), BACKWARD_FACTOR * batch, dev)
    try:
        with threads:
            for epoch in range(1, s["epochs"] + 1):
                model.train()
                perm = torch.from_numpy(rng.permutation(len(train))).to(dev)
                total = 0.0
                for b in range(steps):
                    done = (epoch - 1) * steps + b + 1
                    kl_weight = min(1.0, done / warmup) if warmup else 1.0
                    terms = model.losses(train[perm[b * batch:(b + 1) * batch]], kl_weight, s["free_bits"])
                    opt.zero_grad(set_to_none=True)
                    terms["objective"].backward()
                    torch.nn.utils.clip_grad_norm_(model.parameters(), 100.0)
                    opt.step()
                    total += float(terms["total"].detach())
                    reporter.check()
                loss = total / steps
                if not math.isfinite(loss):
                    run.note = (f"stopped at epoch {epoch}: the loss became non-finite; kept the weights of epoch "
                                f"{epoch - 1}")
                    break
                run.state = _numpy_state(model)
                run.losses.append(loss)
                reporter.progress(epoch / s["epochs"], f"epoch {epoch}/{s['epochs']}, -ELBO {loss:.3f} nats per line")
                if throttle():
                    reporter.partial(replace(run, losses=list(run.losses)))
    except Cancelled:
        run.note = f"cancelled after {len(run.losses)} epochs"
    model = run.build().to(dev)
    run.metrics = held_out(model, (test if n_test else train).to(dev))
    run.metrics.update(train_seconds=time.monotonic() - start, epochs=len(run.losses), lines=len(lines))
    run.finished = True
    return run
