import pytest
from pyspark.ml import Pipeline, PipelineModel
from pyspark.ml.feature import SQLTransformer, Tokenizer

from mmlspark_py.core.persistence import PersistenceError
from tests.core.toy_stages import Add, LengthPlus, MaxLength, MaxLengthModel, Scale


@pytest.fixture(scope="module")
def texts(spark):
    return spark.createDataFrame([("a",), ("bbb",), (None,), ("cc",)], "text string")


def _full_stage():
    return LengthPlus(
        inputCol="text",
        ops=[Add(2), Scale(3, ("x",))],
        payload=b"\x00\xffmodel",
        inner=Tokenizer(inputCol="text", outputCol="words"),
        others=[SQLTransformer(statement="SELECT * FROM __THIS__"), LengthPlus(inputCol="t")],
        table={"k": "v"},
    )


def test_stage_round_trip_keeps_every_kind_of_param(tmp_path, texts):
    stage = _full_stage()
    stage.save(str(tmp_path / "s"))
    loaded = LengthPlus.load(str(tmp_path / "s"))
    assert loaded.uid == stage.uid
    assert loaded.getOps() == (Add(2), Scale(3, ["x"]))
    assert loaded.getPayload() == b"\x00\xffmodel"
    assert isinstance(loaded.getInner(), Tokenizer) and loaded.getInner().getOutputCol() == "words"
    assert [type(s).__name__ for s in loaded.getOthers()] == ["SQLTransformer", "LengthPlus"]
    assert loaded.getOthers()[1].getInputCol() == "t"
    assert loaded.getTable() == {"k": "v"}
    assert not loaded.isSet(loaded.outputCol) and loaded.getOutputCol() == "length"
    assert loaded.transform(texts).collect() == stage.transform(texts).collect()
    assert [r.length for r in loaded.transform(texts).collect()] == [3, 5, None, 4]


def test_mixed_pipeline_with_jvm_stages_round_trips(tmp_path, texts):
    pipeline = Pipeline(
        stages=[Tokenizer(inputCol="text", outputCol="words"), _full_stage(), MaxLength(inputCol="text")]
    )
    clean = texts.na.fill("zz")
    model = pipeline.fit(clean)
    model.write().overwrite().save(str(tmp_path / "pm"))
    loaded = PipelineModel.load(str(tmp_path / "pm"))
    assert [type(s).__name__ for s in loaded.stages] == ["Tokenizer", "LengthPlus", "MaxLengthModel"]
    assert loaded.stages[2].getMaxLength() == 3
    assert loaded.transform(clean).collect() == model.transform(clean).collect()


def test_loading_the_wrong_class_or_a_missing_path_is_a_clear_error(tmp_path):
    LengthPlus(inputCol="x").save(str(tmp_path / "s"))
    with pytest.raises(PersistenceError, match="holds a tests.core.toy_stages.LengthPlus, not a .*MaxLengthModel"):
        MaxLengthModel.load(str(tmp_path / "s"))
    with pytest.raises(PersistenceError, match="no saved stage at .*nowhere"):
        LengthPlus.load(str(tmp_path / "nowhere"))


def test_saving_over_an_existing_path_needs_overwrite(tmp_path):
    LengthPlus(inputCol="x").save(str(tmp_path / "s"))
    with pytest.raises(Exception, match="already exists"):
        LengthPlus(inputCol="y").save(str(tmp_path / "s"))
    LengthPlus(inputCol="y").write().overwrite().save(str(tmp_path / "s"))
    assert LengthPlus.load(str(tmp_path / "s")).getInputCol() == "y"


def test_metadata_is_json_not_pickle(tmp_path):
    _full_stage().save(str(tmp_path / "s"))
    files = [p for p in (tmp_path / "s").rglob("*") if p.is_file() and not p.name.startswith((".", "_"))]
    text = "".join(p.read_bytes().decode("latin-1") for p in files if "metadata" in str(p))
    assert '"ops":[{"kind":"add","amount":2}' in text
    assert all(b"\x80\x04\x95" not in p.read_bytes()[:3] for p in files)  # no pickle protocol header


def test_a_payload_with_both_a_default_and_a_set_value_round_trips(tmp_path):
    stage = LengthPlus(inputCol="x", payload=b"set", inner=Tokenizer(inputCol="a", outputCol="set"))
    stage._setDefault(payload=b"default", inner=Tokenizer(inputCol="a", outputCol="default"))
    stage.save(str(tmp_path / "s"))
    loaded = LengthPlus.load(str(tmp_path / "s"))
    assert loaded.getPayload() == b"set" and loaded.getInner().getOutputCol() == "set"
    loaded.clear(loaded.payload)
    loaded.clear(loaded.inner)
    assert loaded.getPayload() == b"default" and loaded.getInner().getOutputCol() == "default"
