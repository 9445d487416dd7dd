"""trackbench: a benchmark and evaluation toolkit for single-object visual tracking.

Conventions used everywhere in the package (stated once, here):

* Images handed to trackers are ``numpy.ndarray`` of dtype ``uint8``, shape
  ``(H, W, 3)``, **RGB** channel order, C-contiguous. Adapters convert for trackers
  written for other conventions (pysot/OpenCV use BGR).
* Boxes are ``[x, y, w, h]`` float arrays: ``(x, y)`` is the top-left corner in the
  pixel coordinates written in the benchmark's annotation files. As in every official
  toolkit, coordinates are never shifted by one when read or written.
* Polygons (VOT) are ``[x1, y1, x2, y2, x3, y3, x4, y4]``.
* Frame indices in the API are 0-based; file names and official frame ranges quoted
  from the benchmarks are 1-based and say so.
"""

__version__ = "0.1.0"
