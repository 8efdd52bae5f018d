"""``mmlspark-py runs list|show|compare``: run history as tables, and a comparison plot of a metric.

Usage::

    mmlspark-py runs list [--experiment NAME] [--max 20]
    mmlspark-py runs show RUN_ID
    mmlspark-py runs compare RUN_ID RUN_ID ... [--metric accuracy --plot accuracy.png]

Every command takes ``--tracking-uri`` (default: see :mod:`mmlspark_py.tracking.backend`).
"""

from __future__ import annotations

import argparse
import datetime
from typing import Any, Dict, List, Optional, Sequence

from mmlspark_py.tracking.backend import configure, mlflow_module

SHOWN_METRICS = 4


def format_table(rows: List[Dict[str, Any]], columns: Optional[Sequence[str]] = None) -> str:
    """A plain-text table of dicts (missing keys are blank)."""
    if not rows:
        return "(none)"
    keys = list(columns or rows[0])
    cells = [[_cell(r.get(k)) for k in keys] for r in rows]
    widths = [max(len(k), *(len(c[i]) for c in cells)) for i, k in enumerate(keys)]
    line = "  ".join(k.ljust(w) for k, w in zip(keys, widths))
    body = ["  ".join(c.ljust(w) for c, w in zip(row, widths)) for row in cells]
    return "\n".join([line, "  ".join("-" * w for w in widths), *body])


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _time(ms: Optional[int]) -> str:
    return datetime.datetime.fromtimestamp(ms / 1000).strftime("%Y-%m-%d %H:%M:%S") if ms else ""


def _seconds(run: Any) -> Optional[float]:
    info = run.info
    return round((info.end_time - info.start_time) / 1000, 1) if info.end_time and info.start_time else None


def list_runs(experiment: Optional[str], max_results: int) -> List[Dict[str, Any]]:
    """One dict per run (newest first): id, experiment, name, status, start, seconds, a few metrics."""
    mlflow = mlflow_module()
    client = mlflow.MlflowClient()
    if experiment:
        exp = client.get_experiment_by_name(experiment)
        if exp is None:
            raise SystemExit(f"runs list: no experiment named {experiment!r}")
        experiments = [exp]
    else:
        experiments = client.search_experiments()
    names = {e.experiment_id: e.name for e in experiments}
    runs = client.search_runs(list(names), max_results=max_results, order_by=["attributes.start_time DESC"])
    rows = []
    for run in runs:
        metrics = {k: v for k, v in sorted(run.data.metrics.items()) if "." not in k}
        shown = ", ".join(f"{k}={v:.4g}" for k, v in list(metrics.items())[:SHOWN_METRICS])
        rows.append(
            {
                "run_id": run.info.run_id,
                "experiment": names[run.info.experiment_id],
                "name": run.info.run_name,
                "status": run.info.status,
                "started": _time(run.info.start_time),
                "seconds": _seconds(run),
                "metrics": shown,
            }
        )
    return rows


def show_run(run_id: str) -> str:
    """Params, metrics, tags and top-level artifacts of a run, as text."""
    mlflow = mlflow_module()
    client = mlflow.MlflowClient()
    run = client.get_run(run_id)
    parts = [
        f"run {run.info.run_id} ({run.info.run_name}) {run.info.status}, started {_time(run.info.start_time)}"
        f", {_seconds(run)} s, experiment {run.info.experiment_id}"
    ]
    parts.append(
        "\nmetrics:\n" + format_table([{"metric": k, "value": v} for k, v in sorted(run.data.metrics.items())])
    )
    parts.append("\nparams:\n" + format_table([{"param": k, "value": v} for k, v in sorted(run.data.params.items())]))
    tags = {k: v for k, v in run.data.tags.items() if not k.startswith("mlflow.log-model")}
    parts.append("\ntags:\n" + format_table([{"tag": k, "value": v} for k, v in sorted(tags.items())]))
    artifacts = [a.path + ("/" if a.is_dir else "") for a in client.list_artifacts(run_id)]
    parts.append("\nartifacts: " + (", ".join(artifacts) or "(none)"))
    return "\n".join(parts)


