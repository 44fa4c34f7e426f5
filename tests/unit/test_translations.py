"""Every string a person reads goes through the catalogs, and both catalogs translate it."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from server.i18n import LOCALE_DIR, LOCALES, current_locale, gettext, ngettext
from server.web import TEMPLATE_DIR

ROOT = Path(__file__).resolve().parents[2]
# Words that are the same in every language: the product's name and the languages' own names.
UNTRANSLATED_OK = {"Astreinte", "Français", "English", "Authorization", "Bearer"}
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def extracted_messages() -> set[str | tuple[str, str]]:
    method_map = [("server/**.py", "python"), ("web/templates/**.html", "jinja2")]
    options = {"web/templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT),
        method_map,
        options,
        keywords={"_": None, "gettext": None, "N_": None, "ngettext": (1, 2)},
    ):
        found.add(message if isinstance(message, str) else tuple(message))
    return found


def catalog(locale: str):
    with (LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=locale)


@pytest.fixture(scope="module")
def messages() -> set:
    found = extracted_messages()
    assert len(found) > 100, "extraction found too few strings: is babel.cfg still right?"
    return found


@pytest.mark.parametrize("locale", LOCALES)
def test_every_string_has_a_translation(messages: set, locale: str) -> None:
    translations = catalog(locale)
    missing = []
    for message in sorted(messages, key=str):
        msgid = message if isinstance(message, str) else message[0]
        entry = translations.get(msgid)
        strings = (
            []
            if entry is None
            else ([entry.string] if isinstance(entry.string, str) else list(entry.string))
        )
        if not strings or not all(strings):
            missing.append(msgid)
    assert not missing, f"{locale}: no translation for {missing}"


@pytest.mark.parametrize("locale", LOCALES)
def test_placeholders_survive_translation(locale: str) -> None:
    for entry in catalog(locale):
        if not entry.id:
            continue
        source = entry.id if isinstance(entry.id, str) else entry.id[0]
        strings = [entry.string] if isinstance(entry.string, str) else list(entry.string)
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) <= set(PLACEHOLDER.findall(source)) | {"num"}, (
                locale,
                source,
                string,
            )


class VisibleText(HTMLParser):
    """Collects text a person sees or hears: text nodes and accessible attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in ("aria-label", "alt", "title", "placeholder") and value:
                self.texts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.texts.append(data)


def strip_jinja(source: str) -> str:
    source = re.sub(r"\{#.*?#\}", " ", source, flags=re.S)
    source = re.sub(r"\{%.*?%\}", " ", source, flags=re.S)
    return re.sub(r"\{\{.*?\}\}", " ", source, flags=re.S)


@pytest.mark.parametrize("template", sorted(TEMPLATE_DIR.rglob("*.html")), ids=lambda p: p.name)
def test_templates_show_no_text_outside_gettext(template: Path) -> None:
    parser = VisibleText()
    parser.feed(strip_jinja(template.read_text(encoding="utf-8")))
    words = {
        word
        for text in parser.texts
        for word in re.findall(r"[A-Za-zÀ-ÿ]{2,}", text)
        if word not in UNTRANSLATED_OK
    }
    assert not words, f"{template.name} shows text that is not translated: {sorted(words)}"


@pytest.mark.parametrize(("locale", "expected"), [("fr", "Aujourd’hui"), ("en", "Today")])
def test_gettext_follows_the_request_locale(locale: str, expected: str) -> None:
    token = current_locale.set(locale)
    try:
        assert gettext("Today") == expected
        assert ngettext("%(num)s person", "%(num)s people", 2) == (
            "2 personnes" if locale == "fr" else "2 people"
        )
    finally:
        current_locale.reset(token)
