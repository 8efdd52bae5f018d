"""The one job runner: every batch job (train, score, register, prep, ...) runs through :func:`run_job`.

A job is a *kind* plus a typed spec. Kinds form a small registry:

- a spec is a frozen dataclass subclassing :class:`JobSpec` (a :class:`mmlspark_py.core.spec.Spec` family)
  with ``kind = "<name>"``; its fields are the keys of the job file (camelCase, as stage params), checked
  against their annotations when the spec is built (:func:`check_fields`), and its ``run(ctx)`` does the work
  and returns a dict of results (printed, and logged to the run);
- :data:`JOB_MODULES` maps each kind's name to the module that defines it, imported on first use, so adding a
  kind is one module plus one line here (e.g. ``"deep_vision": "mmlspark_py.dl.job"`` for a
  DeepVisionClassifier training job).

What every job gets from the runner (:func:`run_job`):

1. its spec validated before anything starts (unknown keys, wrong types: an error naming the key);
2. a Spark session on its compute target (:mod:`mmlspark_py.jobs.targets`), never overriding a master that
   ``spark-submit`` configured; one Spark job group per run, so its Spark jobs can be told apart;
3. console progress (:mod:`mmlspark_py.jobs.progress`);
4. an MLflow run (when MLflow is installed and ``track`` is on) in experiment ``experiment`` (default: the
   kind), with the spec as params, the target as tags, the code snapshot, the job's autologged fits and
   metrics, and its results as metrics (numbers) and tags.

A job file is YAML or JSON: the runner's keys ``kind``, ``experiment``, ``target`` and ``runName``, and
the kind's own keys beside them::

    kind: train
    experiment: income
    target: lab
    input: data/adult.parquet
    labelCol: income
    learner: {name: LogisticRegression, params: {regParam: 0.01}}
    register: income
    alias: candidate
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import json
import os
import sys
import typing
import uuid
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Type, Union

from mmlspark_py.core.spec import Spec, SpecError
from mmlspark_py.jobs.config_files import ConfigFileError, read_config_file
from mmlspark_py.jobs.progress import ConsoleProgress
from mmlspark_py.jobs.targets import Target, resolve_target

JOB_MODULES: Dict[str, str] = {
    "train": "mmlspark_py.jobs.train_job",
    "score": "mmlspark_py.jobs.score_job",
    "register": "mmlspark_py.jobs.register_job",
    "prep": "mmlspark_py.jobs.prep_job",
}
RUNNER_KEYS = ("kind", "experiment", "target", "runName")


class JobError(RuntimeError):
    """A job cannot run as specified; the message names the job kind and the key or input at fault."""


@dataclass
class JobContext:
    """What a job's ``run`` gets: the session, its target, console progress and the MLflow run (or None)."""

    spark: Any
    target: Target
    progress: ConsoleProgress
    run: Any = None
    job_group: str = ""


@dataclass(frozen=True)
class JobSpec(Spec):
    """Family root of job specs; a kind subclasses it with ``kind = "<name>"`` and implements ``run``."""

    def __post_init__(self) -> None:
        check_fields(self)

    def run(self, ctx: JobContext) -> Dict[str, Any]:
        raise NotImplementedError(f"job kind {self.kind!r} has no run()")

    def describe(self) -> str:
        """A one-line summary for the console and the run name."""
        return self.kind

    def inputs(self) -> List[str]:
        """The paths the job reads (its outputs must not overwrite them)."""
        return []


def _matches(value: Any, hint: Any) -> bool:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is Any:
        return True
    if origin is Union:
        return any(_matches(value, a) for a in args)
    if hint is type(None):
        return value is None
    if origin in (list, List):
        return (
            isinstance(value, (list, tuple)) and all(_matches(v, args[0]) for v in value)
            if args
            else isinstance(value, (list, tuple))
        )
    if origin in (dict, Dict):
        return (
            isinstance(value, Mapping) and all(_matches(k, args[0]) and _matches(v, args[1]) for k, v in value.items())
            if args
            else isinstance(value, Mapping)
        )
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, hint)


def _hint_text(hint: Any) -> str:
    text = hint.__name__ if isinstance(hint, type) else str(hint)
    return text.replace("typing.", "").replace("NoneType", "None")


def check_fields(spec: Any) -> None:
    """Raises SpecError naming the first field of ``spec`` whose value does not match its annotation."""
    hints = typing.get_type_hints(type(spec))
    for f in dataclasses.fields(spec):
        value = getattr(spec, f.name)
        if not _matches(value, hints[f.name]):
            raise SpecError(f"{spec.kind} job: {f.name!r} must be {_hint_text(hints[f.name])}, got {value!r}")


def job_kind(name: str) -> Type[JobSpec]:
    """The spec class of job kind ``name`` (its module imported on first use)."""
    if name not in JobSpec.kinds() and name in JOB_MODULES:
        importlib.import_module(JOB_MODULES[name])
    kinds = JobSpec.kinds()
    if name not in kinds:
        raise JobError(f"unknown job kind {name!r}; kinds: {sorted(set(JOB_MODULES) | set(kinds))}")
    return typing.cast(Type[JobSpec], kinds[name])


