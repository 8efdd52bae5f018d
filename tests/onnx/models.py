"""Small real ONNX models built with onnx.helper, and the path of the pretrained EfficientNet-Lite0."""

from __future__ import annotations

import pathlib

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SHARED_MODELS = pathlib.Path(__file__).resolve().parents[2] / ".." / "shared" / "models"
EFFNET_PATH = (SHARED_MODELS / "efficientnet_lite0.onnx").resolve()
EFFNET_SHA256 = "0335299d61fe78c377e63204f2e630e7312a0ec1e0cf7d1ad16d42d716f1c217"


def checked_model(graph: onnx.GraphProto) -> onnx.ModelProto:
    """``graph`` as an opset-17 model (IR 8, readable by the installed onnxruntime), validated by onnx."""
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def mlp_model(seed: int = 0, opset: int = 17) -> onnx.ModelProto:
    """x float[N,4] -> hidden = Relu(x W1 + b1) [N,3] -> y = hidden W2 [N,2]; hidden is an intermediate node."""
    rng = np.random.default_rng(seed)
    w1 = numpy_helper.from_array(rng.normal(size=(4, 3)).astype(np.float32), "W1")
    b1 = numpy_helper.from_array(rng.normal(size=(3,)).astype(np.float32), "B1")
    w2 = numpy_helper.from_array(rng.normal(size=(3, 2)).astype(np.float32), "W2")
    nodes = [
        helper.make_node("Gemm", ["x", "W1", "B1"], ["pre"], name="gemm1"),
        helper.make_node("Relu", ["pre"], ["hidden"], name="relu"),
        helper.make_node("MatMul", ["hidden", "W2"], ["y"], name="matmul2"),
    ]
    graph = helper.make_graph(
        nodes,
        "mlp",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 2])],
        initializer=[w1, b1, w2],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def two_input_model() -> onnx.ModelProto:
    """a double[N,2,3] and b int64[N] -> s = ReduceSum(a, axes [1,2]) + Cast(b) [N] (double); c = a * 2."""
    axes = numpy_helper.from_array(np.array([1, 2], np.int64), "axes")
    two = numpy_helper.from_array(np.array(2.0, np.float64), "two")
    nodes = [
        helper.make_node("ReduceSum", ["a", "axes"], ["r"], keepdims=0),
        helper.make_node("Cast", ["b"], ["bf"], to=TensorProto.DOUBLE),
        helper.make_node("Add", ["r", "bf"], ["s"]),
        helper.make_node("Mul", ["a", "two"], ["c"]),
    ]
    graph = helper.make_graph(
        nodes,
        "two_inputs",
        [
            helper.make_tensor_value_info("a", TensorProto.DOUBLE, ["N", 2, 3]),
            helper.make_tensor_value_info("b", TensorProto.INT64, ["N"]),
        ],
        [
            helper.make_tensor_value_info("s", TensorProto.DOUBLE, ["N"]),
            helper.make_tensor_value_info("c", TensorProto.DOUBLE, ["N", 2, 3]),
        ],
        initializer=[axes, two],
    )
    return checked_model(graph)


def dynamic_model() -> onnx.ModelProto:
    """x float[N, T] (T dynamic) -> total = ReduceSum(x, axis 1) [N]; double = 2x [N, T]."""
    axes = numpy_helper.from_array(np.array([1], np.int64), "axes")
    two = numpy_helper.from_array(np.array(2.0, np.float32), "two")
    nodes = [
        helper.make_node("ReduceSum", ["x", "axes"], ["total"], keepdims=0),
        helper.make_node("Mul", ["x", "two"], ["double"]),
    ]
    graph = helper.make_graph(
        nodes,
        "dynamic",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", "T"])],
        [
            helper.make_tensor_value_info("total", TensorProto.FLOAT, ["N"]),
            helper.make_tensor_value_info("double", TensorProto.FLOAT, ["N", "T"]),
        ],
        initializer=[axes, two],
    )
    return checked_model(graph)


def fixed_batch_model() -> onnx.ModelProto:
    """The MLP exported with a fixed batch dimension of 3 (as some exporters do)."""
    model = mlp_model()
    for value in list(model.graph.input) + list(model.graph.output):
        value.type.tensor_type.shape.dim[0].ClearField("dim_param")
        value.type.tensor_type.shape.dim[0].dim_value = 3
    return model


def tiny_image_model() -> onnx.ModelProto:
    """image float[N,3,16,16] -> Conv 3x3 (4) -> Relu -> GlobalAveragePool -> Flatten (features [N,4]) -> Gemm
    (logits [N,3]): a small real image classifier whose feature node is found from the graph."""
    rng = np.random.default_rng(5)
    inits = [
        numpy_helper.from_array(rng.normal(size=(4, 3, 3, 3)).astype(np.float32), "conv_w"),
        numpy_helper.from_array(rng.normal(size=(3, 4)).astype(np.float32), "fc_w"),
        numpy_helper.from_array(rng.normal(size=(3,)).astype(np.float32), "fc_b"),
    ]
    nodes = [
        helper.make_node("Conv", ["image", "conv_w"], ["conv"], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["conv"], ["relu"]),
        helper.make_node("GlobalAveragePool", ["relu"], ["pool"]),
        helper.make_node("Flatten", ["pool"], ["features"]),
        helper.make_node("Gemm", ["features", "fc_w", "fc_b"], ["logits"], transB=1),
    ]
    graph = helper.make_graph(
        nodes,
        "tiny_image",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["N", 3, 16, 16])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 3])],
        initializer=inits,
    )
    return checked_model(graph)


def effnet_tensor(rgb: np.ndarray, size: int = 224) -> np.ndarray:
    """EfficientNet-Lite0's input for an RGB uint8 image, computed directly with OpenCV and numpy: shorter side
    to ``size`` (half-up rounding), centre crop, (x/255 - 0.5)/0.5, CHW float32."""
    import math

    import cv2

    h, w = rgb.shape[:2]
    ratio = size / min(h, w)
    nh, nw = max(1, math.floor(ratio * h + 0.5)), max(1, math.floor(ratio * w + 0.5))
    resized = cv2.resize(np.ascontiguousarray(rgb[:, :, ::-1]), (nw, nh))  # resize in BGR as Spark images are
    top, left = (nh - size) // 2, (nw - size) // 2
    crop = resized[top : top + size, left : left + size, ::-1].astype(np.float32)
    return ((crop * np.float32(1 / 255) - 0.5) / 0.5).transpose(2, 0, 1).astype(np.float32)


def sklearn_zipmap_classifier(string_labels: bool = False):
    """A real scikit-learn classifier on iris converted by skl2onnx with its default ZipMap output:
    ``X`` float[N,4] -> ``output_label`` [N] and ``output_probability`` seq(map(int64|string, float)).

    Returns ``(model bytes, fitted estimator, X float32)``.
    """
    from skl2onnx import to_onnx
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    features, labels = load_iris(return_X_y=True)
    features = features.astype(np.float32)
    if string_labels:
        labels = np.array(["setosa", "versicolor", "virginica"])[labels]
    estimator = LogisticRegression(max_iter=1000).fit(features, labels)
    return to_onnx(estimator, features[:1]).SerializeToString(), estimator, features
