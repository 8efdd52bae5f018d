#!/usr/bin/env bash
# GPU check for ONNXModel (deviceType CUDA): prints onnxruntime's providers first and exits cleanly (0) when
# CUDA is not among them; otherwise scores the same tensors with ONNXModel on CUDA and on CPU (local[1]),
# checks the outputs agree within tolerance and prints both throughputs.
#
#   bash benchmarks/gpu_check.sh [MODEL] [ROWS]     (defaults: ../shared/models/efficientnet_lite0.onnx, 512)
#
# GPU_CHECK_DRY_RUN=1 runs the whole script on CPU (both runs CPU) to check the script itself without a GPU.
# Needs nothing from the internet; carry the venv (or use the machine's own Python with pyspark, onnx and
# onnxruntime-gpu installed).
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-$( [ -x .venv/bin/python ] && echo .venv/bin/python || echo python3 )}"
MODEL="${1:-../shared/models/efficientnet_lite0.onnx}"
ROWS="${2:-512}"

"$PY" - "$MODEL" "$ROWS" <<'PYEOF'
import os, sys, time
import numpy as np
import onnxruntime as ort

providers = ort.get_available_providers()
print(f"onnxruntime {ort.__version__} providers: {providers}", flush=True)
dry_run = os.environ.get("GPU_CHECK_DRY_RUN") == "1"
if "CUDAExecutionProvider" not in providers and not dry_run:
    print("gpu_check: CUDAExecutionProvider not available in this onnxruntime build; nothing to check (install "
          "onnxruntime-gpu in place of onnxruntime on a CUDA machine).")
    sys.exit(0)

model, rows = os.path.abspath(sys.argv[1]), int(sys.argv[2])
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
sys.path.insert(0, os.getcwd())
import pyarrow as pa
from mmlspark_py.core.session import get_spark
from mmlspark_py.onnx import ONNXModel

spark = get_spark("local[1]", "gpu_check", {"spark.driver.memory": "8g"})
size = 3 * 224 * 224
flat = np.random.default_rng(0).standard_normal(rows * size, dtype=np.float32)
table = pa.table({"id": pa.array(np.arange(rows, dtype=np.int32)),
                  "tensor": pa.ListArray.from_arrays(pa.array(np.arange(rows + 1, dtype=np.int32) * size),
                                                     pa.array(flat))})
df = spark.createDataFrame(table.to_pandas()).repartition(1).cache()
df.count()

def run(device):
    stage = ONNXModel(feedDict={"image": "tensor"}, fetchDict={"logits": "logits"}, deviceType=device,
                      miniBatchSize=64).setModelLocation(model)
    stage.transform(df.limit(64)).write.format("noop").mode("overwrite").save()  # warm-up (session creation)
    start = time.perf_counter()
    out = np.array([r.logits for r in stage.transform(df).orderBy("id").collect()], np.float32)
    return out, rows / (time.perf_counter() - start)

gpu, gpu_rate = run("CPU" if dry_run else "CUDA")
cpu, cpu_rate = run("CPU")
err = float(np.abs(gpu - cpu).max())
ok = np.allclose(gpu, cpu, rtol=1e-3, atol=1e-3) and (gpu.argmax(1) == cpu.argmax(1)).mean() > 0.99
print(f"gpu_check: max|gpu-cpu|={err:.2e} {'OK' if ok else 'MISMATCH'}; CUDA {gpu_rate:.1f} rows/s, "
      f"CPU {cpu_rate:.1f} rows/s (collect included), speed-up {gpu_rate / cpu_rate:.2f}x")
sys.exit(0 if ok else 1)
PYEOF