def build_spec(data: Mapping[str, Any], kind: Optional[str] = None) -> JobSpec:
    """The validated spec of a job dict (runner keys are ignored here; ``kind`` overrides the dict's)."""
    name = kind or data.get("kind")
    if not name:
        raise JobError(f"the job has no 'kind'; kinds: {sorted(JOB_MODULES)}")
    cls = job_kind(name)
    fields = {k: v for k, v in data.items() if k not in RUNNER_KEYS}
    try:
        return cls.from_json({"kind": name, **fields})
    except TypeError as e:  # a required field is missing
        raise SpecError(f"{name} job: {e}") from e


def read_job_file(path: str) -> Dict[str, Any]:
    """The job dict of a YAML (``.yaml``/``.yml``) or JSON file."""
    if not os.path.isfile(path):
        raise JobError(f"no job file {path!r}")
    try:
        data = read_config_file(path)
    except ConfigFileError as e:
        raise JobError(str(e)) from e
    if not isinstance(data, dict):
        raise JobError(f"{path}: a job file is a mapping of keys (kind, input, ...)")
    return data


def start_session(target: Target, app_name: str) -> Any:
    """The job's SparkSession on ``target`` (an active or spark-submit-configured session is kept as is)."""
    from pyspark import SparkConf

    from mmlspark_py.core.session import get_spark
    from mmlspark_py.core.spark_compat import active_session

    active = active_session()
    if active is not None:
        return active
    configured = SparkConf().get("spark.master", None)
    master = target.master
    if master and configured and configured != master:
        print(
            f"note: spark-submit set master {configured}; target {target.name!r} ({master}) is not applied",
            file=sys.stderr,
        )
        master = None
    # the runner prints progress itself; Spark's console bar would interleave with it
    conf = {"spark.ui.showConsoleProgress": "false", **target.conf}
    return get_spark(master=master, app_name=app_name, conf=conf)


def _flat_params(spec: JobSpec) -> Dict[str, str]:
    out = {}
    for key, value in spec.to_json().items():
        text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
        out[key] = text[:6000]
    return out


def _log_results(run: Any, results: Dict[str, Any]) -> None:
    numbers = {k: float(v) for k, v in results.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    if numbers:
        run.log_metrics({f"job.{k}": v for k, v in numbers.items()})
    others = {f"mmlspark.job.{k}": str(v)[:5000] for k, v in results.items() if k not in numbers and v is not None}
    if others:
        run.set_tags(others)


def run_job(
    spec: Union[JobSpec, Mapping[str, Any]],
    target: Optional[str] = None,
    targets_file: Optional[str] = None,
    experiment: Optional[str] = None,
    run_name: Optional[str] = None,
    track: bool = True,
    quiet: bool = False,
    explicit_target: Optional[Target] = None,
    job_group: Optional[str] = None,
) -> Dict[str, Any]:
    """Run one job (a spec, or a job dict as read from a job file); returns its results.

    :param target: compute target name (default: the dict's ``target``, else the targets file's default).
    :param experiment: MLflow experiment (default: the dict's ``experiment``, else the kind).
    :param track: record an MLflow run (when MLflow is installed).
    :param quiet: no console progress.
    :param explicit_target: a target given directly (e.g. ``--master``), instead of a name.
    :param job_group: the Spark job group of the job's Spark jobs (default ``mmlspark-<kind>-<random>``), e.g. to
        cancel them with ``sparkContext.cancelJobGroup``.
    :raises SpecError / JobError / TargetError: before anything starts, naming the key at fault.
    """
    data = spec.to_json() if isinstance(spec, JobSpec) else dict(spec)
    job = spec if isinstance(spec, JobSpec) else build_spec(data)
    chosen = explicit_target or resolve_target(target or data.get("target"), targets_file)
    spark = start_session(chosen, f"mmlspark-py {job.kind}")
    group = job_group or f"mmlspark-{job.kind}-{uuid.uuid4().hex[:12]}"
    _set_job_group(spark, group, job.describe())
    with ConsoleProgress(spark, enabled=False if quiet else None) as progress:
        progress.step(f"{job.kind}: {job.describe()} on target {chosen.name!r} ({_master(spark)})")
        ctx = JobContext(spark, chosen, progress, None, group)
        mlflow_ok = track and _mlflow_installed()
        if not mlflow_ok:
            results = job.run(ctx)
        else:
            from mmlspark_py.tracking import start_run

            with start_run(
                experiment or data.get("experiment") or job.kind,
                run_name=run_name or data.get("runName") or f"{job.kind}: {job.describe()}"[:200],
                target=chosen.record(_master(spark)),
                tags={"mmlspark.job.kind": job.kind},
            ) as run:
                run.log_params({f"job.{k}": v for k, v in _flat_params(job).items()})
                ctx.run = run
                results = job.run(ctx)
                _log_results(run, results)
                results = {**results, "run_id": run.run_id}
        progress.step(f"{job.kind}: done")
    return results


def _master(spark: Any) -> str:
    try:
        return spark.sparkContext.master
    except Exception:  # noqa: BLE001 - Spark Connect
        return "spark-connect"


def _set_job_group(spark: Any, group: str, description: str) -> None:
    try:
        spark.sparkContext.setJobGroup(group, description[:200])
    except Exception:  # noqa: BLE001 - Spark Connect: tags instead
        try:
            spark.addTag(group)
        except Exception:  # noqa: BLE001
            pass


def _mlflow_installed() -> bool:
    return importlib.util.find_spec("mlflow") is not None
