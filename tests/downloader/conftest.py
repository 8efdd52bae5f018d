"""A real HTTP model repository on 127.0.0.1 (Range requests, a file that drops the connection once, a corrupted
file, a 404), serving the pretrained EfficientNet-Lite0 and a small model."""

from __future__ import annotations

import http.server
import os
import shutil
import threading

import pytest

from mmlspark_py.downloader.schema import manifest_text, schema_for_file
from tests.onnx.models import EFFNET_PATH, mlp_model


class RepoHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files with Range support; ``flaky_*`` files send half their bytes and drop the first connection."""

    flaky_done: set = set()
    requests: list = []

    def log_message(self, *args):  # keep pytest output clean
        pass

    def do_GET(self):
        path = self.translate_path(self.path)
        name = os.path.basename(path)
        RepoHandler.requests.append((name, self.headers.get("Range")))
        if not os.path.isfile(path):
            self.send_error(404)
            return
        data = open(path, "rb").read()
        start = int(self.headers["Range"].split("=")[1].split("-")[0]) if self.headers.get("Range") else 0
        self.send_response(206 if start else 200)
        self.send_header("Content-Length", str(len(data) - start))
        self.end_headers()
        body = data[start:]
        if name.startswith("flaky_") and name not in RepoHandler.flaky_done:
            RepoHandler.flaky_done.add(name)
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(2)
            return
        self.wfile.write(body)


@pytest.fixture(scope="module")
def repo_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("remote_repo")
    small = root / "mlp.onnx"
    small.write_bytes(mlp_model().SerializeToString())
    shutil.copyfile(small, root / "flaky_mlp.onnx")
    shutil.copyfile(EFFNET_PATH, root / "efficientnet_lite0.onnx")
    corrupt = bytearray(small.read_bytes())
    corrupt[100] ^= 0xFF
    (root / "corrupt.onnx").write_bytes(bytes(corrupt))
    good = schema_for_file(str(small), name="Mlp", dataset="synthetic", feature_node="hidden")
    schemas = [
        good,
        good.replace(name="FlakyMlp", uri="flaky_mlp.onnx"),
        good.replace(name="Corrupt", uri="corrupt.onnx"),
        good.replace(name="Missing", uri="missing.onnx"),
        schema_for_file(
            str(root / "efficientnet_lite0.onnx"),
            name="EfficientNetLite0",
            dataset="ImageNet",
            channelNormalizationMeans=(0.5, 0.5, 0.5),
            channelNormalizationStds=(0.5, 0.5, 0.5),
        ),
    ]
    (root / "manifest.json").write_text(manifest_text(schemas))
    return root


@pytest.fixture(scope="module")
def server_url(repo_dir):
    handler = lambda *a, **k: RepoHandler(*a, directory=str(repo_dir), **k)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
