"""Compute targets: named places a job's Spark application runs, as the Workbench's compute targets were.

A small YAML (or JSON) file names the targets, each a Spark master URL and the Spark settings that go with it::

    default: laptop                      # used when no --target is given (optional)
    targets:
      laptop:
        master: local[4]
        conf: {spark.driver.memory: 4g}
      lab:
        master: spark://10.0.0.5:7077    # a standalone cluster
        conf: {spark.executor.memory: 8g, spark.cores.max: "16"}
      hadoop:
        master: yarn                     # needs HADOOP_CONF_DIR / YARN_CONF_DIR
        conf: {spark.executor.instances: "4", spark.submit.deployMode: client}
      k8s:
        master: k8s://https://10.0.0.9:6443
        conf: {spark.kubernetes.container.image: "registry/mmlspark-py:0.1",
               spark.kubernetes.namespace: ml}
        description: the shared Kubernetes cluster

The file is found at ``--targets FILE``, else ``$MMLSPARK_TARGETS``, else ``./mmlspark-targets.yaml``, else
``~/.mmlspark/targets.yaml``. The target ``local`` always exists (no master set: the configuration decides,
``local[*]`` when nothing is configured) unless the file redefines it.

A job runs its driver in the calling process (client mode) on the target's master. Under ``spark-submit`` the
master given there wins: a job never overrides a configured master (:func:`mmlspark_py.get_spark`). The run
records the target's name, the master it actually ran on and the target's settings (``mmlspark.target.*`` tags).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from mmlspark_py.jobs.config_files import ConfigFileError, read_config_file

ENV = "MMLSPARK_TARGETS"
FILE_NAMES = ("mmlspark-targets.yaml", os.path.join("~", ".mmlspark", "targets.yaml"))
_MASTER = re.compile(
    r"^(local(\[(\*|\d+)(,\d+)?\])?|local-cluster\[\d+,\d+,\d+\]|spark://.+|yarn|k8s://.+|mesos://.+)$"
)


class TargetError(ValueError):
    """A targets file or a target is invalid or unknown; the message names the file, target and key."""


@dataclass(frozen=True)
class Target:
    """A named compute target: a Spark master URL (None: the configuration decides) and Spark settings."""

    name: str
    master: Optional[str] = None
    conf: Dict[str, str] = field(default_factory=dict)
    description: str = ""

    def record(self, actual_master: Optional[str] = None) -> Dict[str, str]:
        """What a run records about this target (``actual_master``: where the session really runs)."""
        out = {"name": self.name, "master": actual_master or self.master or "(configured)"}
        if self.conf:
            out["conf"] = json.dumps(self.conf, sort_keys=True)
        return out


LOCAL = Target("local", None, {}, "this machine: local[*] unless spark-submit or spark-defaults.conf set a master")


def _parse_target(name: str, value: Any, where: str) -> Target:
    if not isinstance(value, dict):
        raise TargetError(f"{where}: target {name!r} must be a mapping with 'master' and optional 'conf'")
    unknown = set(value) - {"master", "conf", "description"}
    if unknown:
        raise TargetError(
            f"{where}: target {name!r} has unknown key(s) {sorted(unknown)}; valid: master, conf, description"
        )
    master = value.get("master")
    if master is not None and (not isinstance(master, str) or not _MASTER.match(master)):
        raise TargetError(
            f"{where}: target {name!r}: master {master!r} is not a Spark master URL (local[N], "
            "spark://HOST:PORT, yarn, k8s://https://HOST:PORT, mesos://...)"
        )
    conf = value.get("conf") or {}
    if not isinstance(conf, dict) or not all(isinstance(k, str) and k.startswith("spark.") for k in conf):
        raise TargetError(f"{where}: target {name!r}: conf must map Spark setting names (spark.*) to values")
    if "spark.master" in conf:
        raise TargetError(f"{where}: target {name!r}: give the master as 'master', not in conf")
    return Target(
        name,
        master,
        {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in conf.items()},
        str(value.get("description", "")),
    )


def find_targets_file(explicit: Optional[str] = None) -> Optional[str]:
    """The targets file in effect (see the module docstring), or None."""
    if explicit:
        if not os.path.isfile(explicit):
            raise TargetError(f"--targets: no file {explicit!r}")
        return explicit
    if os.environ.get(ENV):
        if not os.path.isfile(os.environ[ENV]):
            raise TargetError(f"${ENV}: no file {os.environ[ENV]!r}")
        return os.environ[ENV]
    for name in FILE_NAMES:
        path = os.path.expanduser(name)
        if os.path.isfile(path):
            return path
    return None


def load_targets(path: Optional[str] = None) -> tuple[Dict[str, Target], str]:
    """``({name: Target}, default name)`` from the targets file in effect (only ``local`` without one)."""
    found = find_targets_file(path)
    targets = {"local": LOCAL}
    if found is None:
        return targets, "local"
    try:
        data = read_config_file(found)
    except ConfigFileError as e:
        raise TargetError(str(e)) from e
    if not isinstance(data, dict) or not isinstance(data.get("targets"), dict):
        raise TargetError(f"{found}: expected a mapping with a 'targets' mapping of name -> target")
    unknown = set(data) - {"targets", "default"}
    if unknown:
        raise TargetError(f"{found}: unknown key(s) {sorted(unknown)}; valid: targets, default")
    for name, value in data["targets"].items():
        targets[str(name)] = _parse_target(str(name), value, found)
    default = str(data.get("default", "local"))
    if default not in targets:
        raise TargetError(f"{found}: default target {default!r} is not defined; targets: {sorted(targets)}")
    return targets, default


def resolve_target(name: Optional[str] = None, path: Optional[str] = None) -> Target:
    """The target ``name`` (default: the file's default, else ``local``).

    :raises TargetError: unknown name (the message lists the defined targets) or an invalid file.
    """
    targets, default = load_targets(path)
    chosen = name or default
    if chosen not in targets:
        raise TargetError(
            f"--target {chosen!r} is not defined; targets: {sorted(targets)}"
            + ("" if find_targets_file(path) else " (no targets file found; see mmlspark-py targets)")
        )
    return targets[chosen]


def describe_targets(path: Optional[str] = None) -> List[Dict[str, str]]:
    """One row per target (name, master, settings, description), the default marked with ``*``."""
    targets, default = load_targets(path)
    return [
        {
            "target": n + (" *" if n == default else ""),
            "master": t.master or "(configured)",
            "conf": json.dumps(t.conf, sort_keys=True) if t.conf else "",
            "description": t.description,
        }
        for n, t in targets.items()
    ]
