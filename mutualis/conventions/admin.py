from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from mutualis.conventions.models import (
    Convention,
    ConventionVersion,
    Deliberation,
    DocumentTemplate,
)


@admin.register(Convention)
class ConventionAdmin(SimpleHistoryAdmin[Convention]):
    list_display = ["title", "pooling_body", "legal_form", "is_sample", "created_at"]
    list_filter = ["legal_form", "is_sample"]


@admin.register(ConventionVersion)
class ConventionVersionAdmin(SimpleHistoryAdmin[ConventionVersion]):
    """Read-only here: versions change only through the services (a signed one never)."""

    list_display = ["convention", "number", "status", "start_on", "end_on"]
    list_filter = ["status"]

    def has_change_permission(
        self, request: HttpRequest, obj: ConventionVersion | None = None
    ) -> bool:
        return False


@admin.register(Deliberation)
class DeliberationAdmin(SimpleHistoryAdmin[Deliberation]):
    list_display = ["party", "number", "voted_on", "votes_for", "votes_against", "abstentions"]


@admin.register(DocumentTemplate)
class DocumentTemplateAdmin(SimpleHistoryAdmin[DocumentTemplate]):
    list_display = ["pooling_body", "legal_form", "kind", "file_name", "uploaded_at"]
