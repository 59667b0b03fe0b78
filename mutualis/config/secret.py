"""The secret key of an instance that sets none: generated once into the data directory."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

KEY_FILE_NAME = "secret_key"
KEY_LENGTH = 50


def load_or_create_secret_key(data_dir: Path) -> str:
    """Read `data_dir/secret_key`, creating it (mode 0600) on first use.

    The file is created with O_EXCL, so that two processes starting together (gunicorn
    workers, the task worker) end up with the same key.
    """
    path = data_dir / KEY_FILE_NAME
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(secrets.token_urlsafe(KEY_LENGTH))
        key = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ImproperlyConfigured(
            f"Clé secrète introuvable : impossible d'écrire {path} ({exc.strerror}) ; "
            "définissez SECRET_KEY ou un MUTUALIS_DATA_DIR accessible en écriture."
        ) from exc
    if len(key) < 32:
        raise ImproperlyConfigured(
            f"Le fichier {path} contient une clé trop courte : supprimez-le pour en générer une."
        )
    return key
