"""TextFeaturizer: text to hashed term-frequency (optionally TF-IDF) vectors with Spark's own JVM stages.

The estimator chains Spark's RegexTokenizer, StopWordsRemover, NGram, HashingTF and IDF (each optional as in
SynapseML's ``TextFeaturizer``, with the same param names and defaults) into a ``pyspark.ml.Pipeline`` and fits
it; :class:`TextFeaturizerModel` holds the fitted ``PipelineModel``. No Python runs per row: for every non-null
input the output equals the same hand-built Spark ML pipeline.

Columns:
    in  ``inputCol``  string (``useTokenizer=True``) or array<string> (already tokenized).
    out ``outputCol`` vector (``numFeatures`` long, with Spark's ``ml_attr`` metadata); null for a null input.

Where we differ from SynapseML (deliberately):

* a null document gives a null vector (Spark's stages, and so SynapseML, fail the job with a
  NullPointerException) and null documents are not counted as documents when IDF is fitted;
* ``stopWords`` entries are stripped of surrounding spaces and empty entries dropped (SynapseML splits
  ``"a, the"`` into ``"a"`` and ``" the"``, which never matches a token); an empty string is an empty list;
* setting ``stopWords`` without ``defaultStopWordLanguage="custom"`` is an error (SynapseML ignores it);
* ``transformSchema`` gives the real output field (SynapseML promises a non-nullable field).

Errors: a wrong input type, an unknown stop-word language or an invalid tokenizer regex fail in the driver
with a message naming the param.

Example::

    tf = TextFeaturizer(inputCol="text", outputCol="features", numFeatures=1 << 16, useStopWordsRemover=True)
    model = tf.fit(df)                                 # fits IDF
    model.transform(df).select("features")
    model.write().overwrite().save("/tmp/tf_model")    # the fitted Spark pipeline is saved inside
"""

from __future__ import annotations

from typing import List

from pyspark.ml import Pipeline
from pyspark.ml.feature import IDF, HashingTF, NGram, RegexTokenizer, StopWordsRemover
from pyspark.ml.linalg import VectorUDT
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import ArrayType, DataType, StringType, StructField, StructType

from mmlspark_py.core.params import (
    HasInputCol,
    HasOutputCol,
    Param,
    Params,
    StageParam,
    TypeConverters,
    to_non_negative_int,
    to_one_of,
    to_positive_int,
)
from mmlspark_py.core.spark_compat import with_column
from mmlspark_py.core.stage import Estimator, Model, SchemaError, add_field, column, require_column

__all__ = ["TextFeaturizer", "TextFeaturizerModel", "STOP_WORD_LANGUAGES"]

# The languages Spark's StopWordsRemover.loadDefaultStopWords knows, plus "custom" (use ``stopWords``).
STOP_WORD_LANGUAGES = (
    "danish",
    "dutch",
    "english",
    "finnish",
    "french",
    "german",
    "hungarian",
    "italian",
    "norwegian",
    "portuguese",
    "russian",
    "spanish",
    "swedish",
    "turkish",
)


def parse_stop_words(text: str) -> List[str]:
    """The comma-separated ``stopWords`` string as a list: entries stripped, empty entries dropped."""
    return [w.strip() for w in text.split(",") if w.strip()]


def output_field(name: str, num_features: int) -> StructField:
    """The vector field HashingTF/IDF write, with Spark's attribute-group metadata; nullable (null in, null out)."""
    return StructField(name, VectorUDT(), True, {"ml_attr": {"num_attrs": num_features}})


