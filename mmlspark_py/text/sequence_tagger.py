"""Our sequence-tagger model format and its runtime: encode tokens, run the network, decode tags.

A tagger is one file (bytes), either

* an **ONNX** model whose ``metadata_props`` key ``mmlspark_py.sequence_tagger`` holds :class:`TaggerMetadata`
  as JSON (what :func:`mmlspark_py.text.neuroner.convert_neuroner` writes), run with onnxruntime; or
* a **Keras** ``.keras`` archive with an extra member ``mmlspark_py_sequence_tagger.json`` (what
  :class:`mmlspark_py.text.bilstm_tagger.BiLSTMTagger` writes), run with TensorFlow (the ``tf`` extra, imported
  only when such a model is used).

The network takes any of the inputs ``token_ids`` int64 [batch, time], ``token_lengths`` int32 [batch],
``char_ids`` int64 [batch, time, chars], ``char_lengths`` int32 [batch, time] and returns per-token label scores
[batch, time, labels] as its first output. Tags are the argmax of the scores, or the Viterbi path when the
metadata holds CRF transitions.

Unknown tokens map to ``unkTokenIndex`` and unknown characters to ``unkCharIndex``; tokens are cut to
``maxTokenChars`` characters for the character model (the cut keeps the first characters). Null tokens read as
empty strings. Characters are Python code points, so emoji and combining marks are single (usually unknown)
characters, never an error.

Example::

    tagger = SequenceTagger.from_bytes(open("conll_2003_en.onnx", "rb").read())
    tagger.tag([["EU", "rejects", "German", "call"]])   # [['S-ORG', 'O', 'S-MISC', 'O']]
"""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
import zipfile
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence

import numpy as np

from mmlspark_py.text.crf import viterbi_decode

__all__ = [
    "TaggerMetadata",
    "SequenceTagger",
    "TaggerFormatError",
    "METADATA_KEY",
    "KERAS_METADATA_MEMBER",
    "normalize_token",
    "SHAPE_PREFIX",
    "read_metadata",
    "TokenEncoder",
]

METADATA_KEY = "mmlspark_py.sequence_tagger"
KERAS_METADATA_MEMBER = "mmlspark_py_sequence_tagger.json"
FORMAT_VERSION = 1
_INPUTS = ("token_ids", "token_lengths", "char_ids", "char_lengths")
_DIGITS = re.compile(r"\d")
SHAPE_PREFIX = "\x00shape:"


def _shape(token: str) -> str:
    """A coarse word-shape class, so an unknown token still says whether it is capitalised, a number, ..."""
    if any(c.isdigit() for c in token):
        kind = "digit"
    elif token.isupper():
        kind = "UPPER"
    elif token[:1].isupper():
        kind = "Title"
    elif token.islower():
        kind = "lower"
    else:
        kind = "other"
    return SHAPE_PREFIX + kind


_NORMALIZERS: Dict[str, Callable[[str], str]] = {
    "exact": lambda t: t,
    "lower": str.lower,
    "lower_zero_digits": lambda t: _DIGITS.sub("0", t.lower()),
    "shape": _shape,
}


class TaggerFormatError(ValueError):
    """A model file is not a tagger in our format, or its metadata does not match its network."""


def normalize_token(token: str, rule: str) -> str:
    """``token`` as the vocabulary key under ``rule`` (``exact``, ``lower`` or ``lower_zero_digits``)."""
    return _NORMALIZERS[rule](token)


