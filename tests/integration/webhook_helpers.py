"""An SMS gateway's HTTP endpoint on a local port, as the webhook channel reaches it (the
alerts' pages by SMS, the satisfaction surveys): what it was sent, and the answers it gives;
and the settings of an app that reaches it and the local SMTP server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from server.settings import Settings, load_settings
from tests.conftest import LocalOrigins
from tests.integration.mail_helpers import Inbox


class Gateway:
    """Records each JSON body (`bodies`) and its content type (`content_types`); answers the
    statuses queued in `answers` first (a gateway having a bad minute), then 200."""

    def __init__(self) -> None:
        self.bodies: list[dict] = []
        self.content_types: list[str] = []
        self.answers: list[int] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                gateway.content_types.append(self.headers.get("Content-Type", ""))
                gateway.bodies.append(json.loads(self.rfile.read(length)))
                self.send_response(gateway.answers.pop(0) if gateway.answers else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def origin(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def url(self) -> str:
        """The address the settings' webhook_url names."""
        return self.origin + "/sms"


@contextmanager
def serving_gateway() -> Iterator[Gateway]:
    gateway = Gateway()
    gateway.thread.start()
    try:
        yield gateway
    finally:
        gateway.server.shutdown()
        gateway.server.server_close()


def reaching(
    tmp_path: Path,
    local_origins: LocalOrigins,
    inbox: Inbox,
    gateway: Gateway | None = None,
    **extra: object,
) -> Settings:
    """Settings whose e-mails go to `inbox` and webhook calls to `gateway` (allowed as an admin
    allows a gateway on the company's network), the engine run by the test."""
    return load_settings(
        {},
        data_dir=str(tmp_path / "data"),
        engine_interval=0,
        smtp_host="127.0.0.1",
        smtp_port=inbox.port,
        smtp_starttls=False,
        smtp_from="astreinte@maintenance.example",
        webhook_url=gateway.url if gateway else "",
        push_allow=f"{local_origins.allow},{gateway.origin}" if gateway else local_origins.allow,
        **extra,
    )
