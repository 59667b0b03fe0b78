"""Bounded load run: 20 logged-in clients for 60 s against `mutualis serve` (gunicorn).

Each client works on its own commune of one campaign: it reads the member page and the
diagnostic, saves domain forms (the inventory entry form), every fifth round submits its
inventory and reopens it, and every seventh round downloads the workbook, changes its own
commune's answers and imports it back (upload, preview, confirm). Prints requests/s,
p50/p95/p99 for reads, writes and imports, the refusals (4xx) and the errors (5xx, connection
failures). Target: 0 errors, p95 < 300 ms on reads.

SQLite in a throwaway data directory by default; `LOAD_DATABASE_URL=postgres://…` runs the
same load on an empty, throwaway PostgreSQL database. `LOAD_CLIENTS` and `LOAD_SECONDS`
change the size (20 and 60).
"""

from __future__ import annotations

import http.cookiejar
import io
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = int(os.environ.get("LOAD_CLIENTS", "20"))
SECONDS = float(os.environ.get("LOAD_SECONDS", "60"))
PASSWORD = "charge-mot-de-passe-1"  # noqa: S105 - throwaway bench users
READ_P95_TARGET_MS = 300


def _environment() -> dict[str, str]:
    data_dir = tempfile.mkdtemp(prefix="mutualis-load-")
    database = os.environ.get("LOAD_DATABASE_URL") or f"sqlite:///{data_dir}/load.sqlite3"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mutualis.config.settings",
        "DEBUG": "false",
        "MUTUALIS_DATA_DIR": data_dir,
        "DATABASE_URL": database,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "AXES_FAILURE_LIMIT": "1000",
        "GUNICORN_WORKERS": os.environ.get("GUNICORN_WORKERS", "2"),
        "GUNICORN_THREADS": os.environ.get("GUNICORN_THREADS", "8"),
    }


