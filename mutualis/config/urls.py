from django.contrib import admin
from django.urls import include, path

from mutualis.territories import views as territory_views

admin.site.site_header = "Mutualis — administration"
admin.site.site_title = "Mutualis"

urlpatterns = [
    path("", territory_views.home, name="home"),
    path("", include("mutualis.accounts.urls")),
    path("", include("mutualis.inventory.urls")),
    path("", include("mutualis.inventory.urls_dashboard")),
    # Before territories: "s/<pk>/pilotage/" is also matched by the phase route.
    path("", include("mutualis.operations.urls")),
    path("", include("mutualis.territories.urls")),
    path("admin/", admin.site.urls),
]