class _TextFeaturizerParams(HasInputCol, HasOutputCol):
    """The params SynapseML's TextFeaturizer has (same names, docs and defaults)."""

    useTokenizer = Param(
        Params._dummy(),
        "useTokenizer",
        "whether to tokenize the input (string input); false for an already tokenized array<string> column",
        typeConverter=TypeConverters.toBoolean,
    )
    tokenizerGaps = Param(
        Params._dummy(),
        "tokenizerGaps",
        "whether tokenizerPattern matches the gaps between tokens (true) or the tokens themselves (false)",
        typeConverter=TypeConverters.toBoolean,
    )
    tokenizerPattern = Param(
        Params._dummy(),
        "tokenizerPattern",
        "Java regex matching the gaps (tokenizerGaps true) or the tokens (false)",
        typeConverter=TypeConverters.toString,
    )
    minTokenLength = Param(
        Params._dummy(), "minTokenLength", "minimum token length, >= 0", typeConverter=to_non_negative_int
    )
    toLowercase = Param(
        Params._dummy(),
        "toLowercase",
        "whether to lowercase the text before tokenizing",
        typeConverter=TypeConverters.toBoolean,
    )
    useStopWordsRemover = Param(
        Params._dummy(),
        "useStopWordsRemover",
        "whether to remove stop words from the tokens",
        typeConverter=TypeConverters.toBoolean,
    )
    caseSensitiveStopWords = Param(
        Params._dummy(),
        "caseSensitiveStopWords",
        "whether stop words are compared case sensitively",
        typeConverter=TypeConverters.toBoolean,
    )
    defaultStopWordLanguage = Param(
        Params._dummy(),
        "defaultStopWordLanguage",
        f"the language of Spark's default stop words ({', '.join(STOP_WORD_LANGUAGES)}), or 'custom' to use stopWords",
        typeConverter=to_one_of(STOP_WORD_LANGUAGES + ("custom",), True),
    )
    stopWords = Param(
        Params._dummy(),
        "stopWords",
        "the stop words as one comma-separated string, e.g. "
        "'a, the, and' (used when defaultStopWordLanguage is 'custom')",
        typeConverter=TypeConverters.toString,
    )
    useNGram = Param(
        Params._dummy(),
        "useNGram",
        "whether to replace the tokens by their n-grams",
        typeConverter=TypeConverters.toBoolean,
    )
    nGramLength = Param(Params._dummy(), "nGramLength", "the n of the n-grams, >= 1", typeConverter=to_positive_int)
    binary = Param(
        Params._dummy(),
        "binary",
        "if true, every non-zero term count is set to 1",
        typeConverter=TypeConverters.toBoolean,
    )
    numFeatures = Param(
        Params._dummy(), "numFeatures", "the number of hash buckets (vector length)", typeConverter=to_positive_int
    )
    useIDF = Param(
        Params._dummy(),
        "useIDF",
        "whether to scale the term frequencies by inverse document frequency (fitted)",
        typeConverter=TypeConverters.toBoolean,
    )
    minDocFreq = Param(
        Params._dummy(),
        "minDocFreq",
        "the minimum number of documents a term must appear in for IDF to keep it",
        typeConverter=to_non_negative_int,
    )


