"""``trackbench report``: one HTML page comparing result directories on one suite.

    trackbench report --suite SUITE [--root DATA] [--rules PROFILE] --out FOLDER [--html NAME]
                      [--checkpoint CKPT] [--sequences A,B,...] RESULT_DIR...
                      [--figures png,pdf,svg] [--dpi N] [--size screen|single|double]
                      [--names A=Name,...] [--include A,B] [--highlight A,B] [--styles styles.yaml]
                      [--single-file] [--viewer auto|all|none] [--no-stats] [--seed N] [--latex-top3]

Paper figures: ``--figures`` writes every plot into ``OUT/figures/`` in each format (PNG
always), ``--size single|double`` draws them at the column / text width of a two-column
paper with fonts legible at that size, ``--dpi`` sets the raster resolution. Trackers:
``--include`` keeps only the named ones, ``--names`` gives display names, ``--highlight``
the ones drawn thick (default: the three best); each keeps one colour and line style in
every plot, saved to ``OUT/figures/styles.yaml`` and reused with ``--styles``.
``--single-file`` inlines every figure and video into the page.

``--out`` is a folder, as on every command: the page is ``FOLDER/index.html`` (or
``FOLDER/NAME.html`` with ``--html NAME``), its assets ``FOLDER/index_files/``.

Each RESULT_DIR is one tracker's results, a folder or an archive (any layout
:mod:`trackbench.results.read` understands). Its name is the tracker's name, or
``parent/name`` where two RESULT_DIRs share a name (see
:func:`trackbench.commands.common.tracker_labels`); it is evaluated with
:func:`trackbench.metrics.evaluate.evaluate`. The page and its assets (PNG figures, CSV and LaTeX tables) are described in
:mod:`trackbench.report.html`. Plugins add options and sections through the
``trackbench.report_sections`` entry points (:mod:`trackbench.report.sections`): IMSiam's
ablation table of runs whose ``run.json`` records its components, and ``--checkpoint``
with the singular-value analysis of a checkpoint.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from trackbench.commands.common import add_dataset_arguments, add_rules_argument, load_dataset, tracker_labels
from trackbench.errors import TrackbenchError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "report",
        help="write an HTML report comparing trackers on a suite",
        description="Evaluate result directories on a suite and write one HTML report with tables and plots.",
    )
    parser.add_argument("results", nargs="+", metavar="RESULT_DIR",
                        help="one tracker's result folder or archive; its name is the tracker's name (several allowed)")
    add_dataset_arguments(parser, suite_help="benchmark suite, e.g. otb2015, lasot, vot2018, got10k-val")
    add_rules_argument(parser)
    parser.add_argument("--out", required=True, type=Path, help="output folder: writes OUT/index.html and OUT/index_files/")
    parser.add_argument("--html", default="index", metavar="NAME",
                        help="page name inside --out (default: index -> OUT/index.html)")
    from trackbench.report.sections import section_modules

    for module in section_modules():
        module.add_arguments(parser)
    parser.add_argument("--title", default=None, help="page title (default: the suite's title)")
    figures = parser.add_argument_group("figures and trackers")
    figures.add_argument("--figures", default="png", help="figure formats written to OUT/figures: png,pdf,svg (default png)")
    figures.add_argument("--dpi", type=int, default=None, help="raster resolution (default 110; 300 for print)")
    figures.add_argument("--size", default="screen", choices=sorted(FIGURE_SIZES),
                         help="figure width: screen (6 in), single (3.5 in column) or double (7.16 in text width)")
    figures.add_argument("--names", help="display names: TRACKER=Name,...")
    figures.add_argument("--include", help="only these trackers (result folder names), comma-separated")
    figures.add_argument("--highlight", help="trackers drawn thick and bold (default: the three best)")
    figures.add_argument("--styles", type=Path, help="styles.yaml of an earlier report: keep its colours and names")
    figures.add_argument("--latex-top3", action="store_true", help="colour the LaTeX table's best three red / blue / green")
    page = parser.add_argument_group("page")
    page.add_argument("--single-file", action="store_true", help="inline every figure and video into the HTML page")
    page.add_argument("--viewer", default="auto", choices=["auto", "all", "none"],
                      help="sequence viewer: auto (every sequence with images, else the 12 hardest timelines), all, none")
    page.add_argument("--no-stats", action="store_true", help="no bootstrap intervals or paired tests")
    page.add_argument("--seed", type=int, default=0, help="seed of the bootstrap resamples")
    parser.set_defaults(func=run)


FIGURE_SIZES = ("screen", "single", "double")


def _names_list(text: str | None) -> list[str] | None:
    if text is None:
        return None
    return [part.strip() for part in text.split(",") if part.strip()]


def run(args: argparse.Namespace) -> int:
    from trackbench.metrics.evaluate import evaluate
    from trackbench.report.html import ReportSpec, write_report
    from trackbench.report.sections import section_modules
    from trackbench.table_cache import background_writes

    from tqdm import tqdm

    from trackbench.report.html import ReportOptions
    from trackbench.report.plots import FigureFormat
    from trackbench.report.provenance import Provenance
    from trackbench.report.styles import parse_names, read_styles

    page_path = report_page(args.out, args.html)
    result_dirs = [Path(d) for d in args.results]
    include = _names_list(args.include)
    if include is not None:
        known = {d.name for d in result_dirs} | {d.stem for d in result_dirs}
        missing = [name for name in include if name not in known]
        if missing:
            raise TrackbenchError(f"--include names no result folder: {', '.join(missing)}")
        result_dirs = [d for d in result_dirs if d.name in include or d.stem in include]
    for directory in result_dirs:
        if not directory.exists():
            raise TrackbenchError("result directory (or archive) not found", directory)
    formats = tuple(dict.fromkeys(["png", *(f.strip().lower() for f in args.figures.split(",") if f.strip())]))
    try:
        figure_format = FigureFormat(size=args.size, formats=formats,
                                     dpi=args.dpi or (300 if args.size != "screen" else 110))
    except ValueError as exc:
        raise TrackbenchError(f"--figures / --size: {exc}") from None
    if figure_format.dpi < 30 or figure_format.dpi > 1200:
        raise TrackbenchError(f"--dpi must be between 30 and 1200, got {figure_format.dpi}")
    sections = [section for module in section_modules() for section in module.report_sections(args)]
    saved = read_styles(args.styles) if args.styles else {}
    with background_writes():  # cache entries written while the next files are parsed
        suite, dataset = load_dataset(args)
        evaluations = [evaluate(suite, dataset, directory, args.rules)
                       for directory in tqdm(result_dirs, desc="eval", unit="tracker", leave=False, disable=None)]
    names = tracker_labels(result_dirs, [e.tracker for e in evaluations])
    for evaluation, name in zip(evaluations, names):
        evaluation.tracker = name
    highlight = _names_list(args.highlight)
    unknown = [h for h in highlight or [] if h not in names]
    if unknown:
        raise TrackbenchError(f"--highlight names no tracker: {', '.join(unknown)} (trackers: {', '.join(names)})")
    spec = ReportSpec(
        suite_name=suite.name, family=suite.family, title=args.title or suite.title, rules=args.rules,
        eao_interval=suite.eao_interval, dataset_sequences=len(dataset), corner_rule=suite.corner_rule,
    )
    options = ReportOptions(
        names=parse_names(args.names), highlight=highlight, saved_styles=saved, figure_format=figure_format,
        single_file=args.single_file, viewer=args.viewer, statistics=not args.no_stats, seed=args.seed,
        latex_top3=args.latex_top3,
        provenance=Provenance.collect(args.root, args.rules, dict(zip(names, result_dirs))),
    )
    page = write_report(page_path, evaluations, spec, sections=sections, result_dirs=dict(zip(names, result_dirs)),
                        options=options, dataset=dataset)
    where = "self-contained" if args.single_file else f"figures in {page.parent / 'figures'}"
    print(f"report: {page} ({len(evaluations)} trackers, {len(dataset)} sequences; {where})")
    return 0


def report_page(out: Path, html: str) -> Path:
    """``OUT/NAME.html``; ``--out`` naming an .html file, or a NAME with a folder part, is
    an error (``--out`` is always a folder)."""
    if out.suffix.lower() in (".html", ".htm"):
        raise TrackbenchError("--out is a folder (the page is OUT/index.html); use --html NAME to name the page", out)
    name = html[: -len(".html")] if html.lower().endswith(".html") else html
    if not name or Path(name).name != name or name in (".", ".."):
        raise TrackbenchError(f"--html {html!r}: expected a plain page name such as 'index' or 'otb'")
    return out / f"{name}.html"
