"""ONNXModel on small real models: outputs equal onnxruntime called directly; input forms; bad input."""

from __future__ import annotations

import os

import numpy as np
import onnx
import onnxruntime as ort
import pyarrow as pa
import pytest
from pyspark.ml.linalg import SparseVector, Vectors
from pyspark.sql.pandas.types import from_arrow_schema
from pyspark.sql.types import DoubleType, StructType

from mmlspark_py.core.model_cache import SharedPayload
from mmlspark_py.core.onnx_sessions import get_session
from mmlspark_py.core.spark_compat import dataframe_from_arrow
from mmlspark_py.onnx import ModelFormatError, ONNXModel, TensorTypeError
from tests.onnx.models import dynamic_model, fixed_batch_model, mlp_model, two_input_model

MLP = mlp_model().SerializeToString()


def direct(model_bytes, feeds, outputs):
    return ort.InferenceSession(model_bytes, providers=["CPUExecutionProvider"]).run(outputs, feeds)


@pytest.fixture(scope="module")
def x():
    return np.random.default_rng(7).normal(size=(37, 4))


@pytest.fixture(scope="module")
def mlp_df(spark, x):
    return spark.createDataFrame([(i, x[i].tolist()) for i in range(len(x))], "id int, x array<double>")


def mlp_stage(**kwargs):
    params = dict(modelPayload=MLP, feedDict={"x": "x"}, fetchDict={"y": "y"}, deviceType="CPU", miniBatchSize=8)
    params.update(kwargs)
    return ONNXModel(**params)


def test_outputs_softmax_argmax_equal_onnxruntime(mlp_df, x):
    stage = mlp_stage(softMaxDict={"y": "p"}, argMaxDict={"y": "label"})
    rows = stage.transform(mlp_df).orderBy("id").collect()
    (y,) = direct(MLP, {"x": x.astype(np.float32)}, ["y"])
    np.testing.assert_array_equal(np.array([r.y for r in rows], np.float32), y)
    e = np.exp(y.astype(np.float64) - y.max(axis=1, keepdims=True))
    np.testing.assert_allclose(np.array([r.p.toArray() for r in rows]), e / e.sum(axis=1, keepdims=True), rtol=1e-12)
    assert [r.label for r in rows] == np.argmax(y, axis=1).astype(float).tolist()


def test_intermediate_node_is_sliced_and_exact(mlp_df, x):
    stage = mlp_stage(fetchDict={"h": "hidden", "pre": "pre"})
    assert stage.transformSchema(mlp_df.schema)["h"].dataType.simpleString() == "array<float>"
    rows = stage.transform(mlp_df).orderBy("id").collect()
    weights = {t.name: onnx.numpy_helper.to_array(t) for t in mlp_model().graph.initializer}
    pre = x.astype(np.float32) @ weights["W1"] + weights["B1"]
    np.testing.assert_allclose(np.array([r.pre for r in rows]), pre, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.array([r.h for r in rows]), np.maximum(pre, 0), rtol=1e-5, atol=1e-6)
    assert set(stage.getModelNodes()) >= {"pre", "hidden", "y"}


def test_vector_column_dense_and_sparse(spark, x):
    vectors = [Vectors.dense(x[i]) if i % 2 else SparseVector(4, {1: x[i][1], 3: x[i][3]}) for i in range(10)]
    df = spark.createDataFrame([(i, v) for i, v in enumerate(vectors)], ["id", "x"])
    rows = mlp_stage().transform(df).orderBy("id").collect()
    dense = np.array([v.toArray() for v in vectors], np.float32)
    np.testing.assert_array_equal(np.array([r.y for r in rows], np.float32), direct(MLP, {"x": dense}, ["y"])[0])


def test_nested_arrays_flat_arrays_and_scalars(spark):
    model = two_input_model().SerializeToString()
    rng = np.random.default_rng(2)
    a = rng.normal(size=(9, 2, 3))
    b = rng.integers(-5, 5, size=9)
    nested = spark.createDataFrame(
        [(i, a[i].tolist(), a[i].ravel().tolist(), int(b[i])) for i in range(9)],
        "id int, a array<array<double>>, flat array<double>, b int",
    )
    s, c = direct(model, {"a": a, "b": b.astype(np.int64)}, ["s", "c"])
    for column in ("a", "flat"):
        stage = ONNXModel(
            modelPayload=model, feedDict={"a": column, "b": "b"}, fetchDict={"s": "s", "c": "c"}, deviceType="CPU"
        )
        out = stage.transform(nested)
        assert out.schema["s"].dataType == DoubleType()
        rows = out.orderBy("id").collect()
        np.testing.assert_allclose([r.s for r in rows], s, rtol=1e-12)  # batch-dependent summation order
        np.testing.assert_array_equal(np.array([r.c for r in rows]), c)


