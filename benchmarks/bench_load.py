"""Bounded load run: 20 logged-in clients for 60 s against `mutualis serve` (gunicorn).

Each client works on its own commune of one campaign: it reads the member page and the
diagnostic, saves domain forms (the inventory entry form, with the version it was opened
on), every fifth round submits its inventory and reopens it, and every seventh round
downloads the workbook, keeps and changes its own commune's rows and imports them back
(upload, preview, confirm).

Two profiles run one after the other on the same server (docs/deploiement.md, « Charge »):

- saturation: the clients click again as soon as an answer arrives. It measures the
  throughput; its latency is queueing (Little's law: clients / throughput).
- utilisateurs: each client pauses between two clicks for a time drawn uniformly between
  1 and 3 s (seeded per client, so two runs click the same way), as people do, and
  pauses once before its first click, so that the 20 do not start in the same
  millisecond. The target (p95 < 300 ms on reads) is judged on this profile.

Each prints requests/s, p50/p95/p99 for reads, writes and imports, the refusals (4xx, or a
form sent back with errors) and the errors (5xx, connection failures), the server's CPU
time per request (independent of queueing, so comparable on a shared machine) and the
load average. Target: 0 errors on both, p95 < 300 ms on reads.

SQLite in a throwaway data directory by default; `LOAD_DATABASE_URL=postgres://…` runs the
same load on an empty, throwaway PostgreSQL database. `LOAD_CLIENTS` and `LOAD_SECONDS`
change the size (20 and 60 s per profile); `LOAD_PROFILES=saturation` or
`LOAD_PROFILES=utilisateurs` runs one profile only.
"""

from __future__ import annotations

import http.cookiejar
import io
import os
import random
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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = int(os.environ.get("LOAD_CLIENTS", "20"))
SECONDS = float(os.environ.get("LOAD_SECONDS", "60"))
PASSWORD = "charge-mot-de-passe-1"  # noqa: S105 - throwaway bench users
READ_P95_TARGET_MS = 300
# The think time of the « utilisateurs » profile, in seconds (uniform between the two).
THINK_SECONDS = (1.0, 3.0)
PROFILES = ("saturation", "utilisateurs")


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
    refused: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def total(self) -> int:
        done = len(self.reads) + len(self.writes) + len(self.imports)
        return done + len(self.refused) + len(self.errors)


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
        lands_on: str = "",
    ) -> bytes | None:
        """One request (a GET, a form POST or a file upload); the body, or None on failure.

        `lands_on`: the path a successful POST redirects to; a form sent back with its
        errors (200 on the form's own address) is a refusal, not a write.
        """
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
                    self.tally.refused.append(f"{exc.code} {page or path}")
            return None
        except (OSError, urllib.error.URLError) as exc:
            with self.tally.lock:
                self.tally.errors.append(f"{exc} {path}")
            return None
        elapsed = (time.perf_counter() - start) * 1000
        if lands_on and self.last_url_path() != lands_on:
            if os.environ.get("LOAD_VERBOSE"):
                print("refused", path, content[-3000:].decode(errors="replace"), file=sys.stderr)
            with self.tally.lock:
                self.tally.refused.append(f"formulaire renvoyé {page or path}")
            return None
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
    """The exported workbook cut down to this commune's rows, its difficulties rewritten.

    A coordinator re-importing one commune's returned workbook: the file covers that
    commune only, so the other clients' edits meanwhile do not outdate its preview.
    """
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data))
    for sheet in book.worksheets:
        headers = [cell.value for cell in sheet[2]] if sheet.max_row >= 2 else []
        if "Code membre" not in headers:
            continue
        code = headers.index("Code membre") + 1
        for row in range(sheet.max_row, 2, -1):
            if str(sheet.cell(row, code).value) != insee:
                sheet.delete_rows(row)
    sheet = book["Services"]
    headers = [cell.value for cell in sheet[2]]
    answer = headers.index("Difficultés") + 1
    mode = headers.index("Mode de gestion") + 1
    for row in range(3, sheet.max_row + 1):
        sheet.cell(row, answer).value = f"Import n° {round_no}"
        sheet.cell(row, mode).value = sheet.cell(row, mode).value or "regie"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


