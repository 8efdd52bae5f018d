"""The ``mmlspark-py`` command: ``quickstart`` and the subcommands each area contributes.

Usage::

    mmlspark-py [--log-level WARN] [--no-progress] quickstart [--images DIR] [--output DIR] [--master local[*]]
    mmlspark-py models {add,list,build-default} ...          # the pretrained-DNN repository
    mmlspark-py prep run PACKAGE --input PATH --output PATH [--format parquet]
    mmlspark-py run|train JOB.yaml / score / register / targets   # batch jobs (jobs/commands.py)
    mmlspark-py runs list|show|compare                        # run history (tracking/cli.py)
    mmlspark-py registry list|show|alias|delete               # registered models (registry/cli.py)
    mmlspark-py serve --model models:/NAME@ALIAS              # a model as a web service (serving/cli.py)
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from typing import List, Optional

from mmlspark_py.core import progress
from mmlspark_py.dataprep.cli import add_prep_cli
from mmlspark_py.downloader.cli import add_models_cli
from mmlspark_py.jobs import console, quickstart
from mmlspark_py.jobs.commands import add_job_cli, prep_run
from mmlspark_py.registry.cli import add_registry_cli
from mmlspark_py.serving.cli import add_serve_cli
from mmlspark_py.tracking.cli import add_runs_cli


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mmlspark-py", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--log-level",
        default="WARN",
        choices=console.LEVELS,
        help="Spark's console log level for a session this command starts (default: %(default)s)",
    )
    parser.add_argument("--no-progress", action="store_true", help="print no progress (also: MMLSPARK_PY_PROGRESS=0)")
    commands = parser.add_subparsers(dest="command", required=True)
    quickstart.add_cli(commands)
    add_models_cli(commands)
    add_prep_cli(commands)
    add_runs_cli(commands)
    add_registry_cli(commands)
    add_job_cli(commands)
    add_serve_cli(commands)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``); returns the exit status."""
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    console.silence_known_warnings()
    with progress.silenced() if args.no_progress else contextlib.nullcontext():
        console.quiet_spark_start(args.log_level)
        if args.command == "prep" and getattr(args, "prep_command", None) == "run":
            return prep_run(args)  # dataprep defines the options; the job runner runs it
        return int(args.run(args))


if __name__ == "__main__":  # spark-submit runs this file: spark-submit .../mmlspark_py/jobs/cli.py quickstart ...
    sys.exit(main())
