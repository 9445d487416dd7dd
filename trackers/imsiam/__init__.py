"""IMSiam (Tan, Xu, Wei, Neurocomputing 2022), the reference tracker plugin ``imsiam``.

Public API:

* :class:`IMSiamTracker` (``tracker.py``), the registered tracker;
* :class:`~.model.IMSiam`, the network (``IMSiam(cfg)``; ``model(z, x, boxes)``);
* :func:`~.config.load_config`, :class:`~.config.IMSiamConfig` and friends;
* :mod:`.weights`: ``save_checkpoint``, ``load_checkpoint``, ``load_pretrained_backbone``.
"""

from .config import IMSiamConfig, load_config
from .tracker import IMSiamTracker

__all__ = ["IMSiamConfig", "IMSiamTracker", "load_config"]
