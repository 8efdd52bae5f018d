"""Where the time of one image goes, end to end, on both sides of Spark's JVM/Python boundary.

Runs one image pipeline on ``local[2]`` (where the executors live in the driver JVM) over N generated 640x480
JPEGs and samples both sides while it runs:

* the JVM with Java Flight Recorder (``jcmd <pid> JFR.start settings=profile``: a stack sample of every running
  Java thread every 10 ms), read back with ``jfr print --json``;
* every Python worker with ``py-spy record --subprocesses`` (100 samples/s of each busy worker; idle waits are
  not sampled).

Each sample is put into one category by the first frame, from the top of its stack, that names one (see
``JVM_RULES``/``PY_RULES``). Both samplers see a runnable thread as busy even while the OS gives its core to
another process, so on a loaded machine samples measure wall time, not CPU; the CPU each side really used is
measured from /proc (the JVM process; the Python daemon and its workers) and split by each category's share of
the samples. JFR sees only Java code: the JVM's GC, JIT compiler and native copies fall into the categories in
proportion, which the ``other JVM`` line and the uncategorised stacks printed at the end help judge. Pipelines:

* ``binaryfile``: ``spark.read.format("binaryFile")`` -> ``ImageTransformer`` over the binaryFile struct
  (resize 256 keep-ratio, centerCrop 224, blur 3) -> noop sink: what ``image_transform.py`` ran before;
* ``read_images``: ``read_images(folder)`` -> the same ``ImageTransformer`` on the image column -> noop;
* ``featurize``: ``read_images(folder)`` -> ``ImageFeaturizer`` (EfficientNet-Lite0, 1280-d) -> noop.

Usage::

    python benchmarks/profile_image_path.py --pipeline read_images --count 600 [--json out.json]

Prints the table (and the load average); the same figures go to ``--json`` when given.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from typing import Dict, List, Tuple

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

HERE = pathlib.Path(__file__).resolve().parent
PY_SPY = shutil.which("py-spy") or os.path.join(os.path.dirname(sys.executable), "py-spy")
MODEL = HERE.parent.parent / "shared" / "models" / "efficientnet_lite0.onnx"

IDLE = "pyspark daemon waiting (not CPU)"  # the daemon's select() loop: py-spy sees it as running

# (substring of a frame "package.Class.method", category); the first rule matching a frame, from the stack's
# top down, decides. Arrow vectors and byte copies alone decide nothing: whoever called them does.
JVM_RULES: List[Tuple[str, str]] = [
    ("execution.arrow.ArrowWriter", "JVM rows -> Arrow (to Python)"),
    ("python.PythonArrowInput", "JVM rows -> Arrow (to Python)"),
    ("python.BasicPythonArrowInput", "JVM rows -> Arrow (to Python)"),
    ("ArrowPythonRunner", "JVM rows -> Arrow (to Python)"),
    ("vectorized.ArrowColumnVector", "Arrow -> JVM rows (from Python)"),
    ("vectorized.ColumnarBatchRow", "Arrow -> JVM rows (from Python)"),
    ("vectorized.ColumnarArray", "Arrow -> JVM rows (from Python)"),
    ("python.PythonArrowOutput", "Arrow -> JVM rows (from Python)"),
    ("arrow.vector.ipc", "Arrow -> JVM rows (from Python)"),
    ("GeneratedClass", "JVM row building (UnsafeProjection)"),
    ("UnsafeProjection", "JVM row building (UnsafeProjection)"),
    ("UnsafeRow", "JVM row building (UnsafeProjection)"),
    ("UnsafeArrayData", "JVM row building (UnsafeProjection)"),
    ("datasources.binaryfile", "file scan (binaryFile: open, read bytes)"),
    ("datasources.FileScanRDD", "file scan (binaryFile: open, read bytes)"),
    ("org.apache.hadoop.fs", "file scan (binaryFile: open, read bytes)"),
    ("java.io.FileInputStream", "file scan (binaryFile: open, read bytes)"),
    ("java.net.", "socket I/O (JVM)"),
    ("sun.nio.ch", "socket I/O (JVM)"),
    ("java.io.DataOutputStream", "socket I/O (JVM)"),
    ("java.io.BufferedOutputStream", "socket I/O (JVM)"),
    ("java.io.DataInputStream", "socket I/O (JVM)"),
    ("arrow.vector.ipc.WriteChannel", "JVM rows -> Arrow (to Python)"),
    ("codegen.UnsafeWriter", "JVM row building (UnsafeProjection)"),
    ("codegen.BufferHolder", "JVM row building (UnsafeProjection)"),
    ("org.apache.spark.scheduler", "Spark scheduling and task set-up"),
    ("org.apache.spark.sql.catalyst", "Spark planning (catalyst)"),
    ("org.apache.spark.sql.execution.Spark", "Spark planning (catalyst)"),
    ("noop", "noop sink"),
]
PY_RULES: List[Tuple[str, str]] = [
    ("run (onnxruntime", "model (onnxruntime)"),
    ("(onnxruntime/", "model (onnxruntime)"),
    ("decode_image (", "decode (OpenCV imdecode)"),
    ("read_file_bytes (", "file read (Python)"),
    ("read_files (", "file read (Python)"),
    ("to_tensor (", "tensor + normalise"),
    ("apply (", "transform (OpenCV steps)"),
    ("structs_from_arrays (", "pixels -> Arrow (encode back)"),
    ("tensor_column (", "pixels -> Arrow (encode back)"),
    ("dense_vectors (", "pixels -> Arrow (encode back)"),
    ("arrays_from_structs (", "Arrow -> pixels (Python)"),
    ("binary_views (", "Arrow -> pixels (Python)"),
    ("serializers.py", "Arrow IPC + socket (Python)"),
    ("pyarrow/ipc", "Arrow IPC + socket (Python)"),
    ("(socket.py", "Arrow IPC + socket (Python)"),
    ("worker.py", "Python worker (other)"),
    ("daemon.py", IDLE),
]


# ------------------------------------------------------------------------------------------------ samplers
def _children(pid: int) -> List[int]:
    out = []
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{entry}/stat") as f:
                if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    return out


def _cpu_seconds(pid: int, with_children: bool = True) -> float:
    """CPU seconds of ``pid`` (all its threads); with its children (live ones, and reaped ones as the kernel counts
    them in cutime/cstime) when asked."""
    tick = os.sysconf("SC_CLK_TCK")
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = [int(x) for x in f.read().rsplit(")", 1)[1].split()[11:15]]
    except (OSError, ValueError):
        return 0.0
    if not with_children:
        return (fields[0] + fields[1]) / tick
    return sum(fields) / tick + sum(_cpu_seconds(child) for child in _children(pid))


def _jvm_pid(spark) -> int:
    return int(spark.sparkContext._jvm.ProcessHandle.current().pid())


def _daemons(jvm_pid: int) -> List[int]:
    found = []
    for pid in _children(jvm_pid):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if b"pyspark.daemon" in f.read():
                    found.append(pid)
        except OSError:
            continue
    return found


def _category(frames: List[str], rules: List[Tuple[str, str]], default: str) -> str:
    for frame in frames:
        for needle, name in rules:
            if needle in frame:
                return name
    return default


OTHER_EXAMPLES: Dict[str, collections.Counter] = {"jvm": collections.Counter(), "python": collections.Counter()}


def _remember(side: str, frames: List[str]) -> None:
    OTHER_EXAMPLES[side][" < ".join(f.split("(")[0].strip()[-60:] for f in frames[:3])] += 1


def jfr_samples(path: str) -> Tuple[collections.Counter, float]:
    """Categorised JVM execution samples of a recording, and the sampling interval (s) JFR used."""
    text = subprocess.run(
        ["jfr", "print", "--json", "--events", "jdk.ExecutionSample", path], capture_output=True, text=True, check=True
    ).stdout
    events = json.loads(text)["recording"]["events"]
    counts: collections.Counter = collections.Counter()
    for event in events:
        frames = [  # JFR writes class names with slashes (java/io/DataOutputStream)
            f"{f['method']['type']['name']}.{f['method']['name']}".replace("/", ".")
            for f in event["values"]["stackTrace"]["frames"]
        ]
        name = _category(frames, JVM_RULES, "other JVM")
        if name == "other JVM":
            _remember("jvm", frames)
        counts[name] += 1
    return counts, 0.01  # settings=profile samples running Java threads every 10 ms (JDK 17 profile.jfc)


def jfr_durations(path: str) -> Dict[str, float]:
    """Seconds the JVM spent in garbage collection pauses and in JIT compilation during the recording."""
    out = {}
    for event, label in (("jdk.GarbageCollection", "GC pauses"), ("jdk.Compilation", "JIT compilation")):
        text = subprocess.run(
            ["jfr", "print", "--json", "--events", event, path], capture_output=True, text=True, check=True
        ).stdout
        total = 0.0
        for item in json.loads(text)["recording"]["events"]:
            duration = item["values"].get("duration", "PT0S")  # ISO-8601, e.g. PT0.012345S
            total += float(duration[2:-1]) if duration.startswith("PT") and duration.endswith("S") else 0.0
        out[label] = total
    return out


def pyspy_samples(path: str, rate: int) -> Tuple[collections.Counter, float]:
    counts: collections.Counter = collections.Counter()
    for line in pathlib.Path(path).read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        frames = list(reversed(stack.split(";")))  # raw output lists the root first
        name = _category(frames, PY_RULES, "other Python")
        if name == "other Python":
            OTHER_EXAMPLES["python"][" < ".join(f[-70:] for f in frames[:3])] += int(n)
        counts[name] += int(n)
    return counts, 1.0 / rate


# ---------------------------------------------------------------------------------------------- pipelines
def _run(spark, pipeline: str, folder: str) -> None:
    from pyspark.sql import functions as F

    from mmlspark_py.image import read_images
    from mmlspark_py.opencv import ImageTransformer

    def transformer(col: str):
        return ImageTransformer(inputCol=col, outputCol="out").resize(256, True).centerCrop(224, 224).blur(3, 3)

    if pipeline == "binaryfile":
        files = spark.read.format("binaryFile").option("pathGlobFilter", "*.jpg").load(folder)
        out = transformer("file").transform(files.select(F.struct(*files.columns).alias("file"))).select("out")
    elif pipeline == "read_images":
        out = transformer("image").transform(read_images(folder, pathGlobFilter="*.jpg")).select("out")
    else:
        from mmlspark_py.onnx import ImageFeaturizer

        stage = ImageFeaturizer(inputCol="image", outputCol="features", dropNa=False).setModelLocation(str(MODEL))
        out = stage.setDeviceType("CPU").transform(read_images(folder, pathGlobFilter="*.jpg")).select("features")
    out.write.format("noop").mode("overwrite").save()


def profile(pipeline: str, count: int, rate: int) -> Dict[str, object]:
    from benchmarks.image_transform import generate, spark_session

    folder = pathlib.Path(tempfile.gettempdir()) / "mmlspark_py_bench_images" / f"640x480_{count}"
    generate(folder, count)
    warm = pathlib.Path(tempfile.gettempdir()) / "mmlspark_py_bench_images" / "640x480_16"
    generate(warm, 16)
    spark = spark_session()
    with tempfile.TemporaryDirectory() as tmp:
        try:
            _run(spark, pipeline, str(warm))  # JVM warm, Python workers started, model loaded
            jvm = _jvm_pid(spark)
            daemons = _daemons(jvm)
            recording = os.path.join(tmp, "jvm.jfr")
            subprocess.run(
                ["jcmd", str(jvm), "JFR.start", "name=mmlprof", "settings=profile"], check=True, capture_output=True
            )
            spies = [
                subprocess.Popen(
                    [
                        PY_SPY,
                        "record",
                        "--pid",
                        str(d),
                        "--subprocesses",
                        "--rate",
                        str(rate),
                        "--format",
                        "raw",
                        "--nonblocking",
                        "-o",
                        os.path.join(tmp, f"py{d}.txt"),
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                for d in daemons
            ]
            time.sleep(1.0)  # py-spy attaches
            jvm_cpu = _cpu_seconds(jvm, with_children=False)
            py_cpu = sum(_cpu_seconds(d) for d in daemons)
            start = time.perf_counter()
            _run(spark, pipeline, str(folder))
            wall = time.perf_counter() - start
            jvm_cpu = _cpu_seconds(jvm, with_children=False) - jvm_cpu
            py_cpu = sum(_cpu_seconds(d) for d in daemons) - py_cpu
            for spy in spies:
                spy.send_signal(signal.SIGINT)
                spy.wait(timeout=60)
            subprocess.run(
                ["jcmd", str(jvm), "JFR.stop", "name=mmlprof", f"filename={recording}"], check=True, capture_output=True
            )
        finally:
            spark.stop()
        jvm_counts, jvm_interval = jfr_samples(recording)
        jvm_events = jfr_durations(recording)
        py_counts: collections.Counter = collections.Counter()
        for name in os.listdir(tmp):
            if name.startswith("py") and name.endswith(".txt"):
                counts, py_interval = pyspy_samples(os.path.join(tmp, name), rate)
                py_counts.update(counts)
    per_image = {
        "jvm": {k: v * jvm_interval * 1000 / count for k, v in jvm_counts.most_common()},
        "python": {k: v * (1.0 / rate) * 1000 / count for k, v in py_counts.most_common() if k != IDLE},
    }
    return {
        "pipeline": pipeline,
        "images": count,
        "wall_ms_per_image": wall * 1000 / count,
        "load_average": os.getloadavg()[0],
        "cpu_ms_per_image": per_image,
        "measured_cpu_ms_per_image": {"jvm": jvm_cpu * 1000 / count, "python": py_cpu * 1000 / count},
        "jvm_event_ms_per_image": {k: v * 1000 / count for k, v in jvm_events.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pipeline", choices=("binaryfile", "read_images", "featurize"), default="read_images")
    parser.add_argument("--count", type=int, default=600)
    parser.add_argument("--rate", type=int, default=100, help="py-spy samples per second")
    parser.add_argument("--json", help="also write the figures here")
    args = parser.parse_args()
    result = profile(args.pipeline, args.count, args.rate)
    print(
        f"profile_image_path: pipeline={result['pipeline']} images={result['images']} "
        f"wall={result['wall_ms_per_image']:.2f} ms/image (2 cores) load={result['load_average']:.1f}"
    )
    for side in ("jvm", "python"):
        figures = result["cpu_ms_per_image"][side]
        measured = result["measured_cpu_ms_per_image"][side]
        sampled = sum(figures.values()) or 1.0
        print(f"  {side}: {measured:.2f} CPU ms/image measured (/proc); by category (share of samples x measured):")
        for name, ms in figures.items():
            print(f"    {ms / sampled * measured:7.2f}  {name}  ({ms / sampled:.0%} of samples)")
    print(
        "  jvm events (wall ms/image): "
        + ", ".join(f"{k} {v:.2f}" for k, v in result["jvm_event_ms_per_image"].items())
    )
    for side, examples in OTHER_EXAMPLES.items():
        print(f"  most frequent uncategorised {side} stacks (innermost frames first):")
        for stack, n in examples.most_common(8):
            print(f"    {n:6d}  {stack}")
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
