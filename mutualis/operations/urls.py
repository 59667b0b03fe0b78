from django.urls import path

from mutualis.operations.views import catalogue, cycle, dashboard, statements

app_name = "operations"

BODY = "s/<int:pk>/pilotage/"
SERVICE = BODY + "services/<int:service_pk>/<int:year>/"
STATEMENT = BODY + "etats/<int:statement_pk>/"

urlpatterns = [
    path(BODY, cycle.index, name="index"),
    path(SERVICE, cycle.service, name="service"),
    path(BODY + "services/<int:service_pk>/modifier/", cycle.service_edit, name="service_edit"),
    path(SERVICE + "unites/", cycle.units, name="units"),
    path(SERVICE + "import/", cycle.units_import, name="units_import"),
    path(SERVICE + "modele.xlsx", cycle.units_template, name="units_template"),
    path(BODY + "exercice/<int:year>/etats/", statements.statements, name="statements"),
    path(
        BODY + "exercice/<int:year>/etats.<str:fmt>",
        statements.statements_file,
        name="statements_file",
    ),
    path(BODY + "exercice/<int:year>/titres.<str:fmt>", statements.titles, name="titles"),
    path(BODY + "exercice/<int:year>/attribution-de-compensation/", dashboard.ac, name="ac"),
    path(
        BODY + "exercice/<int:year>/attribution-de-compensation/<int:member_pk>/",
        dashboard.ac_base_edit,
        name="ac_base_edit",
    ),
    path(STATEMENT, statements.statement, name="statement"),
    path(STATEMENT + "action/", statements.statement_action, name="statement_action"),
    path(STATEMENT + "rectifier/", statements.statement_correct, name="statement_correct"),
    path(STATEMENT + "fichier.<str:fmt>", statements.statement_file, name="statement_file"),
    path(BODY + "catalogue/", catalogue.catalogue, name="catalogue"),
    path(BODY + "catalogue/offres/nouvelle/", catalogue.offer_edit, name="offer_create"),
    path(BODY + "catalogue/offres/<int:offer_pk>/", catalogue.offer_edit, name="offer_edit"),
    path(BODY + "tableau-de-bord/", dashboard.dashboard, name="dashboard"),
    path("catalogue/<str:siren>/", catalogue.public_catalogue, name="public_catalogue"),
]