@dataclass(frozen=True)
class TaggerMetadata:
    """Everything needed around the network: vocabularies, labels, CRF and preprocessing rules.

    :param labels: tag of each output index (e.g. ``B-PER``).
    :param tagScheme: ``BIO`` or ``BIOES``.
    :param tokenVocab: token -> index; lookups try ``tokenLookup`` rules in order (``exact``, ``lower``,
        ``lower_zero_digits``, ``shape`` = a word-shape key such as ``"\\x00shape:Title"``) and fall back to
        ``unkTokenIndex``.
    :param charVocab: character -> index, or None when the network has no character model.
    :param crf: None (argmax of the scores) or ``{"transitions": [[...]], "start": [...], "end": [...]}``.
    """

    labels: List[str]
    tagScheme: str
    tokenVocab: Dict[str, int]
    unkTokenIndex: int
    paddingTokenIndex: int = 0
    tokenLookup: List[str] = field(default_factory=lambda: ["exact"])
    charVocab: Optional[Dict[str, int]] = None
    unkCharIndex: int = 0
    paddingCharIndex: int = 0
    maxTokenChars: int = 64
    crf: Optional[Dict[str, Any]] = None
    source: str = ""
    formatVersion: int = FORMAT_VERSION

    def __post_init__(self) -> None:
        if self.tagScheme not in ("BIO", "BIOES"):
            raise TaggerFormatError(f"tagScheme must be 'BIO' or 'BIOES', got {self.tagScheme!r}")
        bad = [r for r in self.tokenLookup if r not in _NORMALIZERS]
        if bad or not self.tokenLookup:
            raise TaggerFormatError(f"tokenLookup rules {bad} unknown; valid: {sorted(_NORMALIZERS)}")
        if self.crf is not None:
            k = len(self.labels)
            crf: Any = self.crf
            shapes = {n: np.shape(crf.get(n)) for n in ("transitions", "start", "end")}
            if shapes != {"transitions": (k, k), "start": (k,), "end": (k,)}:
                raise TaggerFormatError(f"CRF shapes {shapes} do not match {k} labels")

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> TaggerMetadata:
        try:
            obj = json.loads(text)
        except ValueError as e:
            raise TaggerFormatError(f"tagger metadata is not JSON: {e}") from None
        if not isinstance(obj, dict) or obj.get("formatVersion") != FORMAT_VERSION:
            raise TaggerFormatError(
                f"tagger metadata has formatVersion {obj.get('formatVersion') if isinstance(obj, dict) else None!r}; "
                f"this version reads {FORMAT_VERSION}"
            )
        try:
            return cls(**obj)
        except TypeError as e:
            raise TaggerFormatError(f"tagger metadata fields are wrong: {e}") from None


def read_metadata(payload: bytes) -> TaggerMetadata:
    """The :class:`TaggerMetadata` of a tagger file's bytes, without loading the network or TensorFlow.

    :raises TaggerFormatError: when the bytes are neither an ONNX nor a Keras tagger in our format.
    """
    if not payload:
        raise TaggerFormatError("model: the tagger payload is empty")
    if payload[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(payload)) as archive:
                if KERAS_METADATA_MEMBER not in archive.namelist():
                    raise TaggerFormatError(
                        f"model: Keras archive has no {KERAS_METADATA_MEMBER!r}; "
                        "only models saved by BiLSTMTagger are taggers"
                    )
                return TaggerMetadata.from_json(archive.read(KERAS_METADATA_MEMBER).decode("utf-8"))
        except zipfile.BadZipFile as e:
            raise TaggerFormatError(f"model: starts like a Keras archive but is not a valid zip ({e})") from None
    import onnx
    from google.protobuf.message import DecodeError

    model = onnx.ModelProto()
    try:
        model.ParseFromString(payload)
    except DecodeError as e:
        raise TaggerFormatError(f"model: not an ONNX model or Keras archive ({type(e).__name__}: {e})") from None
    props = {p.key: p.value for p in model.metadata_props}
    if METADATA_KEY not in props:
        raise TaggerFormatError(
            f"model: this ONNX model has no {METADATA_KEY!r} metadata, so it is not a "
            "sequence tagger; convert NeuroNER models with mmlspark_py.text.neuroner"
        )
    return TaggerMetadata.from_json(props[METADATA_KEY])


