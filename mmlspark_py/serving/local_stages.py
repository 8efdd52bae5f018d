"""Spark ML stages evaluated in-process with numpy, exactly as Spark evaluates them (the serving fast path).

Each supported stage class has a *compiler*: ``compile(stage, kinds) -> LocalStage``, where ``kinds`` maps the
column names available at that point to a :class:`Kind` (number, string, vector of a known size). A compiler
raises :class:`Unsupported` (with the reason) for any configuration it does not reproduce exactly, so the
server falls back to the Spark path rather than answer differently. At run time a :class:`LocalStage` adds
its output :class:`Col` s to a batch (``Dict[str, Col]``).

Semantics reproduced from Spark's implementations (``handleInvalid`` included): StringIndexerModel (string
inputs; ``keep``/``error``), OneHotEncoderModel (``dropLast``, ``keep``/``error``), VectorAssembler
(numbers, booleans and vectors of known size; ``keep``/``error``: null and NaN), VectorSizeHint, ImputerModel,
StandardScalerModel (``(x - mean) * (1 / std)``, 0 where std is 0) and LogisticRegressionModel (binomial and
multinomial: margins, elementwise sigmoid or max-shifted softmax, prediction from the probability and the
threshold(s)). Floating-point results equal Spark's up to the summation order of dot products (a few ulps).

Errors Spark raises for an input row (an unseen label with ``handleInvalid="error"``, a null in a
VectorAssembler input, ...) are :class:`ScoringError` s naming the stage, the column and the value.

New stages register with :func:`local_stage` (``@local_stage("pyspark.ml.feature.Bucketizer")``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Tuple

import numpy as np

MAX_DENSE_SIZE = 1 << 16  # vectors wider than this are not densified per request: Spark path


class Unsupported(Exception):
    """A stage (or one of its settings) has no exact local implementation; the message says which and why."""


class ScoringError(ValueError):
    """Spark would fail on this input row too (e.g. an unseen label with handleInvalid='error')."""


@dataclass(frozen=True)
class Kind:
    """What a column holds: ``number`` (float64), ``string``, ``vector`` (of ``size``) or ``other``."""

    name: str
    size: int = 0


NUMBER, STRING, OTHER = Kind("number"), Kind("string"), Kind("other")


def vector(size: int) -> Kind:
    return Kind("vector", size)


@dataclass
class Col:
    """A column of a batch: ``values`` (float64 ``(n,)``, float64 ``(n, size)`` for vectors, or objects) and
    ``nulls`` (bool ``(n,)``)."""

    values: np.ndarray
    nulls: np.ndarray


Batch = Dict[str, Col]


class LocalStage:
    """A compiled stage: ``outputs`` it adds, with their kinds; ``apply`` adds them to a batch."""

    outputs: Dict[str, Kind] = {}

    def apply(self, batch: Batch) -> None:
        raise NotImplementedError


Compiler = Callable[[Any, Dict[str, Kind]], LocalStage]
_COMPILERS: Dict[str, Compiler] = {}


def local_stage(*class_names: str) -> Callable[[Compiler], Compiler]:
    """Registers a compiler for the stage classes named (``module.Class``)."""

    def register(compiler: Compiler) -> Compiler:
        for name in class_names:
            _COMPILERS[name] = compiler
        return compiler

    return register


def class_name(stage: Any) -> str:
    return f"{type(stage).__module__}.{type(stage).__name__}"


def compile_stage(stage: Any, kinds: Dict[str, Kind]) -> LocalStage:
    """The local version of ``stage``. :raises Unsupported: no compiler, or a setting it cannot reproduce."""
    compiler = _COMPILERS.get(class_name(stage))
    if compiler is None:
        raise Unsupported(f"{type(stage).__name__} ({stage.uid}) has no local implementation")
    return compiler(stage, kinds)


def _param(stage: Any, name: str, default: Any = None) -> Any:
    if stage.hasParam(name) and stage.isDefined(stage.getParam(name)):
        return stage.getOrDefault(stage.getParam(name))
    return default


def io_columns(stage: Any) -> Tuple[List[str], List[str]]:
    """(inputs, outputs) of a stage with inputCol/outputCol or inputCols/outputCols."""
    if _param(stage, "inputCols"):
        return list(_param(stage, "inputCols")), list(_param(stage, "outputCols") or [])
    return [_param(stage, "inputCol")], [_param(stage, "outputCol")]


def _require(kinds: Dict[str, Kind], stage: Any, column: str, *allowed: str) -> Kind:
    kind = kinds.get(column)
    if kind is None:
        raise Unsupported(f"{type(stage).__name__}: column {column!r} is not available locally")
    if kind.name not in allowed:
        raise Unsupported(
            f"{type(stage).__name__}: column {column!r} holds {kind.name}; the fast path handles {' or '.join(allowed)}"
        )
    return kind


def _handle(stage: Any, allowed: Tuple[str, ...], default: str = "error") -> str:
    handle = _param(stage, "handleInvalid", default)
    if handle not in allowed:
        raise Unsupported(f"{type(stage).__name__}: handleInvalid={handle!r} is not reproduced locally")
    return handle


class _Function(LocalStage):
    def __init__(self, outputs: Dict[str, Kind], fn: Callable[[Batch], None]):
        self.outputs = outputs
        self._fn = fn

    def apply(self, batch: Batch) -> None:
        self._fn(batch)


def _rows(batch: Batch) -> int:
    return len(next(iter(batch.values())).nulls)


@local_stage("pyspark.ml.feature.StringIndexerModel")
def _string_indexer(stage: Any, kinds: Dict[str, Kind]) -> LocalStage:
    inputs, outputs = io_columns(stage)
    keep = _handle(stage, ("error", "keep")) == "keep"
    for column in inputs:
        _require(kinds, stage, column, "string")
    tables = [({label: float(i) for i, label in enumerate(labels)}, float(len(labels))) for labels in stage.labelsArray]

    def apply(batch: Batch) -> None:
        for column, output, (table, unknown) in zip(inputs, outputs, tables):
            source = batch[column]
            out = np.empty(len(source.nulls))
            for j, value in enumerate(source.values):
                index = table.get(value) if value is not None else None
                if index is None:
                    if not keep:
                        what = "a null" if value is None else f"the unseen label {value!r}"
                        raise ScoringError(f"StringIndexer: column {column!r} has {what} (handleInvalid='error')")
                    index = unknown
                out[j] = index
            batch[output] = Col(out, np.zeros(len(out), bool))

    return _Function({o: NUMBER for o in outputs}, apply)


@local_stage("pyspark.ml.feature.OneHotEncoderModel")
def _one_hot(stage: Any, kinds: Dict[str, Kind]) -> LocalStage:
    inputs, outputs = io_columns(stage)
    keep = _handle(stage, ("error", "keep")) == "keep"
    drop_last = _param(stage, "dropLast", True)
    for column in inputs:
        _require(kinds, stage, column, "number")
    sizes = list(stage.categorySizes)
    # Spark's configured vector sizes: an extra slot for invalid values with keep, one fewer with dropLast
    widths = [s + (1 if keep else 0) - (1 if drop_last else 0) for s in sizes]

    def apply(batch: Batch) -> None:
        for column, output, size, width in zip(inputs, outputs, sizes, widths):
            source = batch[column]
            out = np.zeros((len(source.nulls), width))
            for j, (label, null) in enumerate(zip(source.values, source.nulls)):
                if null:
                    continue
                if 0 <= label < size:
                    index = int(label)
                elif keep:
                    index = size
                else:
                    raise ScoringError(
                        f"OneHotEncoder: column {column!r} has the unseen value {label} (handleInvalid='error')"
                    )
                if index < width:
                    out[j, index] = 1.0
            batch[output] = Col(out, source.nulls.copy())

    return _Function({o: vector(w) for o, w in zip(outputs, widths)}, apply)


@local_stage("pyspark.ml.feature.VectorAssembler")
def _assembler(stage: Any, kinds: Dict[str, Kind]) -> LocalStage:
    inputs, output = list(stage.getInputCols()), stage.getOutputCol()
    keep = _handle(stage, ("error", "keep")) == "keep"
    parts = [_require(kinds, stage, c, "number", "vector") for c in inputs]
    if any(k.name == "vector" and k.size <= 0 for k in parts):
        raise Unsupported("VectorAssembler: a vector input of unknown size")
    width = sum(k.size if k.name == "vector" else 1 for k in parts)
    if width > MAX_DENSE_SIZE:
        raise Unsupported(f"VectorAssembler: {width} features are too wide to densify per request")

    def apply(batch: Batch) -> None:
        blocks = []
        for column, kind in zip(inputs, parts):
            source = batch[column]
            values = source.values if kind.name == "vector" else source.values.reshape(-1, 1)
            if source.nulls.any() or (kind.name == "number" and np.isnan(values).any()):
                if not keep:
                    what = "null" if source.nulls.any() else "NaN"
                    raise ScoringError(f"VectorAssembler: column {column!r} is {what} (handleInvalid='error')")
                values = values.copy()
                values[source.nulls] = np.nan
            blocks.append(values)
        batch[output] = Col(np.hstack(blocks).astype(float), np.zeros(_rows(batch), bool))

    return _Function({output: vector(width)}, apply)


@local_stage("pyspark.ml.feature.VectorSizeHint")
def _size_hint(stage: Any, kinds: Dict[str, Kind]) -> LocalStage:
    column, size = stage.getInputCol(), stage.getSize()
    handle = _handle(stage, ("error", "optimistic"), default="error")
    kind = _require(kinds, stage, column, "vector")
    if kind.size != size:
        raise Unsupported(f"VectorSizeHint: column {column!r} has size {kind.size}, the hint says {size}")

    def apply(batch: Batch) -> None:
        if handle == "error" and batch[column].nulls.any():
            raise ScoringError(f"VectorSizeHint: column {column!r} is null (handleInvalid='error')")

    return _Function({column: vector(size)}, apply)


@local_stage("pyspark.ml.feature.ImputerModel")
def _imputer(stage: Any, kinds: Dict[str, Kind]) -> LocalStage:
    inputs, outputs = io_columns(stage)
    for column in inputs:
        _require(kinds, stage, column, "number")
    missing = float(_param(stage, "missingValue", float("nan")))
    row = stage.surrogateDF.head()  # one row, one surrogate per input column: read once when compiling
    surrogates = [float(row[c]) for c in inputs]

    def apply(batch: Batch) -> None:
        for column, output, surrogate in zip(inputs, outputs, surrogates):
            source = batch[column]
            hit = source.nulls | (np.isnan(source.values) if np.isnan(missing) else source.values == missing)
            batch[output] = Col(np.where(hit, surrogate, source.values), np.zeros(len(hit), bool))

    return _Function({o: NUMBER for o in outputs}, apply)


@local_stage("pyspark.ml.feature.StandardScalerModel")
def _standard_scaler(stage: Any, kinds: Dict[str, Kind]) -> LocalStage:
    column, output = stage.getInputCol(), stage.getOutputCol()
    kind = _require(kinds, stage, column, "vector")
    mean = stage.mean.toArray() if stage.getWithMean() else None
    std = stage.std.toArray()
    # Spark multiplies by the reciprocal of the deviation, and maps a zero deviation to 0
    scale = np.where(std == 0.0, 0.0, 1.0 / np.where(std == 0.0, 1.0, std)) if stage.getWithStd() else None

    def apply(batch: Batch) -> None:
        source = batch[column]
        values = source.values
        if mean is not None:
            values = values - mean
        if scale is not None:
            values = values * scale
        batch[output] = Col(values, source.nulls.copy())

    return _Function({output: vector(kind.size)}, apply)


def _classifier_outputs(stage: Any) -> Tuple[Optional[str], Optional[str], Optional[str]]:
    raw, probability, prediction = (
        _param(stage, p) or None for p in ("rawPredictionCol", "probabilityCol", "predictionCol")
    )
    return raw, probability, prediction


@local_stage("pyspark.ml.classification.LogisticRegressionModel")
def _logistic_regression(stage: Any, kinds: Dict[str, Kind]) -> LocalStage:
    features = stage.getFeaturesCol()
    kind = _require(kinds, stage, features, "vector")
    weights = stage.coefficientMatrix.toArray()
    intercepts = stage.interceptVector.toArray()
    if weights.shape[1] != kind.size:
        raise Unsupported(f"LogisticRegressionModel expects {weights.shape[1]} features, {features!r} has {kind.size}")
    multinomial = stage.numClasses > 2 or weights.shape[0] > 1
    thresholds = np.array(stage.getThresholds()) if multinomial and stage.isSet("thresholds") else None
    # binary: one threshold (pyspark derives it from thresholds when those are set)
    threshold = 0.5 if multinomial else stage.getThreshold()
    raw_col, prob_col, pred_col = _classifier_outputs(stage)
    classes = stage.numClasses
    if threshold == 0.0:
        raw_threshold = -np.inf
    elif threshold == 1.0:
        raw_threshold = np.inf
    else:
        raw_threshold = float(np.log(threshold / (1.0 - threshold)))

    def apply(batch: Batch) -> None:
        source = batch[features]
        if source.nulls.any():
            raise ScoringError(f"LogisticRegressionModel: column {features!r} is null")
        # multiply, then sum each row's products: unlike a matrix product (BLAS picks kernels by batch shape),
        # a row's margin is then the same whatever else is in its micro-batch
        margins = (source.values[:, None, :] * weights[None, :, :]).sum(axis=2) + intercepts
        raw = margins if multinomial else np.hstack([-margins, margins])
        if multinomial:
            top = raw.max(axis=1, keepdims=True)
            shifted = np.exp(raw - top)
            probability = shifted * (1.0 / shifted.sum(axis=1, keepdims=True))
            infinite = np.isposinf(top[:, 0])
            if infinite.any():  # Spark: probability 1 for the (first) infinite margin
                probability[infinite] = np.eye(classes)[raw[infinite].argmax(axis=1)]
            if thresholds is None:
                prediction = probability.argmax(axis=1).astype(float)
            else:  # Spark: argmax of p / t, where p / 0 is +inf and 0 / 0 never wins
                with np.errstate(divide="ignore", invalid="ignore"):
                    scaled = probability / thresholds
                prediction = np.where(np.isnan(scaled), -np.inf, scaled).argmax(axis=1).astype(float)
        else:
            probability = 1.0 / (1.0 + np.exp(-raw))  # elementwise, as Spark's raw2probability
            # Spark predicts from the probability when it computes one, else from the raw margin
            prediction = ((probability[:, 1] > threshold) if prob_col else (raw[:, 1] > raw_threshold)).astype(float)
        none = np.zeros(len(prediction), bool)
        if raw_col:
            batch[raw_col] = Col(raw, none)
        if prob_col:
            batch[prob_col] = Col(probability, none)
        if pred_col:
            batch[pred_col] = Col(prediction, none)

    outputs = {c: k for c, k in ((raw_col, vector(classes)), (prob_col, vector(classes)), (pred_col, NUMBER)) if c}
    return _Function(outputs, apply)
