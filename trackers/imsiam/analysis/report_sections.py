"""IMSiam's sections of ``trackbench report`` (entry point ``imsiam`` of the group
``trackbench.report_sections``; see :mod:`trackbench.report.sections`).

* Ablation: result folders whose ``run.json`` records IMSiam components
  (:func:`.ablation.read_components`); the table appears when two or more do.
* Singular values (``--checkpoint CKPT``): the analysis of :mod:`.svd` for that checkpoint.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from trackbench.report.sections import ReportSection, SectionInputs

if TYPE_CHECKING:
    from trackbench.trackers.imsiam.analysis.svd import SvdAnalysis

# The analyses (torch, matplotlib) are imported where a section is built: add_arguments runs
# whenever any command's parser is built (trackbench eval too), so this module stays light.

TEMPLATES = Path(__file__).parent / "templates"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--checkpoint", type=Path, default=None, help="IMSiam checkpoint: add the singular-value analysis")


def report_sections(args: argparse.Namespace) -> list[ReportSection]:
    """The ablation section (always offered; shown for two or more component records) and,
    with ``--checkpoint``, the singular-value section (the checkpoint is analysed now)."""
    sections = [ablation_section()]
    if getattr(args, "checkpoint", None) is not None:
        from trackbench.trackers.imsiam.analysis.svd import analyze_checkpoint

        sections.append(svd_section(analyze_checkpoint(args.checkpoint)))
    return sections


def ablation_section(components: dict[str, dict] | None = None) -> ReportSection:
    """The ablation table of the trackers' component records: ``components`` by tracker
    name, or (None) read from each result folder's ``run.json``."""

    def build(inputs: SectionInputs) -> dict | None:
        from trackbench.report import tables
        from trackbench.trackers.imsiam.analysis import ablation

        records = components
        if records is None:
            records = {}
            for name, directory in inputs.result_dirs.items():
                record = ablation.read_components(directory)
                if record is not None:
                    records[name] = record
        if len(records) < 2:
            return None
        frame = ablation.ablation_table(records, inputs.scores, inputs.primary)
        assets = inputs.assets
        return {
            "headers": ["Variant", "Stages", *ablation.COMPONENTS.values(), tables.metric_label(inputs.primary)],
            "rows": ablation.ablation_cells(frame, inputs.primary),
            "csv": assets.csv(ablation.ablation_csv_frame(frame), "ablation"),
            "tex": assets.text(ablation.ablation_latex(frame, inputs.primary, caption="Ablation study."), "ablation", ".tex"),
        }

    return ReportSection(TEMPLATES / "ablation.html.j2", "ablation", build)


def svd_section(analysis: SvdAnalysis) -> ReportSection:
    """The singular values of ``analysis`` (figure, table, CSV of every value)."""

    def build(inputs: SectionInputs) -> dict:
        from trackbench.trackers.imsiam.analysis.svd import spectra_frame, summary_frame, svd_figure

        assets = inputs.assets
        summary = summary_frame(analysis).reset_index()
        return {
            "figure": assets.figure(svd_figure(analysis), "svd", "Normalised singular values of the sampling projection"),
            "rows": summary.to_dict("records"),
            "channels": analysis.channels,
            "outputs": len(next(iter(analysis.spectra.values()))["W"]),
            "source": Path(analysis.source).name if analysis.source else "",
            "csv": assets.csv(spectra_frame(analysis), "svd-spectra", "%.6g"),
        }

    return ReportSection(TEMPLATES / "svd.html.j2", "svd", build)
