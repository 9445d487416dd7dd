"""LaSOT extension subset reader (LaSOT-ext: 150 sequences of 15 new classes; Fan et al., IJCV 2021).

Layout and rules are LaSOT's (:mod:`trackbench.data.lasot`, official download layout
``<root>/<class>/<class>-<k>/img/00000001.jpg``, ``groundtruth.txt``, ``full_occlusion.txt``,
``out_of_view.txt``, ``nlp.txt``). The 150 names (``atv-1`` .. ``wingsuit-10``) are shipped in
``lasot_ext_sequences.txt`` (pytracking's ``lasotextensionsubsetdataset.py`` lists the same);
a listed sequence missing from the folder is an error naming it. No attribute flags ship with
the extension.
"""

from __future__ import annotations

from pathlib import Path

from trackbench.data.common import package_name_list
from trackbench.data.lasot import read_lasot
from trackbench.sequence import Dataset


def lasot_ext_sequences() -> list[str]:
    """The 150 LaSOT-ext sequence names."""
    return package_name_list("lasot_ext_sequences.txt")


def read_lasot_ext(
    root: str | Path,
    sequences: list[str] | None = None,
    *,
    name: str = "lasot-ext",
    require_images: bool = False,
) -> Dataset:
    """Read the LaSOT extension subset from ``root`` (LaSOT's layout); a listed sequence not
    found is an error naming it."""
    wanted = list(sequences) if sequences is not None else lasot_ext_sequences()
    return read_lasot(root, wanted, split="all", name=name, require_images=require_images)
