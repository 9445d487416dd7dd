"""The IMSiam network (pure PyTorch)."""

from .imsiam import IMSiam, parameter_counts
from .prroi_pool import PrRoIPool2D, prroi_pool2d

__all__ = ["IMSiam", "parameter_counts", "PrRoIPool2D", "prroi_pool2d"]
