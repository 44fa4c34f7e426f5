"""The HTML side: Jinja2 set-up (translations, asset URLs, dates) and reading forms into Structs."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from html import escape
from typing import Any, TypeVar

import msgspec
from jinja2 import Environment
from litestar import Request
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig
from litestar.utils.empty import value_or_default
from litestar.utils.scope.state import ScopeState

from server import i18n
from server.badges import badge_count
from server.clock import from_db
from server.errors import InvalidInput
from server.i18n import N_
from server.i18n import gettext as _
from server.i18n.user_agents import device_label
from server.settings import REPO_ROOT

WEB_DIR = REPO_ROOT / "web"
TEMPLATE_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"
VENDOR_DIRS = {"htmx.min.js": WEB_DIR / "node_modules" / "htmx.org" / "dist" / "htmx.min.js"}
# The API viewer at /schema, served from here rather than a CDN: an install with no internet
# access still shows its API documentation.
SWAGGER_DIR = WEB_DIR / "node_modules" / "swagger-ui-dist"
SERVICE_WORKER_DIR = REPO_ROOT / "service_worker"

T = TypeVar("T")

# Labels of form fields, for messages that name the field the person must fix.
FIELD_LABELS = {
    "email": N_("Email"),
    "name": N_("Name"),
    "phone": N_("Phone"),
    "role": N_("Role"),
    "locale": N_("Language"),
    "timezone": N_("Time zone"),
    "team_id": N_("Team"),
    "user_id": N_("Person"),
    "team_role": N_("Role in the team"),
    "password": N_("Password"),
    "current_password": N_("Current password"),
    "new_password": N_("New password"),
    "confirm_password": N_("Confirm the new password"),
    "starts_at": N_("From"),
    "ends_at": N_("To"),
    "start": N_("From"),
    "started_at": N_("From"),
    "ended_at": N_("To"),
    "first_day": N_("First day"),
    "last_day": N_("Last day"),
    "end": N_("To"),
    "start_date": N_("First hand-off on"),
    "handoff_time": N_("Hand-off time"),
    "business_start": N_("Business hours from"),
    "business_end": N_("to"),
    "length": N_("Each turn lasts"),
    "horizon_weeks": N_("Weeks generated ahead"),
    "reason": N_("Reason"),
    "version": N_("Version"),
}

# Messages raised by __post_init__ checks, listed so they are extracted and translated.
VALIDATION_MESSAGES = (
    N_("email is not a valid address"),
    N_("name must not be empty"),
    N_("phone must be digits, spaces and an optional leading +"),
    N_("time must be written HH:MM"),
    N_("business hours must end after they start"),
    N_("business days are 0 (Monday) to 6 (Sunday)"),
    N_("a rotation needs at least one participant"),
    N_("the end of the range must not be before its start"),
    N_("the end must be after the start"),
    N_("reason must not be empty"),
    N_("a turn lasts at most 4 weeks"),
)
# A browser's datetime-local field sends minutes only ("2026-12-16T20:00").
_LOCAL_MINUTES = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$")


def asset_version(release: str = "") -> str:
    """A hash of every file the app shell is made of (and the release label); it names the
    service worker's caches, so any change installs a new worker and offers the update."""
    digest = hashlib.sha256(release.encode())
    files = sorted(p for p in STATIC_DIR.rglob("*") if p.is_file())
    files += sorted(p for p in SERVICE_WORKER_DIR.rglob("*.js"))
    files += [p for p in VENDOR_DIRS.values() if p.exists()]
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _badge(name: str) -> Callable[[Request], int]:
    """A navigation badge for the templates: the count the domain registered under `name`
    (server/badges.py), for the person asking; 0 for a visitor."""

    def count(request: Request) -> int:
        user = request.scope.get("user")
        if user is None:
            return 0
        state = request.app.state
        return badge_count(name, state.database, user, state.clock.now())

    return count


