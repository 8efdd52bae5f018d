"""``ModelSchema``: one model in a repository (SynapseML's ``ModelSchema``), and computing it from a model file.

A repository is a folder (any Hadoop path) or an http(s) URL holding ``manifest.json``::

    {"models": [{"name": "EfficientNetLite0", "uri": "efficientnet_lite0.onnx", "hash": "<sha256>", ...}]}

``uri`` is relative to the repository (or an absolute URL/path). Besides SynapseML's fields the schema carries
what an image featurizer needs: the input shape (C, H, W), channel order, colour scale and per-channel
normalisation, and the feature node (the pooled layer before the classifier) and output node.

Example::

    schema = schema_for_file("my_net.onnx", name="MyNet", dataset="ImageNet")
    schema.featureNode    # '/Reshape_output_0' (found from the graph)
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence

import onnx

MANIFEST = "manifest.json"
_PASS_THROUGH_OPS = {"Softmax", "LogSoftmax", "Identity", "Sigmoid", "Dropout"}


class SchemaError(ValueError):
    """A manifest entry or model file that does not describe a usable model."""


@dataclass(frozen=True)
class ModelSchema:
    """A model in a repository.

    :param name: unique model name (``downloadByName``).
    :param dataset: what it was trained on (e.g. ``ImageNet``).
    :param modelType: ``image`` or another kind.
    :param uri: where the file is, relative to the repository or absolute.
    :param hash: sha256 (hex) of the file, verified on every download.
    :param size: file size in bytes.
    :param inputNode: the model input an image tensor feeds.
    :param numLayers: number of graph nodes.
    :param layerNames: nodes one may cut the model at, from the top: output node, feature node.
    :param inputShape: ``[C, H, W]`` of the input tensor.
    :param channelOrder: ``RGB`` or ``BGR``.
    :param colorScaleFactor: pixels are multiplied by this first (e.g. 1/255).
    :param channelNormalizationMeans: per-channel means subtracted after scaling.
    :param channelNormalizationStds: per-channel standard deviations divided by after that.
    :param featureNode: the pooled feature layer before the classifier (headless output).
    :param outputNode: the full model's output.
    """

    name: str
    dataset: str = ""
    modelType: str = "image"
    uri: str = ""
    hash: str = ""
    size: int = 0
    inputNode: str = ""
    numLayers: int = 0
    layerNames: Sequence[str] = ()
    inputShape: Sequence[int] = ()
    channelOrder: str = "RGB"
    colorScaleFactor: float = 1.0 / 255
    channelNormalizationMeans: Sequence[float] = (0.485, 0.456, 0.406)
    channelNormalizationStds: Sequence[float] = (0.229, 0.224, 0.225)
    featureNode: str = ""
    outputNode: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.name or not isinstance(self.name, str):
            raise SchemaError(f"a model schema needs a non-empty name, got {self.name!r}")
        if self.hash and (len(self.hash) != 64 or any(c not in "0123456789abcdef" for c in self.hash)):
            raise SchemaError(f"model {self.name!r}: hash must be a lower-case hex sha256, got {self.hash!r}")
        if self.channelOrder not in ("RGB", "BGR"):
            raise SchemaError(f"model {self.name!r}: channelOrder must be RGB or BGR, got {self.channelOrder!r}")

    def to_json(self) -> Dict[str, Any]:
        out = dataclasses.asdict(self)
        for key in ("layerNames", "inputShape", "channelNormalizationMeans", "channelNormalizationStds"):
            out[key] = list(out[key])
        return out

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> ModelSchema:
        names = {f.name for f in dataclasses.fields(cls)}
        known = {k: v for k, v in obj.items() if k in names}
        extra = {k: v for k, v in obj.items() if k not in names}
        for key in ("layerNames", "inputShape", "channelNormalizationMeans", "channelNormalizationStds"):
            if key in known:
                known[key] = tuple(known[key])
        extra = {**known.pop("extra", {}), **extra}
        try:
            return cls(**known, extra=extra)
        except TypeError as e:
            raise SchemaError(f"manifest entry {obj.get('name')!r} is not a model schema: {e}") from e

    def replace(self, **changes: Any) -> ModelSchema:
        return dataclasses.replace(self, **changes)


def parse_manifest(text: str, source: str) -> List[ModelSchema]:
    """The schemas in a manifest's JSON text; raises :class:`SchemaError` naming ``source``."""
    try:
        obj = json.loads(text)
        return [ModelSchema.from_json(m) for m in obj["models"]]
    except (ValueError, KeyError, TypeError) as e:
        raise SchemaError(f'{source} is not a model manifest ({{"models": [...]}}): {e}') from e


def manifest_text(schemas: Sequence[ModelSchema]) -> str:
    return json.dumps({"models": [s.to_json() for s in schemas]}, indent=2, sort_keys=True) + "\n"


def find_feature_node(model: onnx.ModelProto) -> str:
    """The input of the final classifier (the last Gemm/MatMul before the output): the pooled features.

    :raises SchemaError: when the output is not produced by a dense layer (through softmax-like ops).
    """
    producers = {out: node for node in model.graph.node for out in node.output}
    initializers = {t.name for t in model.graph.initializer}
    name = model.graph.output[0].name
    while name in producers:
        node = producers[name]
        if node.op_type in ("Gemm", "MatMul"):
            return next(i for i in node.input if i not in initializers)
        if node.op_type == "Add" or node.op_type in _PASS_THROUGH_OPS:
            name = next((i for i in node.input if i not in initializers), "")
            continue
        break
    raise SchemaError(
        f"cannot find the classifier layer before output {model.graph.output[0].name!r} "
        "(expected a Gemm/MatMul, possibly followed by Add/Softmax); give the feature node explicitly"
    )


def file_sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def schema_for_file(
    path: str,
    name: str,
    dataset: str = "",
    uri: Optional[str] = None,
    feature_node: Optional[str] = None,
    **fields: Any,
) -> ModelSchema:
    """The schema of the ONNX file at ``path`` (a local file): hash, size, input/output/feature nodes, shape.

    :param fields: any other :class:`ModelSchema` field (normalisation, channel order, ...).
    :raises SchemaError: when the file is not an ONNX model.
    """
    try:
        model = onnx.load_model(path, load_external_data=False)
        onnx.checker.check_model(model)
    except Exception as e:
        raise SchemaError(f"{path} is not a valid ONNX model: {e}") from e
    initializers = {t.name for t in model.graph.initializer}
    inputs = [i for i in model.graph.input if i.name not in initializers]
    first = inputs[0]
    dims = [d.dim_value if d.HasField("dim_value") else -1 for d in first.type.tensor_type.shape.dim][1:]
    output = model.graph.output[0].name
    feature = feature_node if feature_node is not None else find_feature_node(model)
    computed = dict(
        name=name,
        dataset=dataset,
        modelType="image",
        uri=uri if uri is not None else os.path.basename(path),
        hash=file_sha256(path),
        size=os.path.getsize(path),
        inputNode=first.name,
        numLayers=len(model.graph.node),
        layerNames=(output, feature),
        inputShape=tuple(dims),
        featureNode=feature,
        outputNode=output,
    )
    return ModelSchema(**{**computed, **fields})
