from django.contrib.auth import views as auth_views
from django.urls import path

from mutualis.accounts import views

app_name = "accounts"

urlpatterns = [
    path(
        "connexion/",
        auth_views.LoginView.as_view(template_name="accounts/login.html"),
        name="login",
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("s/<int:pk>/roles/", views.roles, name="roles"),
    path("s/<int:pk>/roles/<int:role_pk>/retirer/", views.role_revoke, name="role_revoke"),
]