class TextFeaturizer(Estimator, _TextFeaturizerParams):
    """Estimator: tokenizer -> stop words -> n-grams -> hashing TF -> IDF; see the module docstring.

    :param inputCol: text (string) or tokens (array<string> with ``useTokenizer=False``).
    :param outputCol: the feature vector column (default ``<uid>_output``).
    :param useTokenizer: tokenize with RegexTokenizer (default true).
    :param tokenizerGaps: the pattern matches gaps (default true).
    :param tokenizerPattern: Java regex (default ``\\s+``).
    :param minTokenLength: drop shorter tokens (default 0).
    :param toLowercase: lowercase before tokenizing (default true).
    :param useStopWordsRemover: remove stop words (default false).
    :param caseSensitiveStopWords: (default false).
    :param defaultStopWordLanguage: Spark's stop-word list, or ``custom`` (default ``english``).
    :param stopWords: comma-separated custom stop words.
    :param useNGram: n-grams of length ``nGramLength`` (default false, 2).
    :param binary: 0/1 term counts (default false).
    :param numFeatures: hash buckets (default 2**18).
    :param useIDF: scale by IDF (default true) with ``minDocFreq`` (default 1).
    """

    def __init__(self, **kwargs):
        super().__init__()
        self._setDefault(
            outputCol=f"{self.uid}_output",
            useTokenizer=True,
            tokenizerGaps=True,
            tokenizerPattern=r"\s+",
            minTokenLength=0,
            toLowercase=True,
            useStopWordsRemover=False,
            caseSensitiveStopWords=False,
            defaultStopWordLanguage="english",
            useNGram=False,
            nGramLength=2,
            binary=False,
            numFeatures=1 << 18,
            useIDF=True,
            minDocFreq=1,
        )
        self.setParams(**kwargs)

    # --------------------------------------------------------------------------------------------- schema
    def _check_input(self, schema: StructType) -> DataType:
        field = require_column(schema, self.getInputCol())
        actual = field.dataType
        if self.getUseTokenizer() and not isinstance(actual, StringType):
            hint = " (it looks tokenized already: set useTokenizer=False)" if isinstance(actual, ArrayType) else ""
            raise SchemaError(
                f"inputCol: column {field.name!r} has type {actual.simpleString()}, expected string "
                f"because useTokenizer is true{hint}"
            )
        if not self.getUseTokenizer():
            needs_strings = self.getUseStopWordsRemover() or self.getUseNGram()
            ok = isinstance(actual, ArrayType) and (not needs_strings or isinstance(actual.elementType, StringType))
            if not ok:
                hint = " (it looks like raw text: set useTokenizer=True)" if isinstance(actual, StringType) else ""
                expected = "array<string>" if needs_strings else "an array"
                raise SchemaError(
                    f"inputCol: column {field.name!r} has type {actual.simpleString()}, expected "
                    f"{expected} because useTokenizer is false{hint}"
                )
        return actual

    def transformSchema(self, schema: StructType) -> StructType:
        self._check_input(schema)
        self._stop_words()
        return add_field(schema, output_field(self.getOutputCol(), self.getNumFeatures()))

    # ---------------------------------------------------------------------------------------------- stages
    def _stop_words(self) -> List[str]:
        language = self.getDefaultStopWordLanguage()
        custom = self.isDefined(self.stopWords)
        if language == "custom":
            if not custom:
                raise ValueError(
                    "defaultStopWordLanguage is 'custom' but stopWords is not set; set stopWords to "
                    "a comma-separated list such as 'a, the, and' (may be empty)"
                )
            return parse_stop_words(self.getStopWords())
        if custom:
            raise ValueError(
                f"stopWords is set but defaultStopWordLanguage is {language!r}; set "
                "defaultStopWordLanguage='custom' to use stopWords"
            )
        return StopWordsRemover.loadDefaultStopWords(language)

    def _stages(self, input_name: str) -> List:
        """The unfitted Spark stages, chained from ``input_name`` to the model's raw output column."""
        prefix = self.uid
        stages: List = []
        if self.getUseTokenizer():
            stages.append(
                RegexTokenizer(
                    gaps=self.getTokenizerGaps(),
                    pattern=self.getTokenizerPattern(),
                    minTokenLength=self.getMinTokenLength(),
                    toLowercase=self.getToLowercase(),
                    outputCol=f"{prefix}__tokens",
                )
            )
        if self.getUseStopWordsRemover():
            stages.append(
                StopWordsRemover(
                    caseSensitive=self.getCaseSensitiveStopWords(),
                    stopWords=self._stop_words(),
                    outputCol=f"{prefix}__stopwords",
                )
            )
        if self.getUseNGram():
            stages.append(NGram(n=self.getNGramLength(), outputCol=f"{prefix}__ngrams"))
        stages.append(
            HashingTF(binary=self.getBinary(), numFeatures=self.getNumFeatures(), outputCol=f"{prefix}__hash")
        )
        if self.getUseIDF():
            stages.append(IDF(minDocFreq=self.getMinDocFreq(), outputCol=f"{prefix}__idf"))
        previous = input_name
        for stage in stages:
            stage.setInputCol(previous)
            previous = stage.getOutputCol()
        return stages

    def _check_pattern(self, df: DataFrame) -> None:
        if not self.getUseTokenizer():
            return
        try:
            # Compiles the pattern with Java's regex engine (the one the tokenizer uses), also on Connect.
            df.sparkSession.range(1).select(F.lit("").rlike(self.getTokenizerPattern())).collect()
        except Exception as e:
            raise ValueError(
                f"tokenizerPattern {self.getTokenizerPattern()!r} is not a valid Java regex: {str(e).splitlines()[-1]}"
            ) from e

    def _fit(self, df: DataFrame) -> TextFeaturizerModel:
        self._check_pattern(df)
        input_name = f"{self.uid}__input"
        source = column(self.getInputCol())
        # Null documents are not documents: they must not count in IDF's document frequencies.
        train = df.where(source.isNotNull()).select(source.alias(input_name))
        if self.getUseIDF() and not train.limit(1).count():
            raise ValueError(
                f"TextFeaturizer: column {self.getInputCol()!r} has no non-null document to fit IDF "
                "on (the data is empty or all null); fit on data with text, or set useIDF=False"
            )
        pipeline_model = Pipeline(stages=self._stages(input_name)).fit(train)
        model = TextFeaturizerModel(
            inputCol=self.getInputCol(),
            outputCol=self.getOutputCol(),
            numFeatures=self.getNumFeatures(),
            pipelineModel=pipeline_model,
        )
        model._resetUid(self.uid + "_model")
        return model


