"""Compute targets files: parsing, validation naming the file/target/key, the default, what a run records."""

from __future__ import annotations

import json

import pytest

from mmlspark_py.jobs.targets import TargetError, describe_targets, resolve_target

TARGETS = """
default: laptop
targets:
  laptop: {master: "local[2]", conf: {spark.sql.shuffle.partitions: 4}}
  lab:
    master: spark://10.0.0.5:7077
    conf: {spark.executor.memory: 8g, spark.dynamicAllocation.enabled: true}
    description: the lab cluster
  hadoop: {master: yarn}
  k8s: {master: "k8s://https://10.0.0.9:6443", conf: {spark.kubernetes.namespace: ml}}
"""


@pytest.fixture
def targets_file(tmp_path):
    path = tmp_path / "targets.yaml"
    path.write_text(TARGETS)
    return str(path)


def test_targets_resolve_by_name_and_default(targets_file):
    assert resolve_target(None, targets_file).master == "local[2]"
    lab = resolve_target("lab", targets_file)
    assert lab.master == "spark://10.0.0.5:7077"
    assert lab.conf == {"spark.executor.memory": "8g", "spark.dynamicAllocation.enabled": "true"}
    assert lab.record("spark://10.0.0.5:7077") == {
        "name": "lab",
        "master": "spark://10.0.0.5:7077",
        "conf": json.dumps({"spark.dynamicAllocation.enabled": "true", "spark.executor.memory": "8g"}),
    }
    assert resolve_target("hadoop", targets_file).master == "yarn"
    assert resolve_target("local", targets_file).master is None  # always defined
    assert [r["target"] for r in describe_targets(targets_file)] == ["local", "laptop *", "lab", "hadoop", "k8s"]


def test_without_a_file_only_local_exists(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MMLSPARK_TARGETS", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert resolve_target().name == "local"
    with pytest.raises(TargetError, match=r"'lab' is not defined; targets: \['local'\] \(no targets file"):
        resolve_target("lab")


def test_environment_variable_names_the_file(targets_file, monkeypatch):
    monkeypatch.setenv("MMLSPARK_TARGETS", targets_file)
    assert resolve_target("k8s").conf == {"spark.kubernetes.namespace": "ml"}


@pytest.mark.parametrize(
    "text, message",
    [
        ("targets: {a: {master: 'http://x'}}", "target 'a': master 'http://x' is not a Spark master URL"),
        ("targets: {a: {master: yarn, cores: 4}}", r"target 'a' has unknown key\(s\) \['cores'\]"),
        ("targets: {a: {conf: {executor.memory: 1g}}}", "conf must map Spark setting names"),
        ("targets: {a: {conf: {spark.master: yarn}}}", "give the master as 'master'"),
        ("default: b\ntargets: {a: {master: yarn}}", "default target 'b' is not defined"),
        ("targets: [a, b]", "expected a mapping with a 'targets' mapping"),
        ("targets: {a: {master: yarn}}\nextra: 1", r"unknown key\(s\) \['extra'\]"),
    ],
)
def test_invalid_files_name_the_target_and_key(tmp_path, text, message):
    path = tmp_path / "t.yaml"
    path.write_text(text)
    with pytest.raises(TargetError, match=message):
        resolve_target("a", str(path))
