"""URLs of the diagnostic dashboard and its exports (namespace `diagnostic`)."""

from django.urls import path

from mutualis.inventory.views import dashboard

app_name = "diagnostic"

DIAGNOSTIC = "s/<int:pk>/etat-des-lieux/<int:campaign_pk>/diagnostic/"

urlpatterns = [
    path(DIAGNOSTIC, dashboard.dashboard, name="dashboard"),
    path(DIAGNOSTIC + "domaines/<int:domain_pk>/", dashboard.domain, name="domain"),
    path(DIAGNOSTIC + "rapport.pdf", dashboard.report_pdf, name="report_pdf"),
    path(DIAGNOSTIC + "rapport.xlsx", dashboard.report_xlsx, name="report_xlsx"),
    path(DIAGNOSTIC + "echeances.ics", dashboard.calendar_ics, name="calendar_ics"),
]