class _OnnxNetwork:
    def __init__(self, payload: bytes) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = 1  # one Spark task per core already
        try:
            self.session = ort.InferenceSession(payload, options, providers=["CPUExecutionProvider"])
        except Exception as e:  # noqa: BLE001 - onnxruntime raises several unrelated types for a bad file
            raise TaggerFormatError(f"model is not a loadable ONNX model: {e}") from None
        self.input_names = [i.name for i in self.session.get_inputs()]
        meta = self.session.get_modelmeta().custom_metadata_map
        if METADATA_KEY not in meta:
            raise TaggerFormatError(
                f"ONNX model has no {METADATA_KEY!r} metadata: it is not a sequence tagger "
                "(convert NeuroNER checkpoints with mmlspark_py.text.neuroner.convert_neuroner)"
            )
        self.metadata = TaggerMetadata.from_json(meta[METADATA_KEY])

    def __call__(self, feeds: Dict[str, np.ndarray]) -> np.ndarray:
        return self.session.run(None, {n: feeds[n] for n in self.input_names})[0]


class _KerasNetwork:
    def __init__(self, payload: bytes) -> None:
        self.metadata = read_metadata(payload)
        try:
            import keras
            import tensorflow as tf  # the optional 'tf' extra
        except ImportError:
            raise TaggerFormatError("this tagger is a Keras model: install the 'tf' extra (tensorflow)") from None
        try:  # one Spark task per core already; only possible before TensorFlow's first op in this process
            tf.config.threading.set_intra_op_parallelism_threads(1)
            tf.config.threading.set_inter_op_parallelism_threads(1)
        except RuntimeError:
            pass
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "model.keras")
            with open(path, "wb") as f:
                f.write(payload)
            self.model = keras.models.load_model(path, compile=False)
        self.input_names = [t.name.split(":")[0] for t in self.model.inputs]
        # one graph traced for any batch/time size: eager Keras runs the LSTM op by op, ~20x slower
        signature = [tf.TensorSpec([None] * len(t.shape), t.dtype) for t in self.model.inputs]
        self._predict = tf.function(
            lambda *xs: self.model(xs[0] if len(xs) == 1 else list(xs), training=False), input_signature=signature
        )

    def __call__(self, feeds: Dict[str, np.ndarray]) -> np.ndarray:
        out = self._predict(*[feeds[n] for n in self.input_names])
        return np.asarray(out[0] if isinstance(out, (list, tuple)) else out)


class TokenEncoder:
    """Token -> vocabulary index under a tagger's ``tokenLookup`` rules (memoised: text repeats tokens)."""

    def __init__(self, metadata: TaggerMetadata) -> None:
        self.metadata = metadata
        self._cache: Dict[str, int] = {}

    def index(self, token: str) -> int:
        idx = self._cache.get(token)
        if idx is None:
            vocab, meta = self.metadata.tokenVocab, self.metadata
            idx = next(
                (vocab[k] for k in (normalize_token(token, r) for r in meta.tokenLookup) if k in vocab),
                meta.unkTokenIndex,
            )
            self._cache[token] = idx
        return idx


