"""Text featurizers, mirroring ``synapse.ml.featurize.text`` (and SynapseML's text stages).

- :class:`TextFeaturizer` / :class:`TextFeaturizerModel`: tokenize, stop words, n-grams, hashing TF, IDF with
  Spark's own JVM stages.
- :class:`MultiNGram`: n-grams of several lengths at once (Spark SQL).
- :class:`PageSplitter`: long text into bounded pages cut at word boundaries (Arrow batches).
- :class:`TextPreprocessor`: longest-match find/replace from a dictionary (Spark SQL).
- :class:`UnicodeNormalize`: NFC/NFD/NFKC/NFKD, optionally lowercased (Arrow batches).
"""

from mmlspark_py.featurize.text.multi_ngram import MultiNGram
from mmlspark_py.featurize.text.page_splitter import PageSplitter
from mmlspark_py.featurize.text.text_featurizer import TextFeaturizer, TextFeaturizerModel
from mmlspark_py.featurize.text.text_preprocessor import TextPreprocessor
from mmlspark_py.featurize.text.unicode_normalize import UnicodeNormalize

__all__ = [
    "TextFeaturizer",
    "TextFeaturizerModel",
    "MultiNGram",
    "PageSplitter",
    "TextPreprocessor",
    "UnicodeNormalize",
]