def test_dynamic_dimension_rows_of_different_lengths(spark):
    model = dynamic_model().SerializeToString()
    data = [[1.0, 2.0], [3.0, 4.0, 5.0], [6.0], [7.0, 8.0, 9.0], [1.5, 2.5]]
    df = spark.createDataFrame(list(enumerate(data)), "id int, x array<float>")
    stage = ONNXModel(
        modelPayload=model, feedDict={"x": "x"}, fetchDict={"t": "total", "d": "double"}, deviceType="CPU"
    )
    rows = stage.transform(df).orderBy("id").collect()
    for row, values in zip(rows, data):
        t, d = direct(model, {"x": np.array([values], np.float32)}, ["total", "double"])
        assert row.t == t[0] and row.d == d[0].tolist()


def test_fixed_batch_dimension_model(spark, mlp_df, x):
    model = fixed_batch_model().SerializeToString()
    rows = mlp_stage(modelPayload=model).transform(mlp_df).orderBy("id").collect()
    expected = np.concatenate(
        [direct(MLP, {"x": x[i : i + 3].astype(np.float32)}, ["y"])[0] for i in range(0, len(x), 3)]
    )
    np.testing.assert_array_equal(np.array([r.y for r in rows], np.float32), expected)


def bad_rows_df(spark):
    rows = [
        (0, [1.0, 2.0, 3.0, 4.0]),
        (1, [1.0, 2.0]),
        (2, None),
        (3, [1.0, None, 3.0, 4.0]),
        (4, [0.5, 0.5, 0.5, 0.5]),
    ]
    return spark.createDataFrame(rows, "id int, x array<double>")


def test_bad_rows_give_null_and_reason_with_error_col(spark):
    df = bad_rows_df(spark)
    rows = mlp_stage(errorCol="err", softMaxDict={"y": "p"}).transform(df).orderBy("id").collect()
    good = np.array([[1, 2, 3, 4], [0.5] * 4], np.float32)
    (y,) = direct(MLP, {"x": good}, ["y"])
    assert [r.y is None for r in rows] == [False, True, True, True, False]
    np.testing.assert_array_equal(np.array([rows[0].y, rows[4].y], np.float32), y)
    assert rows[0].err is None and rows[2].err is None and rows[4].err is None
    assert "wrong shape for model input x: tensor(float) [N, 4]" in rows[1].err and "[2]" in rows[1].err
    assert "null element" in rows[3].err
    assert rows[1].p is None and rows[0].p is not None


def test_bad_row_without_error_col_fails_naming_the_problem(spark):
    with pytest.raises(Exception, match=r"wrong shape for model input x.*this row's shape is \[2\]"):
        mlp_stage().transform(bad_rows_df(spark).where("id < 3")).collect()


def test_ragged_nested_row(spark):
    model = two_input_model().SerializeToString()
    df = spark.createDataFrame(
        [(0, [[1.0, 2.0, 3.0], [4.0, 5.0]], 1), (1, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], 2)],
        "id int, a array<array<double>>, b int",
    )
    stage = ONNXModel(
        modelPayload=model, feedDict={"a": "a", "b": "b"}, fetchDict={"s": "s"}, errorCol="e", deviceType="CPU"
    )
    rows = stage.transform(df).orderBy("id").collect()
    assert rows[0].s is None and "ragged array" in rows[0].e
    assert rows[1].s == 23.0 and rows[1].e is None


def test_zero_rows(spark, mlp_df):
    empty = mlp_df.limit(0)
    out = mlp_stage(softMaxDict={"y": "p"}).transform(empty)
    assert out.count() == 0 and out.schema == mlp_stage(softMaxDict={"y": "p"}).transformSchema(empty.schema)