DIGEST = re.compile(rb'name="digest" value="([0-9a-f]+)"')
VERSION = re.compile(rb'name="version" value="([^"]+)"')


def import_round(client: Client, plan: dict, round_no: int, pause: Callable[[], None]) -> None:  # type: ignore[type-arg]
    """Download, edit, upload, read the preview and confirm: the coordinator's import."""
    exported = client.call(plan["export"], page="classeur (export)")
    if exported is None:
        return
    workbook = edited_workbook(exported, plan["insee"], round_no)
    pause()
    preview = client.call(plan["import"], upload=("classeur.xlsx", workbook), page="import")
    match = DIGEST.search(preview or b"")
    if match is None:  # refused with a message (4xx) or already reported as an error
        return
    pause()
    client.call(client.last_url_path(), {"digest": match.group(1).decode()}, page="confirmation")


def service_form(round_no: int, version: str) -> dict[str, str]:
    return {
        "version": version,
        "service-mode": "regie",
        "service-activity_volume": str(100 + round_no),
        "service-activity_unit": "agents",
        "service-satisfaction": "4",
        "service-needs": f"Besoin n° {round_no}",
        "service-difficulties": "",
        "staff-fte_C": "0,5",
        "staff-cost_C": f"{15000 + round_no}",
        "costs-chapter_011": "1250,50",
    }


def run_client(
    client: Client,
    plan: dict,  # type: ignore[type-arg]
    window: dict[str, float],
    pause: Callable[[], None],
) -> None:
    """One user's rounds until the window closes; `pause` between two clicks."""
    round_no = 0
    while time.monotonic() < window["stop"]:
        round_no += 1
        client.call(plan["member"], page="fiche du membre")
        pause()
        edit = plan["edit"][round_no % len(plan["edit"])]
        form = client.call(edit, page="formulaire d'un domaine")
        version = VERSION.search(form or b"")
        pause()
        if version is not None:
            client.call(
                edit,
                service_form(round_no, version.group(1).decode()),
                page="enregistrement",
                lands_on=plan["member"],
            )
            pause()
        if round_no % 5 == 0:
            client.call(plan["submit"], {}, page="transmission")
            pause()
            client.call(plan["reopen"], {}, page="réouverture")
            pause()
            client.call(plan["dashboard"], page="tableau de bord du diagnostic")
            pause()
        if round_no % 7 == 0:
            import_round(client, plan, round_no, pause)
            pause()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _percentile(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100)[q - 1]


def _process_tree_cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) of a process and its children, from /proc; None elsewhere."""
    proc = Path("/proc")
    if not (proc / str(pid)).exists():
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in proc.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process ended meanwhile
        if stat.parent.name == str(pid) or fields[1] == str(pid):  # itself or a child
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def _think(seed: int) -> Callable[[], None]:
    """A pause drawn uniformly in THINK_SECONDS, from this client's own seeded sequence."""
    draw = random.Random(seed)  # a load model, not a secret
    return lambda: time.sleep(draw.uniform(*THINK_SECONDS))


def run_profile(
    profile: str,
    clients: list[Client],
    plans: list[dict],  # type: ignore[type-arg]
    server_pid: int,
) -> tuple[Tally, dict[str, float]]:
    tally = Tally()
    for client in clients:
        client.tally = tally
    window: dict[str, float] = {}
    pauses = [
        _think(index) if profile == "utilisateurs" else (lambda: None)
        for index in range(len(clients))
    ]

    def start_clock() -> None:
        window["start"] = time.monotonic()
        window["stop"] = window["start"] + SECONDS
        window["server_cpu"] = _process_tree_cpu_seconds(server_pid) or 0.0
        window["load_cpu"] = time.process_time()

    ready = threading.Barrier(len(clients), action=start_clock)

    def work(index: int) -> None:
        ready.wait()
        # People do not all click at the same instant: in « utilisateurs », each client
        # first pauses once, as between two clicks (in « saturation » the pause is none).
        pauses[index]()
        run_client(clients[index], plans[index], window, pauses[index])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    server_cpu = _process_tree_cpu_seconds(server_pid)
    measures = {
        "elapsed": time.monotonic() - window["start"],
        "server_cpu": -1.0 if server_cpu is None else server_cpu - window["server_cpu"],
        "load_cpu": time.process_time() - window["load_cpu"],
        "loadavg": os.getloadavg()[0] if hasattr(os, "getloadavg") else -1.0,
    }
    return tally, measures


