"""IMSiam (Tan, Xu, Wei, Neurocomputing 2022), the reference tracker plugin ``imsiam``.

Public API:

* :class:`IMSiamTracker` (``tracker.py``), the registered tracker ``imsiam``, and
  :class:`IMSiamNanoTracker`, registered as ``imsiam-nano``: the same tracker with the
  bundled IMSiam-nano weights as the default checkpoint (``weights/README.md``);
* :class:`~.model.IMSiam`, the network (``IMSiam(cfg)``; ``model(z, x, boxes)``);
* :func:`~.config.load_config`, :class:`~.config.IMSiamConfig` and friends;
* :mod:`.weights`: ``save_checkpoint``, ``load_checkpoint``, ``load_pretrained_backbone``.
"""

from .config import IMSiamConfig, load_config

__all__ = ["IMSiamConfig", "IMSiamNanoTracker", "IMSiamTracker", "load_config"]


def __getattr__(name: str):
    """``IMSiamTracker`` / ``IMSiamNanoTracker`` on first use: importing this package (e.g.
    for its report sections, whose options every command's parser gets) must not import torch."""
    if name in ("IMSiamTracker", "IMSiamNanoTracker"):
        from . import tracker

        return getattr(tracker, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
