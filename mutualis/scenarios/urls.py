from django.urls import path

from mutualis.scenarios.views import documents, scenarios

app_name = "scenarios"

LIST = "s/<int:pk>/scenarios/"
SCENARIO = LIST + "<int:scenario_pk>/"

urlpatterns = [
    path(LIST, scenarios.scenario_list, name="list"),
    path(LIST + "nouveau/", scenarios.create, name="create"),
    path(LIST + "comparer/", scenarios.compare, name="compare"),
    path(LIST + "comparer/dossier.pdf", documents.compare_pack, name="compare_pack"),
    path(SCENARIO, scenarios.detail, name="detail"),
    path(SCENARIO + "modifier/", scenarios.edit, name="edit"),
    path(SCENARIO + "dupliquer/", scenarios.duplicate, name="duplicate"),
    path(SCENARIO + "statut/", scenarios.status, name="status"),
    path(SCENARIO + "figer/", scenarios.snapshot, name="snapshot"),
    path(
        SCENARIO + "instantanes/<int:snapshot_pk>/",
        scenarios.snapshot_detail,
        name="snapshot_detail",
    ),
    path(SCENARIO + "dossier.pdf", documents.pack, name="pack"),
    path(SCENARIO + "fiches.pdf", documents.sheets, name="sheets"),
    path(SCENARIO + "fiches/<str:insee_code>.pdf", documents.sheet, name="sheet"),
    path(SCENARIO + "classeur.xlsx", documents.results_workbook, name="workbook"),
    path(SCENARIO + "resultats.json", documents.report_json, name="report_json"),
]