class TextFeaturizerModel(Model, HasInputCol, HasOutputCol):
    """The fitted TextFeaturizer: runs the fitted Spark pipeline and keeps only ``outputCol``.

    :param inputCol: the text or tokens column (as when fitted).
    :param outputCol: the feature vector column.
    :param numFeatures: the vector length (read-only in effect: it is the fitted pipeline's).
    :param pipelineModel: the fitted Spark ``PipelineModel`` (saved as a nested stage).
    """

    numFeatures = Param(
        Params._dummy(),
        "numFeatures",
        "the length of the output vectors (the fitted pipeline's numFeatures)",
        typeConverter=to_positive_int,
    )
    pipelineModel = StageParam(
        Params._dummy(),
        "pipelineModel",
        "the fitted Spark PipelineModel (tokenizer ... HashingTF/IDF) reading the input through an internal column",
    )

    def __init__(self, **kwargs):
        super().__init__()
        self._setDefault(outputCol=f"{self.uid}_output")
        self.setParams(**kwargs)

    def _stage_columns(self) -> List[str]:
        """The pipeline's internal input column, then each stage's output column (the last is the result)."""
        stages = self.getPipelineModel().stages
        return [stages[0].getInputCol()] + [s.getOutputCol() for s in stages]

    def transformSchema(self, schema: StructType) -> StructType:
        field = require_column(schema, self.getInputCol())
        if not isinstance(field.dataType, (StringType, ArrayType)):
            raise SchemaError(
                f"inputCol: column {field.name!r} has type {field.dataType.simpleString()}, "
                "expected string or array<string>"
            )
        return add_field(schema, output_field(self.getOutputCol(), self.getNumFeatures()))

    def _transform(self, df: DataFrame) -> DataFrame:
        internal = self._stage_columns()
        source = column(self.getInputCol())
        empty = (
            F.lit("")
            if isinstance(df.schema[self.getInputCol()].dataType, StringType)
            else F.array().cast(df.schema[self.getInputCol()].dataType)
        )
        # Spark's stages throw on null: feed them "" (or []) and put the null back afterwards.
        staged = self.getPipelineModel().transform(df.withColumn(internal[0], F.coalesce(source, empty)))
        field = output_field(self.getOutputCol(), self.getNumFeatures())
        result = F.when(source.isNull(), F.lit(None)).otherwise(column(internal[-1]))
        return with_column(staged, field.name, result, field.metadata).drop(*internal)
