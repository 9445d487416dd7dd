"""IMSiam (Tan, Xu, Wei, Neurocomputing 2022), the reference tracker plugin ``imsiam``.

Public API:

* :class:`IMSiamTracker` (``tracker.py``), the registered tracker ``imsiam``, and
  :class:`IMSiamNanoTracker`, registered as ``imsiam-nano``: the same tracker with the
  bundled IMSiam-nano weights as the default checkpoint (``weights/README.md``);
* :class:`~.model.IMSiam`, the network (``IMSiam(cfg)``; ``model(z, x, boxes)``);
* :func:`~.config.load_config`, :class:`~.config.IMSiamConfig` and friends;
* :mod:`.weights`: ``save_checkpoint``, ``load_checkpoint``, ``load_pretrained_backbone``.
"""

from functools import partialmethod

from .config import IMSiamConfig, load_config
from .tracker import IMSiamTracker
from .weights import NANO_CHECKPOINT


class IMSiamNanoTracker(IMSiamTracker):
    """``imsiam-nano``: :class:`IMSiamTracker` whose ``checkpoint`` defaults to the bundled
    IMSiam-nano model (its embedded config ``imsiam_nano``); every option is the same."""

    name = "imsiam-nano"
    __init__ = partialmethod(IMSiamTracker.__init__, checkpoint=str(NANO_CHECKPOINT))


__all__ = ["IMSiamConfig", "IMSiamNanoTracker", "IMSiamTracker", "load_config"]
