"""The two records behind every benchmark: :class:`Family` and :class:`Suite`.

A **family** is what suites of one benchmark share: how its folder is read, which
protocol runs trackers on it, which result layout holds their output, how results are
scored, which table columns and figures show the scores and which metric ranks
trackers. A **suite** is one benchmark by name (``otb2015``, ``vot2019``, ...): a family
plus the dataset split and the protocol's constants. Every command looks both up in
:mod:`trackbench.suites.registry`; nothing else branches on benchmark names. How to add
one: docs/architecture.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Literal

from trackbench.sequence import Dataset

if TYPE_CHECKING:
    from trackbench.metrics.evaluate import TrackerEvaluation
    from trackbench.metrics.profiles import RuleProfile
    from trackbench.results.read import ResultIndex

Protocol = Literal["ope", "supervised", "longterm", "realtime", "tre", "sre"]
LayoutKind = Literal["ope", "got10k", "vot", "vot-longterm", "vot-realtime", "otb-tre", "otb-sre"]


def _always(path: Path) -> bool:
    return True


@dataclass(frozen=True)
class Reader:
    """How a suite's folder becomes a :class:`~trackbench.sequence.Dataset`.

    Attributes:
        read: ``read(suite, folder, sequences, require_images)``.
        has_native_layout: True when the folder is in the benchmark's own layout (else a
            pysot-style JSON named in ``Suite.pysot_json`` found in it is read instead).
        prepare: called with the resolved root before reading; returns the folder to read
            (the demo suite generates its data there). None: the folder must exist.
        json_sequences: the sequence list to take from a pysot JSON for a split
            (OTB2013's 51 out of ``OTB100.json``), or None for all of them.
    """

    read: Callable[["Suite", Path, "list[str] | None", bool], Dataset]
    has_native_layout: Callable[[Path], bool] = _always
    prepare: Callable[[Path], Path] | None = None
    json_sequences: Callable[["str | None"], "list[str] | None"] | None = None


@dataclass(frozen=True)
class Family:
    """What every suite of one benchmark family shares.

    Attributes:
        name: ``"otb"``, ``"vot"``, ``"got10k"``, ``"lasot"`` (also the rule-profile and
            attribute-table key, and what ``trackbench list suites`` prints).
        protocol: ``"ope"`` (one pass), ``"supervised"`` (VOT reset-based baseline),
            ``"longterm"`` (VOT long-term), ``"realtime"`` (VOT real-time), ``"tre"`` /
            ``"sre"`` (OTB temporal / spatial robustness).
        layout: the result layout of :mod:`trackbench.results.layout` its runs write.
        reader: how its folders are read (a suite may override it).
        evaluate: ``evaluate(suite, dataset, index, profile, *, strict, mismatches) ->
            TrackerEvaluation`` (``strict`` and ``mismatches``: see
            :func:`trackbench.metrics.evaluate.evaluate`).
        columns: metric keys of the ``trackbench eval`` table, in order.
        rank_key: the metric that ranks trackers (tables, legends, report order).
        sequence_metric: the per-sequence metric of the report's best / worst sequences.
        figures: the report's main figures, names known to :mod:`trackbench.report.figures`.
        breakdown: ``"per_attribute"`` or ``"per_tag"``: the report's breakdown table.
        breakdown_metric: the metric of that table (None: ``rank_key``).
    """

    name: str
    protocol: Protocol
    layout: LayoutKind
    reader: Reader
    evaluate: Callable[..., "TrackerEvaluation"]
    columns: tuple[str, ...]
    rank_key: str
    sequence_metric: str
    figures: tuple[str, ...]
    breakdown: str = "per_attribute"
    breakdown_metric: str | None = None


@dataclass(frozen=True)
class Suite:
    """Everything needed to reproduce a benchmark number.

    Attributes:
        name: canonical suite name (``otb2015``).
        family: the benchmark family record (metrics, layout, protocol, report).
        title: for plot titles (``"OTB2015"``, ``"VOT2018"``, ``"LaSOT"``, ``"GOT-10k"``).
        repetitions: runs per sequence (GOT-10k 3, VOT 15; deterministic trackers run once).
        eao_interval: VOT expected-average-overlap sequence-length interval (inclusive).
        corner_rule: VOT rectangle rasterisation, ``"x+w"`` (VOT2016-2018) or ``"x+w-1"`` (VOT2019).
        burnin: frames after a re-initialisation excluded from VOT accuracy.
        skip_initialize: frames skipped after a VOT failure before re-initialising.
        split: the reader's list or split (``tb100``, ``otb2013``, ``tb50``, ``val``, ``test``).
        aliases: other accepted names.
        folders: folder names looked for under the dataset roots, in order.
        pysot_json: file names of the pysot-style JSON accepted in a root folder.
        reader: overrides the family's reader (the demo and custom suites).
        generic: the name says nothing about which benchmark's settings apply (``custom``):
            trackers get the family's name as their ``suite`` option.
    """

    name: str
    family: Family
    title: str
    repetitions: int = 1
    eao_interval: tuple[int, int] | None = None
    corner_rule: str | None = None
    burnin: int | None = None
    skip_initialize: int | None = None
    split: str | None = None
    aliases: tuple[str, ...] = ()
    folders: tuple[str, ...] = ()
    pysot_json: tuple[str, ...] = ()
    reader: Reader | None = None
    generic: bool = False

    @property
    def protocol(self) -> Protocol:
        return self.family.protocol

    @property
    def layout(self) -> LayoutKind:
        return self.family.layout

    @property
    def folder_reader(self) -> Reader:
        return self.reader or self.family.reader

    def load(
        self,
        root: str | Path | None = None,
        sequences: list[str] | None = None,
        *,
        require_images: bool = False,
        absent_flag: str | None = None,
    ) -> Dataset:
        """Read the suite's dataset from ``root`` (or the places listed in
        :mod:`trackbench.suites.roots`).

        ``sequences``: a subset by name (any naming style). ``require_images``: check that
        every sequence's image files exist (running a tracker needs them; evaluating does not).
        ``absent_flag``: polarity of a pysot JSON's ``absent`` lists (``visible`` /
        ``absent``; None infers it, see :mod:`trackbench.data.pysot_json`).
        """
        from trackbench.data.pysot_json import read_pysot_json
        from trackbench.errors import TrackbenchError
        from trackbench.suites.roots import missing_dataset_error, resolve_root

        reader = self.folder_reader
        path = resolve_root(self.name, root)
        if reader.prepare is not None:
            path = reader.prepare(path)
        elif not path.exists():
            raise missing_dataset_error(self.name, root)
        if path.is_file():
            if path.suffix.lower() != ".json":
                raise TrackbenchError("expected a dataset folder or a pysot-style .json file", path)
            json_file: Path | None = path
        elif reader.has_native_layout(path):
            json_file = None
        else:
            json_file = next((path / n for n in self.pysot_json if (path / n).is_file()), None)
        if json_file is not None:
            if sequences is None and reader.json_sequences is not None:
                sequences = reader.json_sequences(self.split)
            return read_pysot_json(
                json_file, sequences, name=self.name, family=self.family.name, require_images=require_images,
                absent_flag=absent_flag,
            )
        return reader.read(self, path, sequences, require_images)
