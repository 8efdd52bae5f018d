"""get_session/run_session: per-process caching, devices, options, feed checking, against onnxruntime directly."""

from __future__ import annotations

import numpy as np
import onnxruntime as ort
import pytest

from mmlspark_py.core import scoring
from mmlspark_py.core.model_cache import SharedPayload
from mmlspark_py.core.onnx_sessions import DeviceUnavailableError, get_session, run_session
from mmlspark_py.core.tensors import FeedError
from tests.onnx.models import mlp_model, two_input_model


@pytest.fixture(scope="module")
def mlp_payload(spark):
    return SharedPayload(spark, mlp_model().SerializeToString())


def test_session_is_cached_per_key(mlp_payload):
    a = get_session(mlp_payload)
    assert get_session(mlp_payload) is a
    assert get_session(mlp_payload, optimization_level="basic") is not a
    assert get_session(mlp_payload, intra_op_threads=1) is not a


def test_run_session_equals_onnxruntime(mlp_payload):
    x = np.random.default_rng(1).normal(size=(5, 4))  # float64: cast to the model's float32
    ours = run_session(get_session(mlp_payload, intra_op_threads=1), {"x": x})
    direct = ort.InferenceSession(mlp_payload.value).run(["y"], {"x": x.astype(np.float32)})[0]
    np.testing.assert_array_equal(ours["y"], direct)


def test_feed_errors_name_input_and_expectation(mlp_payload):
    session = get_session(mlp_payload)
    with pytest.raises(FeedError, match=r"x: tensor\(float\) \[N, 4\].*dimension 1 must be 4"):
        run_session(session, {"x": np.zeros((2, 5), np.float32)})
    with pytest.raises(FeedError, match="expects rank 2"):
        run_session(session, {"x": np.zeros((2,), np.float32)})
    with pytest.raises(FeedError, match="unknown: \\['q'\\].*missing: \\['x'\\]"):
        run_session(session, {"q": np.zeros((2, 4), np.float32)})


def test_float_into_int_input_is_refused(spark):
    session = get_session(SharedPayload(spark, two_input_model().SerializeToString()))
    a = np.ones((2, 2, 3))
    with pytest.raises(FeedError, match="b: tensor\\(int64\\).*expects int64, got float64"):
        run_session(session, {"a": a, "b": np.array([1.5, 2.0])})
    out = run_session(session, {"a": a, "b": np.array([1, 2], np.int32)})
    np.testing.assert_array_equal(out["s"], [7.0, 8.0])


def test_explicit_cuda_without_provider_is_clear_error(mlp_payload):
    assert "CUDAExecutionProvider" not in ort.get_available_providers()  # this CI machine is CPU-only
    with pytest.raises(DeviceUnavailableError, match="deviceType CUDA was requested.*onnxruntime-gpu"):
        get_session(mlp_payload, device_type="CUDA")


def test_auto_falls_back_to_cpu_with_warning(mlp_payload):
    with pytest.warns(RuntimeWarning, match="running on CPU"):
        session = get_session(mlp_payload, device_type="auto")
    assert session.get_providers() == ["CPUExecutionProvider"]


def test_bad_options_and_corrupt_model(spark):
    payload = SharedPayload(spark, mlp_model().SerializeToString())
    with pytest.raises(ValueError, match="deviceType must be one of"):
        get_session(payload, device_type="TPU")
    with pytest.raises(ValueError, match="optimizationLevel must be one of"):
        get_session(payload, optimization_level="max")
    truncated = SharedPayload(spark, mlp_model().SerializeToString()[:50])
    with pytest.raises(ValueError, match="cannot load the model"):
        get_session(truncated)


def test_task_gpu_id_outside_task_is_zero():
    assert scoring.task_gpu_id() == 0
