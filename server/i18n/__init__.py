"""Translations (gettext catalogs through Babel), locale negotiation and date formatting."""

from __future__ import annotations

import io
from contextvars import ContextVar
from datetime import date, datetime, tzinfo
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import DateTimePattern, match_skeleton, parse_pattern
from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.dates import format_time as babel_format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

LOCALES = ("fr", "en")
DEFAULT_LOCALE = "fr"
LOCALE_DIR = Path(__file__).resolve().parent / "locales"
LOCALE_NAMES = {"fr": "Français", "en": "English"}
# The region whose formats each language uses: the app serves European teams, so English reads
# as British ("Monday, 7 December 2026", 24-hour times, day before month), not American.
FORMAT_LOCALES = {"fr": "fr_FR", "en": "en_GB"}
HTML_LANGS = {"fr": "fr", "en": "en-GB"}

current_locale: ContextVar[str] = ContextVar("current_locale", default=DEFAULT_LOCALE)
current_timezone: ContextVar[str] = ContextVar("current_timezone", default="Europe/Paris")


@cache
def translations(locale: str) -> Translations:
    """The catalog for a locale, compiled in memory from its .po file (no build step to forget)."""
    po_path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(fp=buffer)


@cache
def _babel_locale(code: str) -> Locale:
    return Locale.parse(code)


def _locale() -> Locale:
    """The request's locale as a Babel Locale, parsed once per language, not per date."""
    return _babel_locale(format_locale())


def format_locale(code: str | None = None) -> str:
    """The Babel locale whose formats a language uses: 'en' -> 'en_GB'."""
    code = code or current_locale.get()
    return FORMAT_LOCALES.get(code, code)


def html_lang(code: str | None = None) -> str:
    """The page's `lang` (BCP 47), so the browser's own dates match ours: 'en' -> 'en-GB'."""
    return HTML_LANGS.get(code or current_locale.get(), code or current_locale.get())


def sentence_start(text: str) -> str:
    """The first letter upper-cased and nothing else: Jinja's `capitalize` lower-cases the rest,
    which turned "Monday, 7 December" into "Monday, 7 december"."""
    return text[:1].upper() + text[1:]


def gettext(message: str, **variables: object) -> str:
    text = translations(current_locale.get()).gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    text = translations(current_locale.get()).ngettext(singular, plural, n)
    variables.setdefault("num", n)
    return text % variables


_ = gettext


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated later, where the locale is known."""
    return message


def negotiate(
    accept_language: str | None, preferred: str | None = None, default: str = DEFAULT_LOCALE
) -> str:
    """The user's own choice first, then the browser's Accept-Language, then the default."""
    if preferred in LOCALES:
        return preferred
    if accept_language:
        weighted = []
        for index, part in enumerate(accept_language.split(",")):
            lang, _sep, params = part.strip().partition(";")
            quality = 1.0
            if params.strip().startswith("q="):
                try:
                    quality = float(params.strip()[2:])
                except ValueError:
                    quality = 0.0
            weighted.append((-quality, index, lang.strip().lower()[:2]))
        for _quality, _index, lang in sorted(weighted):
            if lang in LOCALES:
                return lang
    return default if default in LOCALES else DEFAULT_LOCALE


def zone(name: str | None = None) -> tzinfo:
    return ZoneInfo(name or current_timezone.get())


def format_datetime(moment: datetime, fmt: str = "medium", tz: str | None = None) -> str:
    return babel_format_datetime(moment, fmt, tzinfo=zone(tz), locale=_locale())


def format_date(moment: datetime, fmt: str = "medium", tz: str | None = None) -> str:
    local = moment.astimezone(zone(tz)) if isinstance(moment, datetime) else moment
    return babel_format_date(local, fmt, locale=_locale())


def format_time(moment: datetime, fmt: str = "short", tz: str | None = None) -> str:
    return babel_format_time(moment, fmt, tzinfo=zone(tz), locale=_locale())


def format_number(value: float) -> str:
    """2.4 -> '2,4' in French, '2.4' in English."""
    return format_decimal(value, locale=_locale())


def format_day(moment: datetime | date, tz: str | None = None) -> str:
    """'lun. 7 déc.' / 'Mon, Dec 7': short enough for a phone line."""
    day = moment.astimezone(zone(tz)).date() if isinstance(moment, datetime) else moment
    return _day_pattern(format_locale()).apply(day, _locale())


@cache
def _day_pattern(code: str) -> DateTimePattern:
    """The locale's skeleton pattern for a short day, parsed once (Babel re-parses per call)."""
    locale = _babel_locale(code)
    return parse_pattern(
        locale.datetime_skeletons[match_skeleton("MMMEd", locale.datetime_skeletons)]
    )


def format_span(start: datetime, end: datetime, tz: str | None = None) -> str:
    """A stretch of time on one line, the day written once when it does not change."""
    z = zone(tz)
    local_start, local_end = start.astimezone(z), end.astimezone(z)
    start_time = format_time(start, "short", tz)
    end_time = format_time(end, "short", tz)
    if local_start.date() == local_end.date():
        return f"{format_day(local_start.date())}, {start_time}–{end_time}"
    return (
        f"{format_day(local_start.date())} {start_time} → {format_day(local_end.date())} {end_time}"
    )


def format_moment(moment: datetime, tz: str | None = None) -> str:
    """'lun. 8 déc. 08:00': a day and a time, for "until …"."""
    return f"{format_day(moment, tz)} {format_time(moment, 'short', tz)}"


def hours_text(hours: float) -> str:
    """6.2 -> '6 h 12'; whole hours without minutes ('11 h')."""
    minutes = round(hours * 60)
    whole, rest = divmod(minutes, 60)
    return f"{whole} h {rest:02d}" if rest else f"{whole} h"


def format_local_input(moment: datetime, tz: str | None = None) -> str:
    """The value of a datetime-local field: the wall clock, to the minute."""
    return moment.astimezone(zone(tz)).strftime("%Y-%m-%dT%H:%M")