def prepare(env: dict[str, str]) -> list[dict[str, str]]:
    """Migrate, create one body, one campaign and one coordinator per commune."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    from django.contrib.auth import get_user_model
    from django.db import connections
    from django.urls import reverse

    from mutualis.accounts.models import Role
    from mutualis.inventory.models import Campaign
    from mutualis.territories.models import Domain, Member, PoolingBody

    body = PoolingBody.objects.create(name="CC de charge", kind="epci", siren="200000019")
    domains = [
        Domain.objects.create(pooling_body=body, code=code, name=name, family="functional")
        for code, name in [("rh", "Ressources humaines"), ("voirie", "Voirie")]
    ]
    campaign = Campaign.objects.create(pooling_body=body, year=2025)
    campaign.domains.set(domains)
    users = get_user_model()
    plans = []
    for i in range(CLIENTS):
        member = Member.objects.create(
            pooling_body=body,
            name=f"Commune {i:02d}",
            insee_code=f"21{i:03d}",
            population_municipale=500 + i,
        )
        user = users.objects.create_user(f"charge{i:02d}", password=PASSWORD)
        Role.objects.create(user=user, pooling_body=body, name=Role.Name.ADMIN)
        args = [body.pk, campaign.pk, member.pk]
        plans.append(
            {
                "username": user.username,
                "login": reverse("accounts:login"),
                "member": reverse("inventory:member", args=args),
                "edit": [reverse("inventory:service_edit", args=[*args, d.pk]) for d in domains],
                "insee": member.insee_code,
                "export": reverse("inventory:export", args=[body.pk, campaign.pk]),
                "import": reverse("inventory:import", args=[body.pk, campaign.pk]),
                "submit": reverse("inventory:submit", args=args),
                "reopen": reverse("inventory:reopen", args=args),
                "dashboard": reverse("diagnostic:dashboard", args=[body.pk, campaign.pk]),
            }
        )
    connections.close_all()
    return plans


@dataclass
class Tally:
    reads: list[float] = field(default_factory=list)
    writes: list[float] = field(default_factory=list)
    imports: list[float] = field(default_factory=list)
    pages: dict[str, list[float]] = field(default_factory=dict)  # reads, by page
    refused: int = 0
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class Client:
    def __init__(self, base: str, tally: Tally) -> None:
        self.base = base
        self.tally = tally
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.last_url = base

    def last_url_path(self) -> str:
        """Where the last request ended, after redirects (the import preview's address)."""
        return urllib.parse.urlsplit(self.last_url).path

    def _csrf(self) -> str:
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def call(
        self,
        path: str,
        data: dict[str, str] | None = None,
        record: bool = True,
        upload: tuple[str, bytes] | None = None,
        page: str = "",
    ) -> bytes | None:
        """One request (a GET, a form POST or a file upload); the body, or None on failure."""
        body = None
        headers = {"Referer": self.base + path}
        if upload is not None:
            body, headers["Content-Type"] = _multipart(
                {"csrfmiddlewaretoken": self._csrf()}, "file", *upload
            )
        elif data is not None:
            body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": self._csrf()}).encode()
        request = urllib.request.Request(self.base + path, data=body, headers=headers)  # noqa: S310
        start = time.perf_counter()
        try:
            with self.opener.open(request, timeout=60) as response:
                content: bytes = response.read()
                self.last_url = response.geturl()
        except urllib.error.HTTPError as exc:
            if os.environ.get("LOAD_VERBOSE"):
                print(exc.code, path, exc.read()[:3000].decode(errors="replace"), file=sys.stderr)
            with self.tally.lock:
                if exc.code >= 500:
                    self.tally.errors.append(f"{exc.code} {path}")
                else:
                    self.tally.refused += 1
            return None
        except (OSError, urllib.error.URLError) as exc:
            with self.tally.lock:
                self.tally.errors.append(f"{exc} {path}")
            return None
        elapsed = (time.perf_counter() - start) * 1000
        if record:
            with self.tally.lock:
                if upload is not None:
                    self.tally.imports.append(elapsed)
                elif body is None:
                    self.tally.reads.append(elapsed)
                    self.tally.pages.setdefault(page or path, []).append(elapsed)
                else:
                    self.tally.writes.append(elapsed)
        return content


def _multipart(
    fields: dict[str, str], name: str, filename: str, content: bytes
) -> tuple[bytes, str]:
    boundary = secrets.token_hex(16)
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
        f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def edited_workbook(data: bytes, insee: str, round_no: int) -> bytes:
    """The exported workbook with this commune's difficulties rewritten on every domain."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    sheet = book["Services"]
    headers = [cell.value for cell in sheet[2]]
    code, answer = headers.index("Code membre") + 1, headers.index("Difficultés") + 1
    mode = headers.index("Mode de gestion") + 1
    for row in range(3, sheet.max_row + 1):
        if str(sheet.cell(row, code).value) == insee:
            sheet.cell(row, answer).value = f"Import n° {round_no}"
            sheet.cell(row, mode).value = sheet.cell(row, mode).value or "regie"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


DIGEST = re.compile(rb'name="digest" value="([0-9a-f]+)"')


def import_round(client: Client, plan: dict, round_no: int) -> None:  # type: ignore[type-arg]
    """Download, edit, upload, read the preview and confirm: the coordinator's import."""
    exported = client.call(plan["export"], page="classeur (export)")
    if exported is None:
        return
    workbook = edited_workbook(exported, plan["insee"], round_no)
    preview = client.call(plan["import"], upload=("classeur.xlsx", workbook))
    match = DIGEST.search(preview or b"")
    if match is None:  # refused with a message (4xx) or already reported as an error
        return
    client.call(client.last_url_path(), {"digest": match.group(1).decode()})


def service_form(round_no: int) -> dict[str, str]:
    return {
        "service-mode": "regie",
        "service-activity_volume": str(100 + round_no),
        "service-activity_unit": "",
        "service-satisfaction": "4",
        "service-needs": f"Besoin n° {round_no}",
        "service-difficulties": "",
        "staff-fte_C": "0,5",
        "staff-cost_C": f"{15000 + round_no}",
        "costs-chapter_011": "1250,50",
    }


def run_client(base: str, plan: dict, tally: Tally, ready: threading.Barrier, window: dict) -> None:  # type: ignore[type-arg]
    client = Client(base, tally)
    client.call(plan["login"], record=False)
    client.call(plan["login"], {"username": plan["username"], "password": PASSWORD}, record=False)
    ready.wait()  # the clock starts once every client is logged in (Argon2 is slow)
    round_no = 0
    while time.monotonic() < window["stop"]:
        round_no += 1
        client.call(plan["member"], page="fiche du membre")
        edit = plan["edit"][round_no % len(plan["edit"])]
        client.call(edit, page="formulaire d'un domaine")
        client.call(edit, service_form(round_no))
        if round_no % 5 == 0:
            client.call(plan["submit"], {})
            client.call(plan["reopen"], {})
            client.call(plan["dashboard"], page="tableau de bord du diagnostic")
        if round_no % 7 == 0:
            import_round(client, plan, round_no)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _percentile(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100)[q - 1]


def main() -> int:
    env = _environment()
    plans = prepare(env)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mutualis.cli",
            "serve",
            "--no-worker",
            "--bind",
            f"127.0.0.1:{port}",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=None if os.environ.get("LOAD_VERBOSE") else subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(base + plans[0]["login"], timeout=5).read()  # noqa: S310
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    print("Le serveur n'a pas démarré.")
                    return 1
                time.sleep(0.5)
        tally = Tally()
        window: dict[str, float] = {}

        def start_clock() -> None:
            window["start"] = time.monotonic()
            window["stop"] = window["start"] + SECONDS

        ready = threading.Barrier(len(plans), action=start_clock)
        threads = [
            threading.Thread(target=run_client, args=(base, plan, tally, ready, window))
            for plan in plans
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - window["start"]
    finally:
        server.terminate()
        server.wait(timeout=30)
    vendor = "PostgreSQL" if env["DATABASE_URL"].startswith("postgres") else "SQLite"
    total = len(tally.reads) + len(tally.writes) + len(tally.imports)
    total += tally.refused + len(tally.errors)
    print(f"Charge : {CLIENTS} clients connectés, {elapsed:.0f} s, base {vendor}")
    print(f"  requêtes : {total}  ({total / elapsed:.1f} req/s)")
    for label, values in (
        ("lectures", tally.reads),
        ("écritures", tally.writes),
        ("imports", tally.imports),
    ):
        print(
            f"  {label:<10} {len(values):6d}  p50 {_percentile(values, 50):7.1f} ms  "
            f"p95 {_percentile(values, 95):7.1f} ms  p99 {_percentile(values, 99):7.1f} ms"
        )
    for page, values in sorted(tally.pages.items()):
        print(
            f"    {page:<32} {len(values):6d}  p50 {_percentile(values, 50):7.1f} ms  "
            f"p95 {_percentile(values, 95):7.1f} ms"
        )
    read_p95 = _percentile(tally.reads, 95)
    print(f"  refus (4xx) : {tally.refused}")
    print(f"  erreurs (5xx, connexion) : {len(tally.errors)}")
    for error in sorted(set(tally.errors))[:10]:
        print(f"    {error}")
    ratio = read_p95 / READ_P95_TARGET_MS
    print(f"  ratio p95 lectures / cible ({READ_P95_TARGET_MS} ms) : {ratio:.2f}")
    return 1 if tally.errors else 0


if __name__ == "__main__":
    sys.exit(main())
