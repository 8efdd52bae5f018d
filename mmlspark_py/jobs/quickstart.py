"""``mmlspark-py quickstart``: the library's main job, end to end on real photos that ship with the install.

1. Read a folder of images (default: the photos bundled with scikit-image) into Spark's image schema.
2. Run an ImageTransformer pipeline (resize, centre crop, blur) on the executors.
3. Write the transformed images (atomically) and a contact-sheet PNG, and print a summary table.
4. Train and evaluate a classifier on real labelled images (scikit-image's LFW subset: 100 faces, 100
   non-faces, written as PNG files and read back like any image folder): featurize (UnrollImage),
   TrainClassifier, ComputeModelStatistics; print the metrics and write a confusion-matrix PNG.

Everything runs as Spark jobs on :func:`mmlspark_py.get_spark`'s session, so the same command works on a
laptop (``local[*]``) and through ``spark-submit`` on a cluster (paths may then be any Hadoop path).
"""

from __future__ import annotations

import argparse
import os
import pathlib
from typing import Dict, List

import cv2
import numpy as np
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from mmlspark_py.core import events
from mmlspark_py.core.image_schema import to_ndarray
from mmlspark_py.core.progress import step
from mmlspark_py.core.session import get_spark
from mmlspark_py.jobs.console import apply_log_level

THUMB = 160
SHEET_COLUMNS = 6
SHEET_MAX_IMAGES = 36


def default_images_dir() -> str:
    """The real photos bundled with scikit-image (astronaut, chelsea, coffee, rocket, ...)."""
    import skimage

    return os.path.join(os.path.dirname(skimage.__file__), "data")


def transform_images(images: DataFrame, size: int) -> DataFrame:
    """Resize (shorter side to ``size``), centre-crop to ``size`` x ``size`` and blur every image."""
    from mmlspark_py.opencv import ImageTransformer

    transformer = (
        ImageTransformer(inputCol="image", outputCol="transformed")
        .resize(size=size, keepAspectRatio=True)
        .centerCrop(size, size)
        .blur(3, 3)
    )
    return transformer.transform(images)


def contact_sheet(images: DataFrame, image_col: str, path: str) -> int:
    """Write a PNG grid of at most :data:`SHEET_MAX_IMAGES` thumbnails; returns how many it shows.

    Only the bounded sample of thumbnails reaches the driver, never the data set.
    """
    rows = images.where(F.col(image_col).isNotNull()).select(image_col).limit(SHEET_MAX_IMAGES).collect()
    tiles = [_thumbnail(to_ndarray(r[0].height, r[0].width, r[0].mode, r[0].data)) for r in rows]
    if not tiles:
        return 0
    blank = np.full_like(tiles[0], 255)
    tiles += [blank] * (-len(tiles) % SHEET_COLUMNS)
    grid = np.vstack([np.hstack(tiles[i : i + SHEET_COLUMNS]) for i in range(0, len(tiles), SHEET_COLUMNS)])
    _atomic_png(path, grid)
    events.emit("artifact", path=path, kind="plot")  # logged to the active run, if any
    return len(rows)


def _thumbnail(image: np.ndarray) -> np.ndarray:
    if image.dtype != np.uint8:
        image = cv2.convertScaleAbs(image, alpha=255.0 / max(float(image.max()), 1.0))
    if image.shape[2] == 1:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    elif image.shape[2] == 4:
        image = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    scale = THUMB / max(image.shape[:2])
    small = cv2.resize(
        image,
        (max(1, round(image.shape[1] * scale)), max(1, round(image.shape[0] * scale))),
        interpolation=cv2.INTER_AREA,
    )
    tile = np.full((THUMB + 8, THUMB + 8, 3), 255, np.uint8)
    y, x = (tile.shape[0] - small.shape[0]) // 2, (tile.shape[1] - small.shape[1]) // 2
    tile[y : y + small.shape[0], x : x + small.shape[1]] = small
    return tile


def _atomic_png(path: str, image: np.ndarray) -> None:
    tmp = f"{path}.tmp-{os.getpid()}.png"
    if not cv2.imwrite(tmp, image):
        raise OSError(f"could not write {path}")
    os.replace(tmp, path)


def summary_table(rows: List[Dict[str, object]]) -> str:
    """A plain-text table of dicts (all rows share keys)."""
    if not rows:
        return "(no rows)"
    keys = list(rows[0])
    widths = {k: max(len(k), *(len(str(r[k])) for r in rows)) for k in keys}
    line = "  ".join(k.ljust(widths[k]) for k in keys)
    body = ["  ".join(str(r[k]).ljust(widths[k]) for k in keys) for r in rows]
    return "\n".join([line, "  ".join("-" * widths[k] for k in keys), *body])