class SequenceTagger:
    """A loaded tagger: :meth:`tag` maps token lists to tag lists. Build with :meth:`from_bytes`."""

    def __init__(self, network: Any) -> None:
        self.network = network
        self.metadata: TaggerMetadata = network.metadata
        unknown = [n for n in network.input_names if n not in _INPUTS]
        if unknown:
            raise TaggerFormatError(f"network inputs {unknown} are not among {list(_INPUTS)}")
        if "char_ids" in network.input_names and self.metadata.charVocab is None:
            raise TaggerFormatError("network reads char_ids but the metadata has no charVocab")
        self._labels = np.array(self.metadata.labels, dtype=object)
        crf = self.metadata.crf
        self._crf = None if crf is None else tuple(np.array(crf[k]) for k in ("transitions", "start", "end"))
        self._tokens = TokenEncoder(self.metadata)

    @classmethod
    def from_bytes(cls, payload: bytes) -> SequenceTagger:
        """Load an ONNX or Keras tagger from its file bytes; raises TaggerFormatError when it is neither."""
        if not payload:
            raise TaggerFormatError("model payload is empty")
        network = _KerasNetwork(payload) if payload[:2] == b"PK" else _OnnxNetwork(payload)
        return cls(network)

    def encode(self, sentences: Sequence[Sequence[str]]) -> Dict[str, np.ndarray]:
        """Padded network inputs for a batch of non-empty token lists."""
        meta = self.metadata
        lengths = np.array([len(s) for s in sentences], dtype=np.int32)
        batch, time = len(sentences), int(lengths.max())
        token_ids = np.full((batch, time), meta.paddingTokenIndex, dtype=np.int64)
        for b, sent in enumerate(sentences):
            token_ids[b, : len(sent)] = [self._tokens.index(t) for t in sent]
        feeds: Dict[str, np.ndarray] = {"token_ids": token_ids, "token_lengths": lengths}
        if meta.charVocab is not None:
            feeds.update(self._encode_chars(sentences, time))
        return feeds

    def _encode_chars(self, sentences: Sequence[Sequence[str]], time: int) -> Dict[str, np.ndarray]:
        meta, vocab = self.metadata, self.metadata.charVocab
        assert vocab is not None  # callers check meta.charVocab first
        width = max(1, min(meta.maxTokenChars, max(len(t) for s in sentences for t in s)))
        char_ids = np.full((len(sentences), time, width), meta.paddingCharIndex, dtype=np.int64)
        # length >= 1 everywhere: onnxruntime's LSTM needs a step; padding positions are discarded anyway
        char_lengths = np.ones((len(sentences), time), dtype=np.int32)
        for b, sent in enumerate(sentences):
            for t, token in enumerate(sent):
                chars = token[:width]
                if chars:
                    char_ids[b, t, : len(chars)] = [vocab.get(c, meta.unkCharIndex) for c in chars]
                    char_lengths[b, t] = len(chars)
        return {"char_ids": char_ids, "char_lengths": char_lengths}

    def scores(self, sentences: Sequence[Sequence[str]]) -> np.ndarray:
        """Label scores [batch, time, labels] of a batch of non-empty token lists (padded positions arbitrary)."""
        scores = self.network(self.encode(sentences))
        if scores.ndim != 3 or scores.shape[2] != len(self.metadata.labels):
            raise TaggerFormatError(
                f"network returned scores of shape {scores.shape}; expected "
                f"[batch, time, {len(self.metadata.labels)}] for the metadata's labels"
            )
        return scores

    def tag(
        self, sentences: Sequence[Optional[Sequence[Optional[str]]]], batch_size: int = 64
    ) -> List[Optional[List[str]]]:
        """Tags of each sentence: None for a null sentence, [] for an empty one. Null tokens read as ''.

        Sentences are run in length-sorted mini-batches of ``batch_size`` (less padding), results in input order.
        """
        out: List[Optional[List[str]]] = [None if s is None else [] for s in sentences]
        todo = [(i, ["" if t is None else t for t in s]) for i, s in enumerate(sentences) if s]
        todo.sort(key=lambda item: len(item[1]))
        for lo in range(0, len(todo), batch_size):
            chunk = todo[lo : lo + batch_size]
            sents = [s for _, s in chunk]
            scores = self.scores(sents)
            lengths = np.array([len(s) for s in sents])
            if self._crf is None:
                paths = [row[:n].argmax(axis=-1) for row, n in zip(scores, lengths)]
            else:
                paths = viterbi_decode(scores, lengths, *self._crf)
            for (i, _), path in zip(chunk, paths):
                out[i] = self._labels[np.asarray(path, dtype=np.int64)].tolist()
        return out
