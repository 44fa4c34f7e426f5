"""The server's VAPID key pair (RFC 8292): made on first start, kept in the data folder."""

from __future__ import annotations

import base64
import os
from functools import cached_property
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid

KEY_FILE = "vapid_private.pem"


def _write_new_key(path: Path) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # the data folder: owner only
    vapid = Vapid()
    vapid.generate_keys()
    # Written readable by the owner only: whoever holds it can push to every phone.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(vapid.private_pem())


def rotate(data_dir: Path) -> VapidKeys:
    """A new key pair in place of the old one, which is gone (a rotated key is usually one that
    leaked). The new file is written aside then renamed over the old, so no moment is keyless.
    A running server keeps the old pair until it restarts."""
    path = data_dir / KEY_FILE
    fresh = path.with_name(KEY_FILE + ".new")
    fresh.unlink(missing_ok=True)
    _write_new_key(fresh)
    os.replace(fresh, path)
    return VapidKeys(data_dir)


class VapidKeys:
    def __init__(self, data_dir: Path) -> None:
        path = data_dir / KEY_FILE
        if not path.exists():
            _write_new_key(path)
        self.path = path
        self.vapid = Vapid.from_file(str(path))

    @cached_property
    def public_key(self) -> str:
        """The application server key the browser subscribes with (base64url, no padding)."""
        raw = self.vapid.public_key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    def headers(self, endpoint_origin: str, contact: str, expires: int) -> dict[str, str]:
        """The Authorization header for one push service origin."""
        claims = {"sub": contact, "aud": endpoint_origin, "exp": expires}
        return dict(self.vapid.sign(claims))
