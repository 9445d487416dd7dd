"""Learning-rate schedule of IMSiam (spec section 6): linear warm-up, then exponential decay.

Epochs are 0-based. For the neck and head (the backbone gets ``backbone_lr_mult`` times it):

* ``epoch < warmup_epochs``: linear from ``warmup_start_lr`` (epoch 0) to ``base_lr``
  (epoch ``warmup_epochs - 1``): 1e-3, 2e-3, 3e-3, 4e-3, 5e-3 with the paper's values;
* ``epoch >= warmup_epochs``: ``base_lr * gamma ** (epoch - warmup_epochs)``:
  5e-3, 4e-3, 3.2e-3, ... 1.76e-4 at epoch 20.

The rate is constant within an epoch (the authors step the scheduler once per epoch).
"""

from __future__ import annotations


def learning_rate(
    epoch: int,
    *,
    base_lr: float = 5e-3,
    warmup_start_lr: float = 1e-3,
    warmup_epochs: int = 5,
    gamma: float = 0.8,
) -> float:
    """Neck/head learning rate during 0-based ``epoch``."""
    if epoch < 0:
        raise ValueError(f"epoch must be >= 0, got {epoch}")
    if epoch < warmup_epochs:
        if warmup_epochs == 1:
            return base_lr
        return warmup_start_lr + (base_lr - warmup_start_lr) * epoch / (warmup_epochs - 1)
    return base_lr * gamma ** (epoch - warmup_epochs)