def test_model_location_any_path_and_corrupt_files(spark, tmp_path, mlp_df, x):
    good = tmp_path / "mlp.onnx"
    good.write_bytes(MLP)
    stage = (
        ONNXModel(deviceType="CPU").setModelLocation(f"file://{good}").setFeedDict({"x": "x"}).setFetchDict({"y": "y"})
    )
    assert stage.getModelPayload() == MLP
    truncated = tmp_path / "truncated.onnx"
    truncated.write_bytes(MLP[: len(MLP) // 2])
    with pytest.raises(ModelFormatError, match=f"modelLocation '{truncated}'.*corrupt or truncated"):
        ONNXModel().setModelLocation(str(truncated))
    with pytest.raises(ModelFormatError, match="modelPayload.*corrupt or truncated"):
        ONNXModel(modelPayload=MLP[:-20])  # refused where it is set, not at transform time
    # a saved stage whose payload file was truncated is refused at load, naming where it was read from
    stage.write().save(str(tmp_path / "saved"))
    (payload,) = list((tmp_path / "saved").rglob("modelPayload.bin"))
    payload.write_bytes(MLP[: len(MLP) // 3])
    for checksum in payload.parent.glob(".*.crc"):  # truncated by something other than Hadoop: no checksum
        checksum.unlink()
    with pytest.raises(Exception, match=f"{tmp_path / 'saved'}.*modelPayload.*corrupt or truncated"):
        ONNXModel.load(str(tmp_path / "saved"))
    with pytest.raises(ModelFormatError, match="not a valid ONNX"):
        mlp_stage(modelPayload=b"\x00garbage" * 10).transform(mlp_df)
    with pytest.raises(FileNotFoundError, match="modelLocation"):
        ONNXModel().setModelLocation(str(tmp_path / "missing.onnx"))


def test_external_data_model_over_2gb_is_unsupported(tmp_path):
    model = mlp_model()
    onnx.save_model(
        model,
        str(tmp_path / "big.onnx"),
        save_as_external_data=True,
        all_tensors_to_one_file=True,
        location="big.data",
        size_threshold=0,
    )
    data = (tmp_path / "big.onnx").read_bytes()
    with pytest.raises(ModelFormatError, match="external data.*over 2 GB.*unsupported"):
        mlp_stage(modelPayload=data).getModelInputs()


def test_feed_dict_mismatches_name_input_shape_and_type(spark, mlp_df):
    with pytest.raises(Exception, match=r"feedDict has no column for model input x: tensor\(float\) \[N, 4\]"):
        mlp_stage(feedDict={}).transform(mlp_df)
    with pytest.raises(Exception, match="not model inputs"):
        mlp_stage(feedDict={"x": "x", "q": "x"}).transform(mlp_df)
    strings = spark.createDataFrame([("a",)], "x string")
    with pytest.raises(
        TensorTypeError,
        match=r"column 'x' \(string\) cannot feed model input x: "
        r"tensor\(float\) \[N, 4\]: expected array<number>",
    ):
        mlp_stage().transform(strings)
    deep = spark.createDataFrame([([[1.0]],)], "x array<array<double>>")
    with pytest.raises(TensorTypeError, match="expected array<number>"):
        mlp_stage().transform(deep)
    ints = spark.createDataFrame([([1.0, 2.0],)], "b array<double>")
    with pytest.raises(TensorTypeError, match=r"b: tensor\(int64\) \[N\].*castable to int64"):
        ONNXModel(
            modelPayload=two_input_model().SerializeToString(), feedDict={"a": "b", "b": "b"}, fetchDict={"s": "s"}
        ).transformSchema(StructType(ints.schema.fields))
    with pytest.raises(Exception, match="no output or node named \\['nope'\\]"):
        mlp_stage(fetchDict={"y": "nope"}).transform(mlp_df)


def test_explicit_cuda_unavailable_fails_clearly(mlp_df):
    with pytest.raises(Exception, match="deviceType CUDA was requested"):
        mlp_stage(deviceType="CUDA").transform(mlp_df).collect()


def test_session_created_once_per_worker_across_tasks(spark):
    payload = SharedPayload(spark, MLP)

    def sessions(_):
        yield os.getpid(), id(get_session(payload, "CPU", "all", 1))

    seen = spark.sparkContext.parallelize(range(8), 8).mapPartitions(sessions).collect()
    by_pid = {}
    for pid, session in seen:
        by_pid.setdefault(pid, set()).add(session)
    assert all(len(ids) == 1 for ids in by_pid.values()) and len(seen) == 8


def test_zipmap_classifier_output_is_a_map_column_with_softmax_and_argmax(spark):
    from pyspark.sql.types import FloatType, LongType, MapType

    from tests.onnx.models import sklearn_zipmap_classifier

    model, estimator, features = sklearn_zipmap_classifier()
    rows = features[::7]
    df = spark.createDataFrame([(i, r.tolist()) for i, r in enumerate(rows)], "id int, X array<float>")
    stage = ONNXModel(
        modelPayload=model,
        feedDict={"X": "X"},
        fetchDict={"label": "output_label", "probability": "output_probability"},
        softMaxDict={"probability": "soft"},
        argMaxDict={"probability": "predicted"},
        deviceType="CPU",
        miniBatchSize=4,
    )
    assert stage.transformSchema(df.schema)["probability"].dataType == MapType(LongType(), FloatType(), True)
    out = stage.transform(df).orderBy("id").collect()
    want_label, want_maps = direct(model, {"X": rows}, ["output_label", "output_probability"])
    assert [r.label for r in out] == want_label.tolist() == estimator.predict(rows).tolist()
    for r, want in zip(out, want_maps):
        assert r.probability == pytest.approx(want, rel=0, abs=0)  # the runtime's float32 values, unchanged
        p = np.array([want[k] for k in sorted(want)], np.float64)
        np.testing.assert_allclose(r.soft.toArray(), np.exp(p) / np.exp(p).sum(), rtol=1e-12)
        assert r.predicted == float(max(want, key=want.get))
    np.testing.assert_allclose(
        [[r.probability[k] for k in sorted(r.probability)] for r in out], estimator.predict_proba(rows), atol=1e-5
    )


def test_zipmap_with_string_labels_is_a_map_column_and_argmax_needs_numeric_keys(spark):
    from pyspark.sql.types import FloatType, MapType, StringType

    from mmlspark_py.core.stage import SchemaError
    from tests.onnx.models import sklearn_zipmap_classifier

    model, estimator, features = sklearn_zipmap_classifier(string_labels=True)
    df = spark.createDataFrame([(i, r.tolist()) for i, r in enumerate(features[:3])], "id int, X array<float>")
    stage = ONNXModel(
        modelPayload=model,
        feedDict={"X": "X"},
        fetchDict={"label": "output_label", "probability": "output_probability"},
        deviceType="CPU",
    )
    assert stage.transformSchema(df.schema)["probability"].dataType == MapType(StringType(), FloatType(), True)
    out = stage.transform(df).orderBy("id").collect()
    assert [r.label for r in out] == estimator.predict(features[:3]).tolist()
    assert set(out[0].probability) == {"setosa", "versicolor", "virginica"}
    with pytest.raises(SchemaError, match="numeric keys"):
        stage.copy().setArgMaxDict({"probability": "p"}).transformSchema(df.schema)


def test_io_binding_path_equals_session_run(x):
    from mmlspark_py.core.onnx_sessions import run_bound

    session = ort.InferenceSession(MLP, providers=["CPUExecutionProvider"])
    feeds = {"x": x.astype(np.float32)}
    want = session.run(["y"], feeds)
    got = run_bound(session, ["y"], feeds, device="cpu", device_id=0)  # what CUDA runs, on the CPU
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)


def test_raw_binary_tensor_feeds_equal_nested_arrays(spark, x):
    from mmlspark_py.core.tensors import raw_tensor_column

    values = x.astype(np.float32)
    table = pa.table(
        {
            "id": pa.array(np.arange(len(values), dtype=np.int32)),
            "raw": raw_tensor_column(list(values)),
            "nested": pa.array(values.tolist(), pa.list_(pa.float32())),
        }
    )
    first = dataframe_from_arrow(spark, table, from_arrow_schema(table.schema))
    df = first.union(spark.createDataFrame([(99, bytearray(b"\x00" * 12), None)], first.schema))
    stage = mlp_stage(feedDict={"x": "raw"}, fetchDict={"y": "y"}, errorCol="err")
    out = {r.id: r for r in stage.transform(df).collect()}
    (want,) = direct(MLP, {"x": values}, ["y"])
    np.testing.assert_array_equal(np.array([out[i].y for i in range(len(values))], np.float32), want)
    assert out[99].y is None and "wrong size (expected 16 bytes" in out[99].err
    nested = {r.id: r.y for r in mlp_stage(feedDict={"x": "nested"}).transform(df.where("id < 99")).collect()}
    assert nested == {i: out[i].y for i in nested}
    from pyspark.sql.types import BinaryType

    from mmlspark_py.core.tensors import TensorInfo, check_feed_type

    with pytest.raises(TensorTypeError, match="raw binary tensor needs"):
        check_feed_type("raw", BinaryType(), TensorInfo("x", ("N", "H", 3), "tensor(float)"))
