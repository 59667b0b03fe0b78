from django.urls import path

from mutualis.conventions.views import conventions, deliberations, documents, templates

app_name = "conventions"

BODY = "s/<int:pk>/conventions/"
CONVENTION = BODY + "<int:convention_pk>/"
VERSION = CONVENTION + "v<int:number>/"

urlpatterns = [
    path(BODY, conventions.index, name="index"),
    path(BODY + "nouvelle/", conventions.create, name="create"),
    path(BODY + "echeances.ics", documents.calendar, name="calendar"),
    path(BODY + "modeles/", templates.templates, name="templates"),
    path(CONVENTION, conventions.detail, name="detail"),
    path(CONVENTION + "conditions/", conventions.edit, name="edit"),
    path(CONVENTION + "parties/", conventions.parties, name="parties"),
    path(CONVENTION + "agents/", conventions.staff, name="staff"),
    path(CONVENTION + "transmettre/", conventions.send, name="send"),
    path(CONVENTION + "signer/", conventions.sign, name="sign"),
    path(CONVENTION + "avenant/", conventions.avenant, name="avenant"),
    path(CONVENTION + "resilier/", conventions.terminate, name="terminate"),
    path(CONVENTION + "deliberations/<int:party_pk>/", deliberations.record, name="deliberation"),
    path(VERSION + "documents.zip", documents.pack, name="pack"),
    path(VERSION + "exemplaire-signe.pdf", documents.scan, name="scan"),
    path(
        VERSION + "deliberations/<int:party_pk>.<str:fmt>",
        documents.deliberation_document,
        name="deliberation_document",
    ),
    path(VERSION + "<str:kind>.<str:fmt>", documents.document, name="document"),
]
