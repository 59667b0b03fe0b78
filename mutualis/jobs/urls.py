from django.urls import path

from mutualis.jobs import views

app_name = "jobs"

JOB = "s/<int:pk>/taches/<int:job_pk>/"

urlpatterns = [
    path(JOB, views.detail, name="detail"),
    path(JOB + "fichier/", views.download, name="download"),
    path(JOB + "relancer/", views.retry, name="retry"),
]
