#!/usr/bin/env bash
# GPU check of the image data path: ImageFeaturizer on CUDA vs on CPU vs bare onnxruntime on the same GPU, in one
# run, self-contained (no network; it writes its own JPEGs, and builds a small CNN when the EfficientNet-Lite0 file
# of ../shared/models is not there).
#
#   bash benchmarks/gpu_check.sh [IMAGES] [MODEL]      (defaults: 512, ../shared/models/efficientnet_lite0.onnx)
#
# Prints onnxruntime's providers first and exits cleanly (0) when CUDA is not among them. Otherwise, on the same
# JPEGs (640x480):
#   1. bare onnxruntime on CUDA: decode + resize + normalise in this process, then the model in batches of 64;
#      the model alone is timed too (tensors already in memory);
#   2. read_images -> ImageFeaturizer(deviceType CUDA) on local[2] -> noop sink (the Python workers read and
#      decode on CPU threads ahead of the GPU; IO binding feeds the model);
#   3. the same on CPU; features of CUDA and CPU must agree (max |difference| printed).
# and prints  gpu_check: featurizer CUDA X img/s, CPU Y img/s, bare onnxruntime CUDA Z img/s (ratio ...).
#
# GPU_CHECK_DRY_RUN=1 runs everything on CPU (the "CUDA" runs too) to check the script without a GPU.
# Needs: python with pyspark, onnx, onnxruntime-gpu (onnxruntime for the dry run), opencv, numpy; Java 17 for
# Spark (without Java the Spark runs are skipped and said so).
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-$( [ -x .venv/bin/python ] && echo .venv/bin/python || echo python3 )}"
IMAGES="${1:-512}"
MODEL="${2:-../shared/models/efficientnet_lite0.onnx}"

PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" "$PY" - "$IMAGES" "$MODEL" <<'PYEOF'
import math, os, shutil, sys, tempfile, time
import numpy as np
import onnxruntime as ort

providers = ort.get_available_providers()
print(f"onnxruntime {ort.__version__} providers: {providers}", flush=True)
dry_run = os.environ.get("GPU_CHECK_DRY_RUN") == "1"
if "CUDAExecutionProvider" not in providers and not dry_run:
    print("gpu_check: no GPU available to this run (onnxruntime offers no CUDAExecutionProvider); nothing measured. "
          "Install onnxruntime-gpu in place of onnxruntime on a CUDA machine.")
    sys.exit(0)
device = "CPU" if dry_run else "CUDA"
count, model_path = int(sys.argv[1]), os.path.abspath(sys.argv[2])
import cv2

