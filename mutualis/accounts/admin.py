from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from mutualis.accounts.models import Role


@admin.register(Role)
class RoleAdmin(SimpleHistoryAdmin):
    list_display = ["user", "pooling_body", "name", "member"]
    list_filter = ["name", "pooling_body"]
    raw_id_fields = ["member"]
