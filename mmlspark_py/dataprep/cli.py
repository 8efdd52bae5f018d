"""``mmlspark-py prep run PACKAGE --input PATH --output PATH [--format parquet]``.

``add_prep_cli(subparsers)`` adds the ``prep`` command (with its ``run`` subcommand) to an argparse
subparsers object; the ``mmlspark-py`` entry point wires it in. PACKAGE is a saved prep package
(PipelineModel folder) or a YAML/JSON step file (see ``package.py``). Also runnable through
``spark-submit`` with a script that calls ``main(["run", ...])``.

Example::

    mmlspark-py prep run prep.yaml --input people.csv --output clean --format parquet
"""

from __future__ import annotations

import argparse
import sys
from typing import List, Optional

from .package import FORMATS, run_prep_package


def add_prep_cli(subparsers: argparse._SubParsersAction) -> None:
    """Add ``prep run`` to ``subparsers`` (its handler is ``args.run(args)``)."""
    prep = subparsers.add_parser("prep", help="run data preparation packages")
    commands = prep.add_subparsers(dest="prep_command", required=True)
    run = commands.add_parser("run", help="apply a prep package to a dataset, writing atomically")
    run.add_argument("package", help="saved package folder or a .yaml/.json step file")
    run.add_argument("--input", required=True, help="input dataset (any Hadoop path)")
    run.add_argument("--output", required=True, help="output folder; written to a sibling, then renamed")
    run.add_argument("--format", default="parquet", choices=FORMATS, help="output format (default: %(default)s)")
    run.add_argument("--input-format", choices=FORMATS, help="input format (default: from the extension, else parquet)")
    run.add_argument("--overwrite", action="store_true", help="replace an existing output")
    run.add_argument(
        "--master",
        default=None,
        help="Spark master for a new session (default: as configured by "
        "spark-submit, spark-defaults.conf or MASTER; local[*] when nothing is)",
    )
    run.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    from mmlspark_py.core.session import get_spark

    spark = get_spark(master=args.master, app_name="mmlspark-py prep run")
    out = run_prep_package(
        spark,
        args.package,
        args.input,
        args.output,
        args.format,
        input_format=args.input_format,
        overwrite=args.overwrite,
    )
    print(f"prep run: wrote {out} ({args.format}) on master {spark.conf.get('spark.master', 'unknown')}")
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    """Run ``prep`` subcommands alone, e.g. ``main(["run", "prep.yaml", "--input", ...])``."""
    parser = argparse.ArgumentParser(prog="mmlspark-py")
    add_prep_cli(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["prep"] + list(sys.argv[1:] if argv is None else argv))
    return args.run(args)
