"""A hostile remote repository cannot poison the local one (issue 12): colliding file names, a remote file named
manifest.json, manifests pointing at local files, entries without a sha256, a local copy changed after download."""

from __future__ import annotations

import http.server
import os
import threading

import pytest

from mmlspark_py.downloader import HashMismatchError, ModelDownloader, SchemaError
from mmlspark_py.downloader.schema import file_sha256, manifest_text, schema_for_file
from tests.onnx.models import mlp_model, two_input_model


def quiet(*_):
    pass


@pytest.fixture()
def hostile(tmp_path):
    """A repository folder served over HTTP on 127.0.0.1; the test writes its manifest and files."""
    root = tmp_path / "remote"
    root.mkdir()
    handler = lambda *a, **k: _Quiet(*a, directory=str(root), **k)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _publish(root, entries):
    (root / "manifest.json").write_text(manifest_text(entries))


def test_two_models_with_the_same_file_name_do_not_overwrite_each_other(hostile, tmp_path):
    root, url = hostile
    (root / "a").mkdir()
    (root / "b").mkdir()
    (root / "a" / "model.onnx").write_bytes(mlp_model().SerializeToString())
    (root / "b" / "model.onnx").write_bytes(two_input_model().SerializeToString())
    a = _schema_of_bytes(root / "a" / "model.onnx", "A", "a/model.onnx")
    b = _schema_of_bytes(root / "b" / "model.onnx", "B", "b/model.onnx")
    _publish(root, [a, b])
    d = ModelDownloader(None, str(tmp_path / "local"), url, progress=quiet)
    got_a, got_b = d.downloadByName("A"), d.downloadByName("B")
    assert got_a.uri != got_b.uri
    again = d.downloadByName("A")
    assert file_sha256(again.uri) == a.hash  # A's schema with A's bytes, not B's
    assert open(again.uri, "rb").read() == (root / "a" / "model.onnx").read_bytes()


def test_a_remote_file_named_manifest_json_cannot_replace_the_local_index(hostile, tmp_path):
    root, url = hostile
    (root / "sub").mkdir()
    evil = root / "sub" / "manifest.json"
    evil.write_text('{"models": [{"name": "Evil", "uri": "/etc/passwd", "hash": ""}]}')
    _publish(root, [_schema_of_bytes(evil, "Index", "sub/manifest.json")])
    d = ModelDownloader(None, str(tmp_path / "local"), url, progress=quiet)
    d.downloadByName("Index")
    assert [m.name for m in d.localModels()] == ["Index"]
    assert "Evil" not in (tmp_path / "local" / "manifest.json").read_text()


def _schema_of_bytes(path, name, uri):
    from mmlspark_py.downloader import ModelSchema

    return ModelSchema(name=name, uri=uri, hash=file_sha256(str(path)), size=os.path.getsize(path))


@pytest.mark.parametrize(
    "uri",
    [
        "file:///etc/passwd",
        "/etc/passwd",
        "../outside.onnx",
        "a/../../x.onnx",
        "hdfs://namenode/models/x.onnx",
        "~/secret",
    ],
)
def test_manifest_pointing_outside_the_repository_is_refused(hostile, tmp_path, uri):
    root, url = hostile
    from mmlspark_py.downloader import ModelSchema

    _publish(root, [ModelSchema(name="X", uri=uri, hash="0" * 64)])
    d = ModelDownloader(None, str(tmp_path / "local"), url, progress=quiet)
    with pytest.raises(SchemaError, match="X"):
        d.downloadByName("X")
    assert not (tmp_path / "local").exists() or os.listdir(tmp_path / "local") == []


def test_entry_without_sha256_is_refused(hostile, tmp_path):
    root, url = hostile
    (root / "m.onnx").write_bytes(mlp_model().SerializeToString())
    _publish(root, [schema_for_file(str(root / "m.onnx"), name="NoHash").replace(hash="")])
    d = ModelDownloader(None, str(tmp_path / "local"), url, progress=quiet)
    with pytest.raises(SchemaError, match="no sha256"):
        d.downloadByName("NoHash")


def test_local_copy_changed_after_download_is_verified_again(hostile, tmp_path):
    root, url = hostile
    (root / "m.onnx").write_bytes(mlp_model().SerializeToString())
    schema = schema_for_file(str(root / "m.onnx"), name="M")
    _publish(root, [schema])
    d = ModelDownloader(None, str(tmp_path / "local"), url, progress=quiet)
    local = d.downloadByName("M")
    with open(local.uri, "r+b") as f:  # someone swaps bytes in the cache
        f.seek(40)
        f.write(b"\x00\x01\x02")
    again = d.downloadByName("M")  # re-verified: downloaded again, not served as is
    assert file_sha256(again.uri) == schema.hash
    with open(again.uri, "r+b") as f:
        f.seek(40)
        f.write(b"\x03\x04\x05")
    _publish(root, [])  # and when the remote no longer offers it: refused
    with pytest.raises(HashMismatchError, match="no longer has its sha256"):
        d.downloadByName("M")
