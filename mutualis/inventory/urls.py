from django.urls import path

from mutualis.inventory.views import campaigns, entry, workbooks

app_name = "inventory"

CAMPAIGN = "s/<int:pk>/etat-des-lieux/<int:campaign_pk>/"
MEMBER = CAMPAIGN + "membres/<int:member_pk>/"

urlpatterns = [
    path("s/<int:pk>/etat-des-lieux/", campaigns.campaigns, name="campaigns"),
    path(CAMPAIGN, campaigns.campaign, name="campaign"),
    path(CAMPAIGN + "statut/", campaigns.campaign_status, name="campaign_status"),
    path(CAMPAIGN + "relances/", campaigns.remind, name="remind"),
    path(CAMPAIGN + "classeur.xlsx", workbooks.export, name="export"),
    path(CAMPAIGN + "import/", workbooks.upload, name="import"),
    path(CAMPAIGN + "import/<str:token>/", workbooks.preview, name="import_preview"),
    path(CAMPAIGN + "imports/", workbooks.log_list, name="imports"),
    path(CAMPAIGN + "imports/<int:log_pk>/", workbooks.log_detail, name="import_log"),
    path(CAMPAIGN + "imports/<int:log_pk>/annuler/", workbooks.undo, name="import_undo"),
    path(MEMBER, entry.member, name="member"),
    path(MEMBER + "domaines/<int:domain_pk>/", entry.service_edit, name="service_edit"),
    path(MEMBER + "biens/", entry.assets, name="assets"),
    path(MEMBER + "contrats/", entry.contracts, name="contracts"),
    path(MEMBER + "transmettre/", entry.submit, name="submit"),
    path(MEMBER + "rouvrir/", entry.reopen, name="reopen"),
]