def compare_runs(run_ids: Sequence[str]) -> Dict[str, List[Dict[str, Any]]]:
    """``{"metrics": rows, "params": rows}``: one row per metric/param, one column per run; params only
    where the runs differ."""
    client = mlflow_module().MlflowClient()
    runs = [client.get_run(r) for r in run_ids]
    heads = [r.info.run_id[:12] for r in runs]
    metric_names = sorted({k for r in runs for k in r.data.metrics})
    param_names = sorted({k for r in runs for k in r.data.params})
    metrics = [{"metric": m, **{h: r.data.metrics.get(m) for h, r in zip(heads, runs)}} for m in metric_names]
    params = []
    for p in param_names:
        values = [r.data.params.get(p) for r in runs]
        if len(set(values)) > 1:
            params.append({"param": p, **dict(zip(heads, values))})
    return {"metrics": metrics, "params": params}


def plot_metric(run_ids: Sequence[str], metric: str, path: str) -> str:
    """A PNG comparing ``metric`` across runs: one bar per run (its last value), or one line per run over steps
    when a run has a history; returns ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    client = mlflow_module().MlflowClient()
    histories = {r: sorted(client.get_metric_history(r, metric), key=lambda m: (m.step, m.timestamp)) for r in run_ids}
    missing = [r for r, h in histories.items() if not h]
    if missing:
        raise SystemExit(f"runs compare: runs {missing} have no metric {metric!r}")
    fig, ax = plt.subplots(figsize=(6, 4))
    if any(len(h) > 1 for h in histories.values()):
        for run_id, history in histories.items():
            ax.plot([m.step for m in history], [m.value for m in history], marker="o", label=run_id[:12])
        ax.set_xlabel("step")
        ax.legend()
    else:
        ax.bar([r[:12] for r in run_ids], [histories[r][-1].value for r in run_ids])
        ax.set_xlabel("run")
    ax.set_ylabel(metric)
    ax.set_title(f"{metric} by run")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def add_runs_cli(subparsers: argparse._SubParsersAction) -> None:
    """Add ``runs list|show|compare`` to an argparse subparsers object."""
    runs = subparsers.add_parser("runs", help="run history (MLflow): list, show, compare")
    commands = runs.add_subparsers(dest="runs_command", required=True)
    listing = commands.add_parser("list", help="recent runs as a table")
    listing.add_argument("--experiment", help="only this experiment")
    listing.add_argument("--max", type=int, default=20, help="at most this many runs (default: %(default)s)")
    show = commands.add_parser("show", help="one run's metrics, params, tags and artifacts")
    show.add_argument("run_id")
    compare = commands.add_parser("compare", help="runs side by side; optionally plot a metric")
    compare.add_argument("run_ids", nargs="+")
    compare.add_argument("--metric", help="metric to plot")
    compare.add_argument("--plot", help="PNG path for the metric's comparison plot (needs --metric)")
    for command in (listing, show, compare):
        command.add_argument("--tracking-uri", help="MLflow tracking URI (default: ./mlflow.db)")
        command.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    if args.tracking_uri:
        configure(uri=args.tracking_uri)
    if args.runs_command == "list":
        print(format_table(list_runs(args.experiment, args.max)))
    elif args.runs_command == "show":
        print(show_run(args.run_id))
    else:
        if args.plot and not args.metric:
            raise SystemExit("runs compare: --plot needs --metric")
        table = compare_runs(args.run_ids)
        print("metrics:\n" + format_table(table["metrics"]))
        print("\nparams that differ:\n" + format_table(table["params"]))
        if args.plot:
            print(f"\nplot: {plot_metric(args.run_ids, args.metric, args.plot)}")
    return 0
