"""Every option of the server: one Struct, read from ASTREINTE_* environment variables once."""

from __future__ import annotations

import ipaddress
import os
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

import msgspec

from server.destinations import parse_allow, refusal

REPO_ROOT = Path(__file__).resolve().parent.parent
DEMO_SECRET = "demo-secret-not-for-production"


def _help(text: str) -> msgspec.Meta:
    return msgspec.Meta(description=text)


class Settings(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """Server configuration; each field is read from ASTREINTE_<FIELD NAME IN CAPITALS>."""

    data_dir: Annotated[str, _help("Folder for the database, VAPID keys and backups.")] = "data"
    host: Annotated[str, _help("Address `astreinte serve` listens on.")] = "127.0.0.1"
    port: Annotated[int, _help("Port `astreinte serve` listens on.")] = 8000
    base_url: Annotated[
        str,
        _help(
            "Public address (https://…) for invitation links, feeds and push; empty: host and port."
        ),
    ] = ""
    secret_key: Annotated[
        str, _help("Secret for signing tokens (CSRF, acknowledgement links). Long and random.")
    ] = DEMO_SECRET
    production: Annotated[
        bool, _help("Production mode: refuses the demo secret, never seeds the demo company.")
    ] = False
    default_locale: Annotated[
        str, _help("Language when neither the user nor the browser says.")
    ] = "fr"
    default_timezone: Annotated[str, _help("Time zone of new teams and users.")] = "Europe/Paris"
    session_days: Annotated[int, _help("Days a session stays valid without use.")] = 30
    login_max_failures_account: Annotated[
        int, _help("Failed logins allowed per account within the lock window.")
    ] = 5
    login_max_failures_address: Annotated[
        int, _help("Failed logins allowed per client address within the lock window.")
    ] = 20
    login_lock_minutes: Annotated[int, _help("Length of the failed-login window, in minutes.")] = 15
    invitation_hours: Annotated[int, _help("Hours an invitation link stays valid.")] = 72
    max_body_bytes: Annotated[int, _help("Largest request body accepted, in bytes.")] = 1_000_000
    document_max_bytes: Annotated[
        int, _help("Largest qualification certificate (PDF, JPEG, PNG) accepted, in bytes.")
    ] = 5_000_000
    document_free_margin_bytes: Annotated[
        int, _help("Free space the data folder keeps: an upload leaving less is refused.")
    ] = 200_000_000
    trust_proxy: Annotated[
        bool, _help("Read the client address from X-Forwarded-For (behind your reverse proxy).")
    ] = False
    vapid_contact: Annotated[
        str, _help("Contact sent to push services with each message (mailto: or https:).")
    ] = "mailto:admin@astreinte.test"
    smtp_host: Annotated[
        str, _help("SMTP server for email notifications; empty disables email.")
    ] = ""
    smtp_port: Annotated[int, _help("SMTP port.")] = 587
    smtp_user: Annotated[str, _help("SMTP user name, if the server needs one.")] = ""
    smtp_password: Annotated[str, _help("SMTP password (never logged).")] = ""
    smtp_from: Annotated[str, _help("Sender address of email notifications.")] = (
        "astreinte@astreinte.test"
    )
    smtp_starttls: Annotated[bool, _help("Use STARTTLS with the SMTP server.")] = True
    engine_interval: Annotated[
        float, _help("Seconds between two runs of the background engine; 0 turns it off.")
    ] = 30
    webhook_url: Annotated[
        str, _help("URL that receives each notification as JSON (e.g. an SMS gateway); empty: off.")
    ] = ""
    push_allow: Annotated[
        str,
        _help(
            "Origins (scheme://host:port, comma-separated) the server may send pushes and the "
            "webhook to on a private network or over http (e.g. a self-hosted ntfy); empty: "
            "https to public addresses only."
        ),
    ] = ""
    release: Annotated[
        str, _help("Release label mixed into the app shell's version: change it to refresh phones.")
    ] = ""
    log_level: Annotated[str, _help("Logging level: DEBUG, INFO, WARNING or ERROR.")] = "INFO"
    company_name: Annotated[
        str,
        _help("Employer's name printed on the monthly statements (PDF); empty: the team's only."),
    ] = ""
    procedures_offline_kb: Annotated[
        int,
        _help(
            "Most a phone keeps of its teams' procedures for reading offline, in KB "
            "(those of recent alerts first)."
        ),
    ] = 1024

    @property
    def data_path(self) -> Path:
        path = Path(self.data_dir)
        return path if path.is_absolute() else (Path.cwd() / path)

    @property
    def database_path(self) -> Path:
        return self.data_path / "astreinte.db"

    @property
    def public_url(self) -> str:
        return (self.base_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def https(self) -> bool:
        return self.public_url.startswith("https://")

    @property
    def uses_demo_secret(self) -> bool:
        return self.secret_key == DEMO_SECRET

    @property
    def push_allow_origins(self) -> frozenset[str]:
        return parse_allow(self.push_allow)


class SettingsError(ValueError):
    """A setting in the environment cannot be read."""


def setting_docs() -> list[tuple[str, str, str]]:
    """(variable, default, help) for every setting, for the README and `astreinte --help`."""
    hints = typing.get_type_hints(Settings, include_extras=True)
    defaults = dict(zip(Settings.__struct_fields__, Settings.__struct_defaults__, strict=True))
    return [
        (env_name(name), str(defaults[name]), hints[name].__metadata__[0].description)
        for name in Settings.__struct_fields__
    ]


def env_name(field_name: str) -> str:
    return "ASTREINTE_" + field_name.upper()


def load_settings(environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
    """Settings from the environment, then explicit overrides (tests, CLI options)."""
    environ = os.environ if environ is None else environ
    raw: dict[str, object] = {}
    for name in Settings.__struct_fields__:
        key = env_name(name)
        if key in environ:
            raw[name] = environ[key]
    raw.update(overrides)
    try:
        settings = msgspec.convert(raw, Settings, strict=False)
    except msgspec.ValidationError as exc:
        message, _sep, path = str(exc).partition(" - at `$.")
        name = env_name(path.rstrip("`")) if path else "a setting"
        raise SettingsError(f"{name} is invalid: {message}") from None
    _check_destinations(settings)
    return settings


def _check_destinations(settings: Settings) -> None:
    """A bad allow-list entry, or a webhook the server would refuse to call, stops the start
    with its name rather than failing each notification later."""
    try:
        allow = settings.push_allow_origins
    except ValueError as error:
        raise SettingsError(f"ASTREINTE_PUSH_ALLOW is invalid: {error}") from None
    if settings.webhook_url and refusal(settings.webhook_url, allow):
        raise SettingsError(
            "ASTREINTE_WEBHOOK_URL is refused: the server calls only https addresses on the "
            "public internet; for a gateway on your own network (or over http), add its origin "
            "(scheme://host:port) to ASTREINTE_PUSH_ALLOW."
        )


def check_production(settings: Settings) -> None:
    """Refuse to run a production install with the demo secret."""
    if settings.production and settings.uses_demo_secret:
        raise SettingsError(
            "ASTREINTE_PRODUCTION is on but ASTREINTE_SECRET_KEY is the demo secret: "
            "set a long random secret, e.g. the output of "
            "`python3 -c 'import secrets; print(secrets.token_urlsafe(48))'`."
        )


def is_loopback_host(host: str) -> bool:
    if host.strip("[]") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name or "" (every address): reachable from elsewhere


def check_listening(settings: Settings) -> None:
    """The demo secret signs tokens anyone can forge and comes with a demo admin whose password
    is in the README: such a server listens on this machine only."""
    if settings.uses_demo_secret and not is_loopback_host(settings.host):
        raise SettingsError(
            f"refusing to listen on {settings.host or 'every address'} with the demo secret: "
            "set ASTREINTE_SECRET_KEY to a long random secret (and ASTREINTE_PRODUCTION=1), or "
            "listen on 127.0.0.1."
        )