def run_images(spark: SparkSession, images_dir: str, output: str, size: int) -> Dict[str, object]:
    """Step 1-3: read, transform, write images and the contact sheet; returns the figures it printed."""
    from mmlspark_py.image import read_images, write_images

    step(f"1/3 reading images from {images_dir}")
    images = read_images(images_dir, pathGlobFilter="*.{png,jpg,jpeg}")
    transformed = transform_images(images, size).cache()
    out_dir = os.path.join(output, "transformed")
    step(f"2/3 resizing, cropping and blurring on the executors; writing {out_dir}")
    write_images(
        transformed.where(F.col("transformed").isNotNull()), out_dir, "png", imageCol="transformed", overwrite=True
    )
    step("3/3 contact sheet and summary")
    shown = contact_sheet(transformed, "transformed", os.path.join(output, "contact_sheet.png"))
    per_image = (
        transformed.select(
            F.element_at(F.split(F.col("image.origin"), "/"), -1).alias("file"),
            F.concat_ws("x", F.col("image.width"), F.col("image.height"), F.col("image.nChannels")).alias("input"),
            F.concat_ws(
                "x", F.col("transformed.width"), F.col("transformed.height"), F.col("transformed.nChannels")
            ).alias("output"),
            F.coalesce(F.col("error"), F.lit("")).alias("error"),
        )
        .orderBy("file")
        .limit(40)
        .collect()
    )
    print(summary_table([r.asDict() for r in per_image]))
    counts = transformed.agg(F.count("*").alias("n"), F.count("transformed").alias("ok")).first()
    assert counts is not None  # an aggregate without grouping always has one row
    transformed.unpersist()
    return {
        "images": counts.n,
        "transformed": counts.ok,
        "contact_sheet_images": shown,
        "output": os.path.abspath(out_dir),
    }


def write_labelled_faces(folder: str) -> str:
    """Write scikit-image's LFW subset as PNGs in ``folder/face`` and ``folder/other``; returns ``folder``."""
    from skimage.data import lfw_subset

    faces = lfw_subset()
    for i, image in enumerate(faces):
        label = "face" if i < len(faces) // 2 else "other"
        pathlib.Path(folder, label).mkdir(parents=True, exist_ok=True)
        _atomic_png(os.path.join(folder, label, f"{i:03d}.png"), np.round(image * 255).astype(np.uint8))
    return folder


def run_training(spark: SparkSession, output: str, seed: int = 7) -> Dict[str, object]:
    """Step 4: featurize, train and evaluate on labelled images; returns the metrics it printed."""
    from pyspark.ml.classification import LogisticRegression

    from mmlspark_py.image import UnrollImage, read_images
    from mmlspark_py.plot import quick_report
    from mmlspark_py.train import TrainClassifier

    step("training: writing 200 labelled face / non-face images")
    folder = write_labelled_faces(os.path.join(output, "labelled"))
    images = read_images(folder, recursive=True, dropInvalid=True)
    labelled = images.withColumn("label", F.regexp_extract(F.col("image.origin"), r"/(face|other)/[^/]+$", 1))
    features = UnrollImage(inputCol="image", outputCol="pixels").transform(labelled).select("pixels", "label")
    train, test = features.randomSplit([0.7, 0.3], seed=seed)
    step("training: featurizing (UnrollImage) and fitting TrainClassifier(LogisticRegression)")
    model = TrainClassifier(model=LogisticRegression(maxIter=50), labelCol="label", inputCols=["pixels"]).fit(train)
    step("training: evaluating on the held-out images")
    report = quick_report(model.transform(test), os.path.join(output, "evaluation"))
    return {
        "test_images": int(np.sum(report["confusion_matrix"])),
        "accuracy": round(report["accuracy"], 4),
        "AUC": round(report["AUC"], 4),
        "confusion_matrix_png": report["plots"]["confusion_matrix"],
    }


def run(args: argparse.Namespace) -> int:
    spark = get_spark(master=args.master)
    apply_log_level(spark, getattr(args, "log_level", "WARN"))
    pathlib.Path(args.output).mkdir(parents=True, exist_ok=True)
    figures = run_images(spark, args.images or default_images_dir(), args.output, args.size)
    print("\n" + summary_table([{"step": k, "value": v} for k, v in figures.items()]))
    print(f"\ncontact sheet: {os.path.abspath(os.path.join(args.output, 'contact_sheet.png'))}")
    if not args.skip_training:
        metrics = run_training(spark, args.output)
        print("\nface vs non-face classifier (held-out images):")
        print(summary_table([{"metric": k, "value": v} for k, v in metrics.items()]))
    return 0


def add_cli(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("quickstart", help="run the end-to-end example on real photos")
    parser.add_argument(
        "--images", help="folder of images to read (any Hadoop path); default: scikit-image's bundled photos"
    )
    parser.add_argument("--output", default="mmlspark-quickstart", help="output folder (default: %(default)s)")
    parser.add_argument("--size", type=int, default=224, help="output image size in pixels (default: 224)")
    parser.add_argument(
        "--master",
        default=None,
        help="Spark master for a new session (default: as configured by "
        "spark-submit, spark-defaults.conf or MASTER; local[*] when nothing is)",
    )
    parser.add_argument("--skip-training", action="store_true", help="only the image steps (1-3)")
    parser.set_defaults(run=run)
