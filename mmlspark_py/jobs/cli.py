"""The ``mmlspark-py`` command: ``quickstart`` and the subcommands each area contributes.

Usage::

    mmlspark-py quickstart [--images DIR] [--output DIR] [--master local[*]]
    mmlspark-py models {add,list,build-default} ...          # the pretrained-DNN repository
    mmlspark-py prep run PACKAGE --input PATH --output PATH [--format parquet]
    mmlspark-py run|train JOB.yaml / score / register / targets   # batch jobs (jobs/commands.py)
    mmlspark-py runs list|show|compare                        # run history (tracking/cli.py)
    mmlspark-py registry list|show|alias|delete               # registered models (registry/cli.py)
    mmlspark-py serve --model models:/NAME@ALIAS              # a model as a web service (serving/cli.py)
"""

from __future__ import annotations

import argparse
import sys
from typing import List, Optional

from mmlspark_py.dataprep.cli import add_prep_cli
from mmlspark_py.downloader.cli import add_models_cli
from mmlspark_py.jobs import quickstart
from mmlspark_py.jobs.commands import add_job_cli, prep_run
from mmlspark_py.registry.cli import add_registry_cli
from mmlspark_py.serving.cli import add_serve_cli
from mmlspark_py.tracking.cli import add_runs_cli


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mmlspark-py", description=__doc__.splitlines()[0])
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
    if args.command == "prep" and getattr(args, "prep_command", None) == "run":
        return prep_run(args)  # dataprep defines the options; the job runner runs it
    return args.run(args)
