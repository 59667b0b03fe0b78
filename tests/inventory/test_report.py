"""The diagnostic report: PDF and Excel built from the same diagnostic as the page."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command, get_commands
from openpyxl import load_workbook
from weasyprint import HTML

from mutualis.inventory import charts
from mutualis.inventory.diagnostic import build_diagnostic
from mutualis.inventory.exports import DIAGNOSTIC_XLSX, diagnostic_params
from mutualis.inventory.report import (
    PDF_COST_BARS,
    render_pdf,
    render_xlsx,
    report_html,
    write_report,
)
from mutualis.jobs.models import Job
from mutualis.sheets import DATE_FORMAT, EURO_FORMAT
from tests.factories import MemberFactory
from tests.inventory.factories import (
    ContractFactory,
    CostLineFactory,
    ServiceRecordFactory,
    StaffLineFactory,
)

ON = date(2025, 6, 2)
SHEETS = [
    "Synthèse",
    "Domaines",
    "Coût par habitant",
    "Fragilités",
    "Contrats",
    "Logiciels",
    "Équipements",
    "Besoins",
]


def _rows(ws, first: int = 4) -> list[tuple]:
    return [row for row in ws.iter_rows(min_row=first, values_only=True) if any(row)]


def test_excel_has_one_sheet_per_table_with_numbers_as_numbers(inventory):
    data = render_xlsx(build_diagnostic(inventory.campaign, on=ON))
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == SHEETS
    synthesis = dict(_rows(wb["Synthèse"]))
    assert synthesis["Membres"] == 2
    assert synthesis["Coût total"] == pytest.approx(13250.50)
    assert synthesis["Coût par habitant (membres ayant répondu)"] == pytest.approx(26.50)
    assert synthesis["ETP déclarés"] == pytest.approx(0.30)
    ws = wb["Domaines"]
    headers = [c.value for c in ws[3]]
    assert ws["A3"].font.bold
    assert ws.freeze_panes == "B4"
    rh = dict(zip(headers, _rows(ws)[0], strict=True))
    assert rh["Domaine"] == "Ressources humaines"
    assert rh["En régie"] == 1
    assert rh["Coût total"] == pytest.approx(13250.50)
    assert rh["Score d'opportunité (sur 100)"] == 55
    assert "Fragilité des services en régie (poids 25)" in rh["Détail du score"]
    contract = _rows(wb["Contrats"])[0]
    assert contract[0].date() == date(2026, 12, 31)
    assert wb["Contrats"]["A4"].number_format == "DD/MM/YYYY"
    assert _rows(wb["Logiciels"])[0][1:4] == ("Berger-Levrault", "e.magnus Paie", 1)
    assert _rows(wb["Équipements"])[0][3] == "Salle des fêtes"
    assert _rows(wb["Besoins"])[0][2] == "Sécuriser la paie pendant les congés."
    assert "Données fictives" not in str(wb["Synthèse"]["A1"].value)


def test_sample_campaign_is_flagged_on_the_first_row_of_every_sheet(inventory):
    inventory.campaign.is_sample = True
    wb = load_workbook(io.BytesIO(render_xlsx(build_diagnostic(inventory.campaign, on=ON))))
    for ws in wb.worksheets:
        assert ws["A1"].value.startswith("DONNÉES FICTIVES DE DÉMONSTRATION"), ws.title


def test_pdf_is_a_pdf_with_the_charts_and_the_body_name(inventory):
    diagnostic = build_diagnostic(inventory.campaign, on=ON)
    data = render_pdf(diagnostic)
    assert data.startswith(b"%PDF")
    html = report_html(diagnostic)
    assert "CC du Val de Test" in html
    assert html.count('<img class="chart" alt="') == 3
    assert html.count("data:image/svg+xml;base64,") == 3
    assert "Données fictives de démonstration" not in html
    assert len(HTML(string=html).render().pages) >= 1


def test_pdf_keeps_the_synthesis_and_points_to_excel_for_the_detail(inventory):
    """The line-by-line detail (contracts, software, needs) is in the Excel export only:
    the PDF stays a few pages long at any size, and says where the detail is."""
    html = report_html(build_diagnostic(inventory.campaign, on=ON))
    assert "tableaux Excel du diagnostic" in html
    assert "Ressources humaines" in html and "13\u202f250,50\xa0€" in html
    assert "Sécuriser la paie pendant les congés." not in html  # a need: Excel only
    assert "e.magnus Paie" not in html  # a product: Excel only
    assert "Fragilité (25)" in html and "Besoins (15)" in html  # score components


def test_pdf_cost_chart_shows_the_highest_costs_only_for_a_large_body(inventory):
    diagnostic = build_diagnostic(inventory.campaign, on=ON)
    costs = diagnostic.territory.member_costs
    chart = charts.cost_chart(costs * 50, limit=PDF_COST_BARS)
    assert str(chart).count('class="bar"') == PDF_COST_BARS
    assert f"les {PDF_COST_BARS} membres au coût le plus élevé sur {len(costs) * 50}" in chart
    assert str(charts.cost_chart(costs, limit=PDF_COST_BARS)).count('class="bar"') == len(costs)


def test_sample_pdf_says_so_on_every_page_header(inventory):
    inventory.campaign.is_sample = True
    html = report_html(build_diagnostic(inventory.campaign, on=ON))
    assert '@top-right { content: "Données fictives de démonstration"' in html
    assert 'class="sample-banner"' in html


def test_write_report_refuses_other_extensions(inventory, tmp_path):
    with pytest.raises(ValueError, match=r"\.pdf ou \.xlsx"):
        write_report(inventory.campaign, tmp_path / "rapport.docx")
    assert not (tmp_path / "rapport.docx").exists()


@pytest.mark.parametrize(("name", "magic"), [("rapport.pdf", b"%PDF"), ("rapport.XLSX", b"PK")])
def test_write_report_writes_the_file(inventory, tmp_path, name, magic):
    path = tmp_path / name
    if "inventory" in get_commands():
        call_command(
            "inventory",
            "report",
            "--pooling-body",
            inventory.world.body.siren,
            "--year",
            "2025",
            "-o",
            str(path),
        )
    else:  # the CLI is written in parallel; the function is its contract
        write_report(inventory.campaign, path)
    assert path.read_bytes().startswith(magic)


def test_amounts_stay_exact_decimals_in_the_diagnostic(inventory):
    diagnostic = build_diagnostic(inventory.campaign, on=ON)
    assert diagnostic.territory.total_cost == Decimal("13250.50")


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("http://example.invalid","clic")', "=cmd|' /C calc'!A0", "@SUM(A1)", "-1+1"],
)
def test_excel_writes_user_text_as_text_never_as_a_formula(inventory, text):
    ContractFactory(
        campaign=inventory.campaign,
        member=inventory.world.other_commune,
        domain=inventory.rh,
        vendor=text,
        product="#N/A",
    )
    data = render_xlsx(build_diagnostic(inventory.campaign, on=ON))
    assert b"<f>" not in data
    cells = {
        c.value: c for row in load_workbook(io.BytesIO(data))["Contrats"].iter_rows() for c in row
    }
    assert cells[text].data_type == "s" and cells[text].quotePrefix
    assert cells["#N/A"].data_type == "s"


def test_excel_money_is_a_number_with_the_euro_format(inventory):
    """Amounts stay numbers users can add up, shown as euros; dates stay dates."""
    wb = load_workbook(io.BytesIO(render_xlsx(build_diagnostic(inventory.campaign, on=ON))))
    contract = wb["Contrats"][4]
    assert [c.value for c in contract][:7] == [
        contract[0].value,
        "Ressources humaines",
        "Bourg-Témoin",
        "Logiciel ou abonnement",
        "Berger-Levrault",
        "e.magnus Paie",
        1800,
    ]
    assert contract[6].data_type == "n" and contract[6].number_format == EURO_FORMAT
    assert contract[8].value.date() == date(2026, 9, 30)  # notice: 3 months before the end
    assert contract[8].number_format == DATE_FORMAT
    total, per_inhabitant = wb["Coût par habitant"][4][3:5]
    assert (total.value, total.number_format) == (pytest.approx(13250.50), EURO_FORMAT)
    assert per_inhabitant.number_format == EURO_FORMAT
    synthesis = {row[0].value: row[1] for row in wb["Synthèse"].iter_rows(min_row=4)}
    assert synthesis["Coût total"].number_format == EURO_FORMAT
    assert synthesis["Date de l'analyse"].number_format == DATE_FORMAT
    assert synthesis["Taux de réponses transmises"].number_format == "0%"


def _answer_everything(campaign, communes: int) -> None:
    body = campaign.pooling_body
    for i in range(communes):
        commune = MemberFactory(pooling_body=body, population_municipale=1000 + i)
        for domain in campaign.domains.all():
            record = ServiceRecordFactory(
                campaign=campaign, member=commune, domain=domain, needs="Un besoin"
            )
            StaffLineFactory(service=record, fte=Decimal("0.80"))
            CostLineFactory(service=record)
            ContractFactory(campaign=campaign, member=commune, domain=domain)


def test_excel_export_reads_the_same_number_of_queries_for_3_or_12_communes(
    inventory, django_assert_num_queries
):
    """One query per table (members, domains, services with their summed lines, contracts,
    assets, submissions) plus the campaign and its body, whatever the number of communes."""
    campaign = inventory.campaign
    job = Job.objects.create(
        pooling_body=campaign.pooling_body,
        kind=DIAGNOSTIC_XLSX.name,
        params=diagnostic_params(campaign, ON),
    )
    sizes = []
    for communes in (1, 9):  # 2 communes in the fixture: 3, then 12
        _answer_everything(campaign, communes)
        with django_assert_num_queries(8):
            produced = DIAGNOSTIC_XLSX.build(job, lambda percent, message: None)
        sizes.append(load_workbook(io.BytesIO(produced.content))["Coût par habitant"].max_row)
    # Title, blank and header rows, then each commune that answered (all but one).
    assert sizes == [3 + 2, 3 + 11]