tmp = tempfile.mkdtemp(prefix="gpu_check_")
try:
    # ------------------------------------------------------------------------------------ inputs and model
    rng = np.random.default_rng(0)
    folder = os.path.join(tmp, "jpegs")
    os.makedirs(folder)
    base = cv2.resize((rng.random((48, 64, 3)) * 255).astype(np.uint8), (640, 480), interpolation=cv2.INTER_CUBIC)
    for i in range(count):
        noisy = np.clip(base.astype(np.int16) + rng.integers(-20, 20, base.shape), 0, 255).astype(np.uint8)
        cv2.imwrite(os.path.join(folder, f"img_{i:05d}.jpg"), np.roll(noisy, i * 7, axis=1))
    if not os.path.exists(model_path):
        import onnx
        from onnx import TensorProto, helper, numpy_helper

        w = numpy_helper.from_array(rng.normal(0, 0.1, (64, 3, 7, 7)).astype(np.float32), "w")
        fc = numpy_helper.from_array(rng.normal(0, 0.1, (64, 10)).astype(np.float32), "fc")
        nodes = [helper.make_node("Conv", ["image", "w"], ["c"], strides=[4, 4]), helper.make_node("Relu", ["c"], ["r"]),
                 helper.make_node("GlobalAveragePool", ["r"], ["p"]), helper.make_node("Flatten", ["p"], ["features"]),
                 helper.make_node("MatMul", ["features", "fc"], ["logits"])]
        graph = helper.make_graph(nodes, "small_cnn", [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["N", 3, 224, 224])],
                                  [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 10])], initializer=[w, fc])
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
        model.ir_version = 8
        model_path = os.path.join(tmp, "small_cnn.onnx")
        onnx.save(model, model_path)
        print("gpu_check: EfficientNet-Lite0 not found; using a generated small CNN", flush=True)
    from mmlspark_py.onnx.graph import prepare_model
    from mmlspark_py.downloader.schema import find_feature_node
    from mmlspark_py.onnx.graph import load_model

    data = open(model_path, "rb").read()
    node = find_feature_node(load_model(data))
    sliced = prepare_model(data, [node])
    feature_model = os.path.join(tmp, "features.onnx")
    open(feature_model, "wb").write(sliced.data)
    image_input = sliced.inputs[0].name

    def preprocess(path):
        bgr = cv2.imread(path, cv2.IMREAD_COLOR)
        h, w = bgr.shape[:2]
        r = 224 / min(h, w)
        nh, nw = max(1, math.floor(r * h + 0.5)), max(1, math.floor(r * w + 0.5))
        out = cv2.resize(bgr, (nw, nh))
        top, left = nh // 2 - 112, nw // 2 - 112
        rgb = out[top:top + 224, left:left + 224, ::-1].astype(np.float64)
        return ((rgb * (1 / 255) - np.array([0.485, 0.456, 0.406])) / np.array([0.229, 0.224, 0.225])).astype(np.float32).transpose(2, 0, 1)

    # ------------------------------------------------------------------------------ bare onnxruntime on the GPU
    ep = ["CUDAExecutionProvider", "CPUExecutionProvider"] if device == "CUDA" else ["CPUExecutionProvider"]
    session = ort.InferenceSession(feature_model, providers=ep)
    paths = sorted(os.path.join(folder, f) for f in os.listdir(folder))
    session.run([node], {image_input: np.stack([preprocess(p) for p in paths[:8]])})  # warm-up
    start = time.perf_counter()
    tensors = [np.stack([preprocess(p) for p in paths[i:i + 64]]) for i in range(0, count, 64)]
    for t in tensors:
        session.run([node], {image_input: t})
    bare = count / (time.perf_counter() - start)
    start = time.perf_counter()
    for t in tensors:
        session.run([node], {image_input: t})
    model_only = count / (time.perf_counter() - start)
    print(f"gpu_check: bare onnxruntime {device}: {bare:.1f} img/s decode+model in one process, {model_only:.1f} img/s "
          "model alone", flush=True)

    # -------------------------------------------------------------------------------- ImageFeaturizer on Spark
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        print("gpu_check: no Java on this machine: the Spark runs (ImageFeaturizer) were skipped")
        sys.exit(0)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from mmlspark_py.core.session import get_spark
    from mmlspark_py.image import read_images
    from mmlspark_py.onnx import ImageFeaturizer

    spark = get_spark("local[2]", "gpu_check", {"spark.driver.memory": "4g", "spark.ui.enabled": "false"})

    def featurize(dev):
        stage = ImageFeaturizer(inputCol="image", outputCol="features", miniBatchSize=64).setModelLocation(model_path) \
            .setDeviceType(dev)
        stage.transform(read_images(folder)).write.format("noop").mode("overwrite").save()  # warm-up (sessions, caches)
        start = time.perf_counter()
        stage.transform(read_images(folder)).select("origin", "features").write.format("noop").mode("overwrite").save()
        rate = count / (time.perf_counter() - start)
        some = {r.origin: r.features.toArray() for r in stage.transform(read_images(paths[:16])).collect()}
        return rate, some

    gpu_rate, gpu_features = featurize(device)
    cpu_rate, cpu_features = featurize("CPU")
    spark.stop()
    err = max(float(np.abs(gpu_features[k] - cpu_features[k]).max()) for k in cpu_features)
    ok = err < 1e-3 * max(1.0, max(float(np.abs(v).max()) for v in cpu_features.values()))
    print(f"gpu_check: featurizer {device} {gpu_rate:.1f} img/s, CPU {cpu_rate:.1f} img/s, bare onnxruntime {device} "
          f"{bare:.1f} img/s (featurizer/bare={gpu_rate / bare:.2f}, {device}/CPU={gpu_rate / cpu_rate:.2f}); "
          f"max|{device}-CPU|={err:.2e} {'OK' if ok else 'MISMATCH'}; images={count}{' (dry run on CPU)' if dry_run else ''}")
    sys.exit(0 if ok else 1)
finally:
    shutil.rmtree(tmp, ignore_errors=True)
PYEOF
