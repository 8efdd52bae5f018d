"""The job commands of ``mmlspark-py``; each runs one job through :func:`mmlspark_py.jobs.runner.run_job`.

Usage::

    mmlspark-py run JOB.yaml [--target NAME]            # any job kind, from a job file
    mmlspark-py train JOB.yaml [--target NAME]          # a train job file (kind defaults to train)
    mmlspark-py score --model models:/NAME@ALIAS --input PATH --output PATH [--format parquet|csv|json|orc]
    mmlspark-py register --model PATH_OR_URI --name NAME [--alias A] [--training-data PATH]
    mmlspark-py targets [--targets FILE]                # the compute targets defined
    mmlspark-py prep run PACKAGE --input PATH --output PATH   # the prep job kind (dataprep's options)

Options of every job command: ``--target NAME``, ``--targets FILE`` (:mod:`mmlspark_py.jobs.targets`),
``--experiment NAME``, ``--no-track`` (no MLflow run), ``--tracking-uri URI``; progress is off with
``mmlspark-py --no-progress ...``.
Under spark-submit use the entry files: ``spark-submit --master URL .../mmlspark_py/jobs/score.py --model ...``
(also ``train.py``, ``register.py``, ``prep.py``, ``run.py``).

Exit status: 0 done, 2 the job was rejected before it started (bad spec, input, target or model), 1 it failed.
Results are printed to stdout as ``key: value`` lines; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, Dict

from mmlspark_py.core.spec import SpecError
from mmlspark_py.jobs.runner import JobError, build_spec, read_job_file, run_job
from mmlspark_py.jobs.targets import Target, TargetError, describe_targets


def _job_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--target", help="compute target name (see `mmlspark-py targets`)")
    parser.add_argument("--targets", help="targets file (default: $MMLSPARK_TARGETS, ./mmlspark-targets.yaml)")
    parser.add_argument("--experiment", help="MLflow experiment of the run (default: the job kind)")
    parser.add_argument("--no-track", dest="track", action="store_false", help="do not record an MLflow run")
    parser.add_argument("--tracking-uri", help="MLflow tracking/registry URI (default: ./mlflow.db)")


def add_job_cli(subparsers: argparse._SubParsersAction) -> None:
    """Add ``run``, ``train``, ``score``, ``register`` and ``targets`` to an argparse subparsers object."""
    run = subparsers.add_parser("run", help="run a job file of any kind (train, score, register, prep, ...)")
    run.add_argument("job", help="job file (.yaml/.json)")
    train = subparsers.add_parser("train", help="run a train job file")
    train.add_argument("job", help="job file (.yaml/.json); kind defaults to train")
    score = subparsers.add_parser("score", help="score a data set with a registered model, writing atomically")
    score.add_argument("--model", required=True, help="models:/NAME@ALIAS, models:/NAME/VERSION or runs:/RUN/model")
    score.add_argument("--input", required=True, help="input data (any Hadoop path)")
    score.add_argument("--output", required=True, help="output folder (written atomically)")
    score.add_argument("--format", default="parquet", choices=("parquet", "csv", "json", "orc"))
    score.add_argument(
        "--input-format",
        choices=("parquet", "csv", "json", "orc"),
        help="input format (default: from the extension, else parquet)",
    )
    score.add_argument("--overwrite", action="store_true", help="replace an existing output")
    register = subparsers.add_parser("register", help="register a saved or logged model as a new version")
    register.add_argument("--model", required=True, help="saved model folder, or runs:/RUN/model")
    register.add_argument("--name", required=True, help="registered model name")
    register.add_argument("--alias", help="set this alias to the new version")
    register.add_argument("--training-data", help="the training data (signature and lineage)")
    register.add_argument("--training-format", choices=("parquet", "csv", "json", "orc"))
    register.add_argument("--description")
    for parser, handler in ((run, _run_file), (train, _run_file), (score, _score), (register, _register)):
        _job_options(parser)
        parser.set_defaults(run=handler)
    targets = subparsers.add_parser("targets", help="list the compute targets")
    targets.add_argument("--targets", help="targets file")
    targets.set_defaults(run=_targets)


def _execute(args: argparse.Namespace, job: Dict[str, Any], master_target: Any = None) -> int:
    """Build, run and report one job; maps rejections to exit status 2."""
    if getattr(args, "tracking_uri", None):
        from mmlspark_py.tracking import configure

        configure(uri=args.tracking_uri)
    try:
        spec = build_spec(job)
        results = run_job(
            spec,
            target=getattr(args, "target", None) or job.get("target"),
            targets_file=getattr(args, "targets", None),
            experiment=getattr(args, "experiment", None) or job.get("experiment"),
            run_name=job.get("runName"),
            track=getattr(args, "track", True),
            explicit_target=master_target,
        )
    except (SpecError, JobError, TargetError, FileExistsError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except Exception as e:
        from mmlspark_py.registry import RegistryError

        if isinstance(e, RegistryError):
            print(f"error: {e}", file=sys.stderr)
            return 2
        raise
    for key, value in results.items():
        print(f"{key}: {value}")
    return 0


def _run_file(args: argparse.Namespace) -> int:
    try:
        job = read_job_file(args.job)
    except JobError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.command == "train":
        job.setdefault("kind", "train")
        if job["kind"] != "train":
            print(f"error: {args.job} is a {job['kind']!r} job; run it with `mmlspark-py run`", file=sys.stderr)
            return 2
    return _execute(args, job)


def _score(args: argparse.Namespace) -> int:
    return _execute(
        args,
        {
            "kind": "score",
            "model": args.model,
            "input": args.input,
            "output": args.output,
            "format": args.format,
            "inputFormat": args.input_format,
            "overwrite": args.overwrite,
        },
    )


def _register(args: argparse.Namespace) -> int:
    return _execute(
        args,
        {
            "kind": "register",
            "model": args.model,
            "name": args.name,
            "alias": args.alias,
            "trainingData": args.training_data,
            "trainingFormat": args.training_format,
            "description": args.description,
        },
    )


def prep_run(args: argparse.Namespace) -> int:
    """``prep run`` (options defined by :mod:`mmlspark_py.dataprep.cli`) as a ``prep`` job of the runner.

    Not recorded as an MLflow run (the command predates run history; ``mmlspark-py run`` of a prep job file is).
    """
    args.track = False
    master = Target("--master", args.master) if args.master else None
    return _execute(
        args,
        {
            "kind": "prep",
            "package": args.package,
            "input": args.input,
            "output": args.output,
            "format": args.format,
            "inputFormat": args.input_format,
            "overwrite": args.overwrite,
        },
        master,
    )


def _targets(args: argparse.Namespace) -> int:
    from mmlspark_py.tracking import format_table

    try:
        print(format_table(describe_targets(args.targets)))
    except TargetError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0