def report(profile: str, tally: Tally, measures: dict[str, float]) -> float:
    """Print one profile's figures; return its read p95 (ms)."""
    elapsed = measures["elapsed"]
    total = tally.total
    if profile == "saturation":
        title = "Profil « saturation » : aucune pause, chaque client reclique dès la réponse"
    else:
        low, high = THINK_SECONDS
        title = (
            f"Profil « utilisateurs » : pause de {low:g} à {high:g} s entre deux clics "
            "(tirage uniforme, graine fixe par client)"
        )
    print(title)
    print(f"  durée {elapsed:.0f} s, requêtes : {total}  ({total / elapsed:.1f} req/s)")
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
    print(f"  refus (4xx, formulaire renvoyé) : {len(tally.refused)}")
    for refusal in sorted(set(tally.refused)):
        print(f"    {tally.refused.count(refusal):4d} × {refusal}")
    print(f"  erreurs (5xx, connexion) : {len(tally.errors)}")
    for error in sorted(set(tally.errors))[:10]:
        print(f"    {error}")
    if total and measures["server_cpu"] >= 0:
        print(
            f"  CPU du serveur : {measures['server_cpu'] * 1000 / total:.1f} ms par requête "
            f"({measures['server_cpu'] / elapsed:.2f} cœur en moyenne) ; "
            f"générateur de charge : {measures['load_cpu'] * 1000 / total:.1f} ms par requête"
        )
    print(f"  charge de la machine (moyenne sur 1 min, fin du profil) : {measures['loadavg']:.2f}")
    read_p95 = _percentile(tally.reads, 95)
    print(
        f"  ratio p95 lectures / cible ({READ_P95_TARGET_MS} ms) : "
        f"{read_p95 / READ_P95_TARGET_MS:.2f}"
    )
    return read_p95


def main() -> int:
    env = _environment()
    profiles = [p for p in os.environ.get("LOAD_PROFILES", ",".join(PROFILES)).split(",") if p]
    unknown = set(profiles) - set(PROFILES)
    if unknown:
        print(f"Profil inconnu : {', '.join(sorted(unknown))} (attendu : {', '.join(PROFILES)}).")
        return 2
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
    results = []
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
        clients = []
        for plan in plans:  # logged in before any clock starts (Argon2 is slow)
            client = Client(base, Tally())
            client.call(plan["login"], record=False)
            client.call(
                plan["login"], {"username": plan["username"], "password": PASSWORD}, record=False
            )
            clients.append(client)
        for profile in profiles:
            results.append((profile, *run_profile(profile, clients, plans, server.pid)))
    finally:
        server.terminate()
        server.wait(timeout=30)
    vendor = "PostgreSQL" if env["DATABASE_URL"].startswith("postgres") else "SQLite"
    print(
        f"Charge : {CLIENTS} clients connectés, base {vendor}, serveur gunicorn "
        f"{env['GUNICORN_WORKERS']} processus × {env['GUNICORN_THREADS']} fils, "
        f"{os.cpu_count()} cœurs partagés avec le générateur de charge"
    )
    judged = {}
    for profile, tally, measures in results:
        judged[profile] = report(profile, tally, measures)
    if "utilisateurs" in judged:
        verdict = "tenue" if judged["utilisateurs"] < READ_P95_TARGET_MS else "manquée"
        print(
            f"Cible p95 lectures < {READ_P95_TARGET_MS} ms jugée sur le profil « utilisateurs » : "
            f"{verdict} ({judged['utilisateurs']:.0f} ms)."
        )
    return 1 if any(tally.errors for _profile, tally, _m in results) else 0


if __name__ == "__main__":
    sys.exit(main())
