"""The results page's pre-formatted pieces: explanations and the allocation table's rows."""

from __future__ import annotations

from mutualis.scenarios.templatetags.scenarios import explanation
from mutualis.scenarios.views.scenarios import member_rows


def test_an_explanation_opens_to_its_escaped_steps() -> None:
    html = explanation(
        {
            "title": "Coût <actuel>",
            "steps": [
                {"label": "Personnel", "formula": "a & b", "result": "1 €", "reference": "CGCT"},
                {"label": "<script>", "formula": "", "result": "", "reference": ""},
            ],
        }
    )
    assert html.startswith('<details class="explain"><summary>Comment ce chiffre est calculé')
    assert "<strong>Coût &lt;actuel&gt;</strong>" in html
    assert "<li>Personnel : a &amp; b = <strong>1 €</strong> <em>(CGCT)</em></li>" in html
    assert "<li>&lt;script&gt;</li>" in html and "<script>" not in html


def test_member_rows_flag_a_commune_paying_more_than_alone_and_link_its_sheet() -> None:
    doc = {
        "allocations": [{"method": "shapley"}, {"method": "scrb"}],
        "members": [
            {
                "insee_code": "21001",
                "name": "Aval",
                "assumptions": ["volume estimé"],
                "cost_before": "100.00",
                "explanation": {"title": "t", "steps": []},
                "allocations": {"shapley": "120.00", "scrb": "90.00"},
                "rational": {"shapley": False, "scrb": True},
                "saving": "-20.00",
                "saving_percent": "-20.0",
                "fte_today": {"B": "0.50", "C": "0.20"},
                "fte_needed": "0.5",
            }
        ],
    }
    (row,) = member_rows(doc, "/fiches/{code}.pdf")
    assert row["sheet_url"] == "/fiches/21001.pdf"
    assert row["shares"] == [("120,00\xa0€", True), ("90,00\xa0€", False)]
    assert row["saving"] == "-20,00\xa0€ (−20,0\xa0%)"  # as the euros filter writes it
    assert row["fte"] == "0.50 + 0.20 / 0.5" and row["assumptions"] == "volume estimé"
    assert member_rows(doc)[0]["sheet_url"] == ""