def template_config(version: str) -> TemplateConfig:
    def configure(engine: JinjaTemplateEngine) -> None:
        env: Environment = engine.engine
        env.add_extension("jinja2.ext.i18n")
        env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=False)  # type: ignore[attr-defined]
        # A date starting a line takes a capital and keeps the rest as the locale writes it; Jinja's
        # own `capitalize` lower-cases the rest ("Monday, 7 december 2026").
        env.filters["capitalize"] = i18n.sentence_start
        env.globals.update(
            asset=lambda path: f"/static/{path}?v={version}",
            asset_version=version,
            current_locale=i18n.current_locale.get,
            html_lang=i18n.html_lang,
            locale_names=i18n.LOCALE_NAMES,
            format_datetime=i18n.format_datetime,
            format_date=i18n.format_date,
            format_time=i18n.format_time,
            format_day=i18n.format_day,
            format_span=i18n.format_span,
            format_moment=i18n.format_moment,
            format_number=i18n.format_number,
            format_local_input=i18n.format_local_input,
            hours_text=i18n.hours_text,
            unread_count=_badge("unread_notifications"),
            open_alert_count=_badge("open_alerts"),
            swaps_to_approve=_badge("swaps_to_approve"),
        )
        env.filters["tel"] = lambda phone: re.sub(r"[^0-9+]", "", phone or "")
        env.filters["options"] = lambda items, value, label: [
            (getattr(item, value), getattr(item, label)) for item in items
        ]
        env.filters["from_db"] = from_db
        env.filters["device"] = device_label
        env.policies["ext.i18n.trimmed"] = True

    return TemplateConfig(
        directory=TEMPLATE_DIR, engine=JinjaTemplateEngine, engine_callback=configure
    )


def _field_bools(shape: type) -> set[str]:
    info = msgspec.inspect.type_info(shape)
    return {
        f.name
        for f in info.fields
        if isinstance(getattr(f.type, "type", f.type), msgspec.inspect.BoolType)
    }


# msgspec's words for a number out of its bounds: "Expected `float` <= 24".
_BOUND = re.compile(r"Expected `\w+` (?P<op><=|>=|<|>) (?P<limit>-?[\d.]+)")


def describe_validation(
    error: msgspec.ValidationError, labels: dict[str, str] | None = None
) -> tuple[str, str | None]:
    """A message for a person (in their language) and the field at fault; `labels` names
    the fields of a form whose labels are not in FIELD_LABELS."""
    text = str(error)
    field = None
    match = re.search(r" - at `\$\.(\w+)`", text)
    if match:
        field = match.group(1)
        text = text[: match.start()]
    if text in VALIDATION_MESSAGES:
        message = _(text)
        return message[:1].upper() + message[1:] + ".", field
    if text.startswith("unknown time zone"):
        return _("This time zone is unknown."), field or "timezone"
    if field:
        label = _((labels or {}).get(field) or FIELD_LABELS.get(field, field))
        if bound := _BOUND.match(text):
            limit = bound["limit"].removesuffix(".0")
            if bound["op"].startswith("<"):
                return _("“%(field)s”: at most %(limit)s.", field=label, limit=limit), field
            return _("“%(field)s”: at least %(limit)s.", field=label, limit=limit), field
        return _("Please check the field “%(field)s”.", field=label), field
    return _("The request could not be understood."), None


async def read_form(request: Request, shape: type[T]) -> T:
    """The posted form as a Struct; a clear InvalidInput naming the field otherwise."""
    form = await request.form()
    data: dict[str, Any] = {}
    for key, value in form.multi_items():
        if key.startswith("_") or not isinstance(value, str):
            continue
        if key in ("password", "current_password", "new_password", "confirm_password"):
            data[key] = value
        else:
            value = value.strip()
            data[key] = value + ":00" if _LOCAL_MINUTES.match(value) else value
    for name in _field_bools(shape):
        data[name] = data.get(name, "false") in ("true", "on", "1")
    allowed = set(shape.__struct_fields__)  # type: ignore[attr-defined]
    data = {k: v for k, v in data.items() if k in allowed}
    try:
        return msgspec.convert(data, shape, strict=False)
    except msgspec.ValidationError as error:
        message, field = describe_validation(error)
        raise InvalidInput(message, field=field) from None


# Where a kept page's CSRF fields go: the page is kept per person, but the token is per
# browser (a phone and a laptop each have theirs), so it is written in as the page is served.
_CSRF_SLOT = "<!--astreinte:csrf-input-->"


def render_page(request: Request, name: str, context: dict) -> str:
    """A page as text, with the context Litestar's Template response would give it, for pages
    kept in a ViewCache; serve it through `with_csrf_inputs`."""
    template = request.app.template_engine.get_template(name)
    return template.render(**context, request=request, csrf_input=_CSRF_SLOT)


def with_csrf_inputs(request: Request, html: str) -> str:
    """A kept page with this browser's CSRF token in its forms, so they post without
    JavaScript too (htmx sends the token in a header)."""
    token = value_or_default(ScopeState.from_scope(request.scope).csrf_token, "")
    field = f'<input type="hidden" name="_csrf_token" value="{escape(token)}" />'
    return html.replace(_CSRF_SLOT, field)
