from django.contrib import admin

from mutualis.jobs.models import Job, WorkerHeartbeat


@admin.register(Job)
class JobAdmin(admin.ModelAdmin[Job]):
    list_display = ("pk", "kind", "pooling_body", "status", "progress", "created_at")
    list_filter = ("status", "kind")
    readonly_fields = [field.name for field in Job._meta.fields]


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin[WorkerHeartbeat]):
    list_display = ("worker_id", "hostname", "seen_at")
