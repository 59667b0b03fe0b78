from django.contrib.auth import views as auth_views
from django.urls import path

from mutualis.accounts.views import invitations, passwords, users

app_name = "accounts"

BODY = "s/<int:pk>/"
USER = BODY + "utilisateurs/<int:user_pk>/"

urlpatterns = [
    path(
        "connexion/",
        auth_views.LoginView.as_view(template_name="accounts/login.html"),
        name="login",
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("mot-de-passe/", passwords.password_change, name="password_change"),
    path("mot-de-passe/modifie/", passwords.password_change_done, name="password_change_done"),
    path("mot-de-passe/oublie/", passwords.password_reset, name="password_reset"),
    path("mot-de-passe/oublie/envoye/", passwords.password_reset_done, name="password_reset_done"),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        passwords.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/nouveau/termine/",
        passwords.password_reset_complete,
        name="password_reset_complete",
    ),
    path("invitation/<str:token>/", invitations.accept, name="invitation_accept"),
    path(BODY + "roles/", users.roles, name="roles"),
    path(BODY + "roles/<int:role_pk>/modifier/", users.role_edit, name="role_edit"),
    path(BODY + "roles/<int:role_pk>/retirer/", users.role_revoke, name="role_revoke"),
    path(BODY + "utilisateurs/inviter/", invitations.invite, name="invite"),
    path(
        BODY + "invitations/<int:invitation_pk>/renvoyer/",
        invitations.invitation_resend,
        name="invitation_resend",
    ),
    path(USER + "desactiver/", users.user_deactivate, name="user_deactivate"),
    path(USER + "reinviter/", users.user_reinvite, name="user_reinvite"),
    path(USER + "debloquer/", users.user_unlock, name="user_unlock"),
]
