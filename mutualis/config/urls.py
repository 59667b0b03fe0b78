from django.contrib import admin
from django.urls import include, path

from mutualis.deploy import views as deploy_views
from mutualis.territories import views as territory_views

admin.site.site_header = "Mutualis — administration"
admin.site.site_title = "Mutualis"

urlpatterns = [
    path("", territory_views.home, name="home"),
    path("", include("mutualis.accounts.urls")),
    path("", include("mutualis.inventory.urls")),
    path("", include("mutualis.inventory.urls_dashboard")),
    path("", include("mutualis.scenarios.urls")),
    # Before territories: its phase route /s/<pk>/<slug>/ would catch /s/<pk>/conventions/.
    path("", include("mutualis.conventions.urls")),
    # Before territories: "s/<pk>/pilotage/" is also matched by the phase route.
    path("", include("mutualis.operations.urls")),
    path("", include("mutualis.territories.urls")),
    path("", include("mutualis.jobs.urls")),
    path("healthz", deploy_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
