"""The ``mmlspark-py`` command: ``quickstart`` and the subcommands each area contributes.

Usage::

    mmlspark-py quickstart [--images DIR] [--output DIR] [--master local[*]]
    mmlspark-py models {add,list,build-default} ...
    mmlspark-py prep run PACKAGE --input PATH --output PATH [--format parquet]
"""

from __future__ import annotations

import argparse
import sys
from typing import List, Optional

from mmlspark_py.dataprep.cli import add_prep_cli
from mmlspark_py.downloader.cli import add_models_cli
from mmlspark_py.jobs import quickstart
from mmlspark_py.registry.cli import add_registry_cli
from mmlspark_py.tracking.cli import add_runs_cli


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mmlspark-py", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    quickstart.add_cli(commands)
    add_models_cli(commands)
    add_prep_cli(commands)
    add_runs_cli(commands)
    add_registry_cli(commands)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``); returns the exit status."""
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    return args.run(args)
