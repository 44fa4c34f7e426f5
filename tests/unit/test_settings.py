"""Every setting comes from its ASTREINTE_* variable, converted, documented, and in the README."""

from __future__ import annotations

import re
import typing
from pathlib import Path

import pytest

from server.settings import (
    DEMO_SECRET,
    Settings,
    SettingsError,
    check_production,
    env_name,
    load_settings,
    setting_docs,
)

README = Path(__file__).resolve().parents[2] / "README.md"
FIELDS = Settings.__struct_fields__
HINTS = typing.get_type_hints(Settings)


def sample(field: str) -> tuple[str, object]:
    """A value an operator could write for this field, and what the server should read."""
    kind = HINTS[field]
    if kind is bool:
        default = getattr(Settings(), field)
        return ("0", False) if default else ("1", True)
    if kind is int:
        return "4242", 4242
    if kind is float:
        return "2.5", 2.5
    assert kind is str, f"no sample for {field}: {kind}"
    if field in URL_SAMPLES:  # read as addresses, so checked when read
        return URL_SAMPLES[field], URL_SAMPLES[field]
    return f"value-of-{field}", f"value-of-{field}"


URL_SAMPLES = {"webhook_url": "https://sms.example.fr/hook", "push_allow": "https://ntfy.lan:443"}


@pytest.mark.parametrize("field", FIELDS)
def test_each_setting_is_read_from_its_variable(field: str) -> None:
    raw, expected = sample(field)
    settings = load_settings({env_name(field): raw})
    assert getattr(settings, field) == expected
    assert getattr(settings, field) != getattr(Settings(), field)


def documented_variables() -> list[str]:
    """The variables of the README's configuration table, as an operator copies them."""
    return re.findall(r"^\| `(ASTREINTE_[A-Z0-9_]+)` \|", README.read_text("utf-8"), re.M)


def test_each_variable_the_readme_documents_changes_its_setting() -> None:
    """What an operator writes from the README is what the server reads: each documented
    variable, set alone, changes exactly one setting, and every setting has its variable."""
    changed_by: dict[str, str] = {}
    for variable in documented_variables():
        for field in FIELDS:
            raw, expected = sample(field)
            try:
                settings = load_settings({variable: raw})
            except SettingsError:
                continue
            if getattr(settings, field) == expected != getattr(Settings(), field):
                assert variable not in changed_by, f"{variable} changes two settings"
                changed_by[variable] = field
        assert variable in changed_by, f"the server ignores {variable}, which the README documents"
    assert sorted(changed_by.values()) == sorted(FIELDS)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("true", True), ("True", True), ("0", False), ("false", False)],
)
def test_booleans_accept_the_usual_spellings(raw: str, expected: bool) -> None:
    assert load_settings({"ASTREINTE_PRODUCTION": raw}).production is expected


def test_unset_variables_keep_the_defaults() -> None:
    assert load_settings({}) == Settings()
    assert load_settings({"UNRELATED": "x", "ASTREINTE": "y"}) == Settings()


def test_explicit_overrides_win_over_the_environment() -> None:
    settings = load_settings({"ASTREINTE_PORT": "9000"}, port=9100)
    assert settings.port == 9100


@pytest.mark.parametrize(
    ("variable", "raw"),
    [
        ("ASTREINTE_PORT", "eighty"),
        ("ASTREINTE_SESSION_DAYS", "30 days"),
        ("ASTREINTE_MAX_BODY_BYTES", "1e6x"),
        ("ASTREINTE_PRODUCTION", "maybe"),
    ],
)
def test_a_bad_value_names_the_variable(variable: str, raw: str) -> None:
    with pytest.raises(SettingsError) as error:
        load_settings({variable: raw})
    assert variable in str(error.value)


def test_setting_docs_cover_every_field_with_help() -> None:
    docs = setting_docs()
    assert [name for name, _default, _help in docs] == [env_name(f) for f in FIELDS]
    for name, default, help_text in docs:
        assert help_text and help_text.strip(), name
        assert isinstance(default, str), name


def test_production_refuses_the_demo_secret() -> None:
    with pytest.raises(SettingsError, match="ASTREINTE_SECRET_KEY"):
        check_production(load_settings({"ASTREINTE_PRODUCTION": "1"}))
    check_production(load_settings({"ASTREINTE_PRODUCTION": "1", "ASTREINTE_SECRET_KEY": "x" * 48}))
    check_production(load_settings({"ASTREINTE_SECRET_KEY": DEMO_SECRET}))


def test_https_follows_the_public_address() -> None:
    assert load_settings({"ASTREINTE_BASE_URL": "https://astreinte.example/"}).https
    assert not load_settings({}).https
    assert load_settings({"ASTREINTE_PORT": "9000"}).public_url == "http://127.0.0.1:9000"


def test_readme_lists_every_variable() -> None:
    text = README.read_text(encoding="utf-8")
    missing = [name for name, _default, _help in setting_docs() if name not in text]
    assert not missing, f"README.md does not mention {missing}"
