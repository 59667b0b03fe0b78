from django.urls import path

from mutualis.territories import views

app_name = "territories"

urlpatterns = [
    path("structures/nouvelle/", views.create_from_epci, name="create"),
    path("s/<int:pk>/", views.detail, name="detail"),
    path("s/<int:pk>/parametres/", views.body_settings, name="settings"),
    path("s/<int:pk>/membres/<int:member_pk>/", views.member_detail, name="member"),
    path("s/<int:pk>/membres/<int:member_pk>/modifier/", views.member_edit, name="member_edit"),
    path(
        "s/<int:pk>/membres/<int:member_pk>/attributs/ajouter/",
        views.attribute_add,
        name="attribute_add",
    ),
    path(
        "s/<int:pk>/membres/<int:member_pk>/adhesions/ajouter/",
        views.membership_add,
        name="membership_add",
    ),
    path("s/<int:pk>/domaines/", views.domains, name="domains"),
    path("s/<int:pk>/domaines/ajouter/", views.domain_edit, name="domain_add"),
    path("s/<int:pk>/domaines/<int:domain_pk>/", views.domain_edit, name="domain_edit"),
    path("s/<int:pk>/<slug:slug>/", views.phase, name="phase"),
]
