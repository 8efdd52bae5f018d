"""publish_atomically: complete-or-nothing outputs, stale temporaries, outputs that would destroy inputs."""

from __future__ import annotations

import os

import pytest

from mmlspark_py.core.atomic_output import OutputPathError, publish_atomically


def _write_files(names):
    def write(tmp):
        os.makedirs(tmp)
        for name in names:
            with open(os.path.join(tmp, name), "w") as f:
                f.write(name)
        return len(names)

    return write


@pytest.mark.parametrize("session", ["classic", "none"])
def test_publishes_then_replaces_keeping_old_until_new_is_complete(spark, tmp_path, session):
    s = spark if session == "classic" else None
    out = str(tmp_path / "out")
    assert publish_atomically(s, out, _write_files(["a", "b"])) == 2
    assert sorted(os.listdir(out)) == ["a", "b"]
    with pytest.raises(FileExistsError, match="already exists"):
        publish_atomically(s, out, _write_files(["c"]))

    def failing(tmp):
        _write_files(["half"])(tmp)
        raise RuntimeError("killed mid-write")

    with pytest.raises(RuntimeError, match="killed"):
        publish_atomically(s, out, failing, overwrite=True)
    assert sorted(os.listdir(out)) == ["a", "b"]  # the old output survived the failed run
    assert [n for n in os.listdir(tmp_path) if n.startswith(".")] == []  # and no temporary is left
    publish_atomically(s, out, _write_files(["c"]), overwrite=True)
    assert os.listdir(out) == ["c"]


def test_stale_temporaries_of_the_same_output_are_cleaned(spark, tmp_path):
    out = str(tmp_path / "out")
    stale = tmp_path / ".out.tmp-deadbeef0000"
    stale.mkdir()
    (stale / "part").write_text("x")
    other = tmp_path / ".other.tmp-deadbeef0000"
    other.mkdir()
    publish_atomically(spark, out, _write_files(["a"]))
    assert not stale.exists() and other.exists()


@pytest.mark.parametrize("relation", ["equal", "parent", "inside"])
def test_output_that_would_destroy_an_input_is_refused_before_any_work(spark, tmp_path, relation):
    data = tmp_path / "data" / "in"
    data.mkdir(parents=True)
    (data / "keep.csv").write_text("1")
    out = {"equal": data, "parent": tmp_path / "data", "inside": data / "out"}[relation]
    calls = []
    with pytest.raises(OutputPathError):
        publish_atomically(spark, str(out), lambda tmp: calls.append(tmp), overwrite=True, inputs=[str(data)])
    assert calls == [] and (data / "keep.csv").read_text() == "1"
