from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from mutualis.accounts.models import Invitation, Role


@admin.register(Role)
class RoleAdmin(SimpleHistoryAdmin[Role]):
    list_display = ["user", "pooling_body", "name", "member"]
    list_filter = ["name", "pooling_body"]
    raw_id_fields = ["member"]


@admin.register(Invitation)
class InvitationAdmin(SimpleHistoryAdmin[Invitation]):
    list_display = ["email", "pooling_body", "name", "member", "expires_at", "accepted_at"]
    list_filter = ["name", "pooling_body"]
    raw_id_fields = ["member", "invited_by", "user"]
    exclude = ["token_hash"]
    readonly_fields = ["sent_at", "expires_at", "accepted_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # invitations are sent from the users page, which mails the link
