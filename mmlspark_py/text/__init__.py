"""Text stages. Entity extraction: :class:`EntityExtractor` (pretrained bi-LSTM-CRF taggers, e.g. NeuroNER
converted by :func:`convert_neuroner`) and :class:`BiLSTMTagger` (train your own)."""

from mmlspark_py.text.bilstm_tagger import BiLSTMTagger, BiLSTMTaggerModel
from mmlspark_py.text.entity_extractor import EntityExtractor
from mmlspark_py.text.neuroner import convert_neuroner
from mmlspark_py.text.sentence_embedder import SentenceEmbedder

__all__ = ["EntityExtractor", "BiLSTMTagger", "BiLSTMTaggerModel", "convert_neuroner", "SentenceEmbedder"]
