"""Serving: secret key, configuration errors, checks, error pages, headers, upload limits."""

from __future__ import annotations

import os
import stat
from io import BytesIO, StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse

from mutualis.config.secret import load_or_create_secret_key
from mutualis.deploy.checks import check_allowed_hosts, check_database_engine, run_checks
from mutualis.deploy.client_ip import client_ip
from mutualis.deploy.management.commands.serve import gunicorn_argv
from mutualis.deploy.middleware import BodyTooLarge, LimitedStream
from tests.deploy.test_commands import run_cli


def test_secret_key_is_generated_once_with_mode_0600_and_reused(tmp_path):
    first = load_or_create_secret_key(tmp_path / "donnees")
    path = tmp_path / "donnees" / "secret_key"
    assert len(first) >= 50
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_secret_key(tmp_path / "donnees") == first


def test_cli_without_secret_key_uses_the_generated_one(tmp_path):
    env = {"MUTUALIS_DATA_DIR": str(tmp_path), "SECRET_KEY": "", "DATABASE_URL": ""}
    result = run_cli("migrate", "--noinput", **env)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "secret_key").stat().st_size > 0


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "peut-être"}, "DEBUG doit valoir true ou false"),
        ({"SECRET_KEY_FILE": "/nulle/part"}, "SECRET_KEY_FILE : impossible de lire"),
        (
            {"DATABASE_URL": "ftp://ailleurs/base"},
            "DATABASE_URL n'est pas une adresse de base valide",
        ),
        ({"MUTUALIS_DATA_DIR": "/proc/mutualis", "SECRET_KEY": ""}, "Clé secrète introuvable"),
    ],
)
def test_a_configuration_error_is_one_french_line_and_exit_2(env, message):
    result = run_cli("check", **env)
    assert result.returncode == 2
    assert result.stderr.startswith("Erreur de configuration : ")
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_allowed_hosts_empty_fails_and_loopback_only_warns(settings):
    settings.ALLOWED_HOSTS = []
    assert not check_allowed_hosts().ok
    settings.ALLOWED_HOSTS, settings.LOCAL_ONLY, settings.DEBUG = ["127.0.0.1"], True, False
    check = check_allowed_hosts()
    assert check.ok and check.warning and "cette machine seulement" in check.detail
    settings.ALLOWED_HOSTS = ["*"]
    assert check_allowed_hosts().warning
    settings.ALLOWED_HOSTS, settings.LOCAL_ONLY = ["mutualis.exemple.fr"], False
    assert check_allowed_hosts().ok and not check_allowed_hosts().warning


@pytest.mark.django_db
def test_sqlite_in_production_is_a_warning(settings):
    if connection.vendor != "sqlite":
        pytest.skip("the warning is about SQLite; this run uses another database")
    settings.DEBUG, settings.LOCAL_ONLY = False, False
    check = check_database_engine()
    assert check.ok and check.warning and "PostgreSQL" in check.detail


@pytest.mark.django_db
def test_check_deploy_adds_djangos_deployment_checks(settings):
    settings.SECURE_HSTS_SECONDS = 0
    labels = {check.label for check in run_checks(deploy=True)}
    assert "Django security.W004" in labels
    assert "Django security.W004" not in {check.label for check in run_checks()}


@pytest.mark.django_db
def test_check_command_accepts_deploy_and_exits_2_on_failure():
    out = StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("selfcheck", "--deploy", stdout=out)
    assert failure.value.returncode == 2
    assert "Django security." in out.getvalue()
    assert "AVERTISSEMENT" in out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "status", "title"),
    [
        ("/nulle-part/", 404, "Page introuvable"),
    ],
)
def test_error_pages_are_french_in_the_site_layout(client, path, status, title):
    response = client.get(path)
    html = response.content.decode()
    assert response.status_code == status
    assert title in html and "Mutualis" in html and 'lang="fr"' in html
    assert "urlpatterns" not in html and "URLconf" not in html


@pytest.mark.django_db
def test_bad_request_and_server_error_templates_are_french():
    from django.template.loader import render_to_string

    assert "Requête invalide" in render_to_string("400.html")
    assert "Erreur du serveur" in render_to_string("500.html")


@pytest.mark.django_db
def test_csrf_failure_is_a_french_page(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.pooling_admin)
    response = client.post(reverse("territories:domain_add", args=[world.body.pk]), {})
    html = response.content.decode()
    assert response.status_code == 403
    assert "Formulaire expiré" in html and "Se déconnecter" in html


@pytest.mark.django_db
def test_pages_carry_csp_and_referrer_policy(client):
    response = client.get(reverse("accounts:login"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response["Referrer-Policy"] == "same-origin"


def test_limited_stream_stops_reading_past_the_limit():
    stream = LimitedStream(BytesIO(b"x" * 100), limit=64)
    assert stream.read(60) == b"x" * 60
    with pytest.raises(BodyTooLarge):
        stream.read(10)
    assert stream.exceeded
    stream.close()  # Django closes the stream after parsing a form
    assert stream.stream.closed


@pytest.mark.django_db
def test_an_upload_declared_over_the_limit_is_refused_before_reading(world, client_for, settings):
    from mutualis.inventory.models import Campaign

    settings.MAX_UPLOAD_BYTES = 1024
    campaign = Campaign.objects.create(pooling_body=world.body, year=2025)
    url = reverse("inventory:import", args=[world.body.pk, campaign.pk])
    big = SimpleUploadedFile("gros.xlsx", b"x" * 200_000)
    response = client_for(world.pooling_admin).post(url, {"workbook": big})
    assert response.status_code == 413
    assert "Fichier trop volumineux : la limite est de 1,0\xa0Kio" in response.content.decode()
    assert not campaign.imports.exists()


def test_an_upload_lying_about_its_size_is_cut_while_streaming(settings):
    """A body longer than announced past the limit stops being read at the limit."""
    from mutualis.deploy.middleware import UploadLimitMiddleware

    settings.MAX_UPLOAD_BYTES = 1024
    request = RequestFactory().post(
        "/", data=b"x" * 300_000, content_type="application/octet-stream"
    )
    seen: list[int] = []

    def view(req):  # type: ignore[no-untyped-def]
        try:
            req.read()
        except OSError:
            seen.append(req._stream.received)
        from django.http import HttpResponse

        return HttpResponse("lu")

    request.META["CONTENT_LENGTH"] = "10"  # smaller than the body: checked while reading
    request._stream = BytesIO(b"x" * 300_000)
    response = UploadLimitMiddleware(view)(request)
    assert response.status_code == 413
    assert seen == [1024 + 64 * 1024 + 1]


def test_client_ip_behind_a_trusted_proxy_ignores_forged_addresses(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9"
    )
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.9"


def test_serve_uses_threaded_workers_with_timeouts():
    argv = gunicorn_argv("127.0.0.1:8000", workers=3, threads=4, timeout=30)
    assert argv[argv.index("--worker-class") + 1] == "gthread"
    assert argv[argv.index("--threads") + 1] == "4"
    assert argv[argv.index("--timeout") + 1] == "30"
    assert os.environ.get("GUNICORN_WORKERS") is None or argv
