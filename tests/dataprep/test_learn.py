"""The Spark-free learner: programs, ranking inputs and bad input."""
import json

import pytest

from mmlspark_py.dataprep import ContradictoryExamples, DataPrepError, NoProgramFound, SynthesisTimeout, learn
from mmlspark_py.dataprep.learn import LearnedProgram
from mmlspark_py.dataprep.program import Program


def test_learns_reordering_and_generalises_to_other_rows():
    p = learn([(("Marta Quillfeather",), "Quillfeather, Marta"), (("Jonah P. Wexley",), "Wexley, Jonah P.")])
    assert p.run(("Ximena N. Poe",)) == "Poe, Ximena N."
    assert p.run("Bo Ng") == "Ng, Bo"
    assert "concat(" in p.explain(["name"]) and "name" in p.explain(["name"])


def test_initials_over_two_columns_with_case_change():
    p = learn([(("elena", "marquez"), "E.M."), (("NIAMH", "Oyelaran"), "N.O.")])
    assert p.run(("bo", "van der berg")) == "B.V."


def test_semantic_number_and_date_formats():
    pad = learn([(("P-42",), "P-00042"), (("QX-7318",), "QX-07318")])
    assert pad.run(("LMN-5",)) == "LMN-00005"
    money = learn([(("1234.5",), "$1,234.50")], inputs=[("87",), ("1000000.25",)])
    assert money.run(("1000000.25",)) == "$1,000,000.25"
    date = learn([(("2023-04-05",), "Apr 5, 2023")], inputs=[("2019-11-23",)])
    assert date.run(("2019-11-23",)) == "Nov 23, 2019"


def test_conditional_program_by_input_shape():
    p = learn([(("482-0193",), "(206) 482-0193"), (("415-739-2210",), "(415) 739-2210")],
              inputs=[("630-1187",), ("312-648-0199",)])
    assert p.run(("390-6412",)) == "(206) 390-6412"
    assert p.run(("312-648-0199",)) == "(312) 648-0199"
    assert p.explain().startswith("if ")


def test_null_inputs_give_null_or_the_rule_the_examples_show():
    p = learn([(("Ada Lovelace",), "Lovelace")])
    assert p.run((None,)) is None
    q = learn([(("Ada Lovelace",), "Lovelace"), ((None,), "(unknown)")])
    assert q.run((None,)) == "(unknown)" and q.run(("Bo Ng",)) == "Ng"


def test_empty_unicode_long_and_metacharacter_inputs():
    p = learn([(("Søren Łukasik",), "ŁUKASIK"), (("東京 タワー",), "タワー")])
    assert p.run(("Zoë Ångström",)) == "ÅNGSTRÖM"
    assert p.run(("",)) is None
    emoji = learn([(("😀 party time",), "time")])
    assert emoji.run(("🎉🎉 big night",)) == "night"
    long_value = "x" * 10_000 + "@host.example"
    user = learn([(("ada@calc.example",), "ada")])
    assert user.run((long_value,)) == "x" * 10_000
    meta = learn([(("a.b*c|(d)",), "(d)"), (("x+y|[z]",), "[z]")])
    assert meta.run(("^$|{q}",)) == "{q}"


def test_contradictory_examples_name_both_outputs():
    with pytest.raises(ContradictoryExamples, match="'Ng'.*'Bo'|'Bo'.*'Ng'"):
        learn([(("Bo Ng",), "Ng"), (("Bo Ng",), "Bo")])


def test_arity_mismatch_is_reported():
    with pytest.raises(DataPrepError, match="expected 2"):
        learn([(("a", "b"), "ab"), (("c",), "c")])
    with pytest.raises(DataPrepError, match="unlabeled input"):
        learn([(("a", "b"), "ab")], inputs=[("a",)])


def test_no_program_lists_the_unexplained_examples():
    with pytest.raises(NoProgramFound, match="not explained: .*'zebra'"):
        learn([(("abc",), "abc"), (("def",), "zebra")])


def test_timeout_param_is_enforced():
    with pytest.raises(SynthesisTimeout):
        learn([(("word " * 300,), " ".join(["word"] * 100))], timeout=0.0)


def test_program_json_round_trip_and_topk():
    p = learn([(("Marta Quillfeather",), "Quillfeather")], inputs=[("Jonah P. Wexley",)], k=5)
    again = LearnedProgram.from_json(p.to_json())
    assert again.programs == p.programs
    assert len(p.topK(3)) >= 2 and all(isinstance(x, Program) for x in p.topK(3))
    outs = p.outputsFor(("Jonah P. Wexley",), k=5)
    assert "Wexley" in outs and len(outs) >= 2


def test_long_periodic_example_is_learned_quickly():
    import time
    t0 = time.perf_counter()
    p = learn([(("word " * 300 + "end",), "END")], timeout=20.0)
    assert p.run(("a b c end",)) == "END" and time.perf_counter() - t0 < 10


def test_repeated_patterns_from_one_example_through_column_views():
    snake = learn([(("orderTotal",), "order_total")], inputs=[("maxRetryCountPerUser",), ("orderId",)])
    assert snake.run(("maxRetryCountPerUser",)) == "max_retry_count_per_user"
    assert "camel_split('_'" in snake.explain()
    title = learn([(("order_total",), "Order Total")], inputs=[("updated_by_user_id",)])
    assert title.run(("updated_by_user_id",)) == "Updated By User Id"
    again = LearnedProgram.from_json(title.to_json())
    assert again.programs == title.programs
    # Programs saved by the first release (string-coded tokens, no "view" field) still load.
    old = {"programs": [{"branches": [[None, {"node": "Concat", "atoms": [
        {"node": "SubStr", "col": 0, "p1": {"node": "TokPos", "token": "lit: ", "k": -1, "side": "end"},
         "p2": {"node": "AbsPos", "k": -1}, "case": "upper"}]}]]}]}
    assert LearnedProgram.from_json(json.loads(json.dumps(old))).run(("Ada Lovelace",)) == "LOVELACE"


def test_unlabeled_inputs_rank_out_fields_cut_at_the_wrong_delimiter():
    # One example cannot tell the 2nd comma field from the 2nd-last; inputs with a unit line can.
    inputs = [("88 Quarry Rd, Apt 4B, Fenwick, WA 98001",), ("7 Elm Ct, Suite 210, Lake Tessaly, MN 55411",),
              ("5 Oak St, Marlow, OR 97321",)]
    p = learn([(("1423 Birchwood Ln, Marlow Springs, OR 97321",), "Marlow Springs")], inputs=inputs)
    assert [p.run(r) for r in inputs] == ["Fenwick", "Lake Tessaly", "Marlow"]
    # Letters that the example left out of the copied number ('kg') stay out on other rows.
    q = learn([(("12.5 kg",), "12.5")], inputs=[("7lb",), (" 350 mL",), ("851L",)])
    assert [q.run(r) for r in [("7lb",), ("851L",)]] == ["7", "851"]
