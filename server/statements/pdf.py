"""The statement handed out (R3121-2) as a PDF, one A4 page for a usual month: company and team,
person, month and version, hours by kind of day, the interventions, the compensation, the
difference a rectifying version makes, the SHA-256 of the stored content and the legal
mention; in the person's language with Babel's formats.

fpdf2 writes it (pure Python, fast: README, "Dependencies and why") with Source Sans Pro, a
TrueType font from PyPI (font-source-sans-pro) that it embeds, so accents, œ, € and Babel's
narrow spaces print on any machine: nothing is read from the system's fonts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from babel.numbers import format_currency
from fpdf.enums import XPos, YPos

from server.i18n import current_locale, format_date, format_locale, format_time
from server.i18n import gettext as _
from server.statements.models import DAY_KINDS, StoredStatement
from server.statements.pdf_layout import ACCENT, FONT, GREY, INK, LINE, WIDTH, Document, font_files


def duration(minutes: int) -> str:
    """2280 -> "38 h 00" (French), "38h 00m" (English)."""
    hours, rest = divmod(abs(minutes), 60)
    padded = f"{rest:02d}"
    text = _("%(hours)s h %(minutes)s", hours=hours, minutes=padded)
    return ("−" if minutes < 0 else "") + text


def money(cents: int) -> str:
    """8700 -> "87,00 €" (French), "€87.00" (English)."""
    return format_currency(Decimal(cents) / 100, "EUR", locale=format_locale())


def _signed(text: str, value: int) -> str:
    return ("+" if value > 0 else "") + text


def kind_label(kind: str) -> str:
    return {
        "weekday": _("Weekdays"),
        "saturday": _("Saturdays"),
        "sunday": _("Sundays"),
        "holiday": _("Public holidays"),
    }[kind]


def figure_label(path: str) -> str:
    """What a rectification's changed figure ("oncall_minutes.night") is called."""
    group, _dot, part = path.partition(".")
    names = {
        "oncall_minutes": _("On-call time"),
        "intervention_minutes": _("Intervention time"),
        "intervention_count": _("Number of interventions"),
        "oncall_pay_cents": _("On-call compensation"),
        "intervention_pay_cents": _("Interventions paid"),
        "oncall_rest_minutes": _("Compensatory rest"),
    }
    name = names.get(group, group)
    if not part:
        return name
    detail = {"night": _("at night"), "total": _("total")}.get(part) or kind_label(part)
    return f"{name} ({detail.lower()})"


def figure_value(path: str, value: int) -> str:
    if path.endswith("_cents"):
        return _signed(money(value), value)
    if "minutes" in path:
        return _signed(duration(value), value)
    return _signed(str(value), value)


def render_pdf(
    statement: StoredStatement,
    previous: StoredStatement | None,
    *,
    locale: str,
    company: str = "",
) -> bytes:
    """The PDF of a closed version (`previous`: the version it replaces, for its date), in
    `locale`. The same version renders the same bytes (dated by its hand-out, not by now)."""
    token = current_locale.set(locale)
    try:
        return _render(statement, previous, company)
    finally:
        current_locale.reset(token)


def month_title(month: str) -> str:
    year, number = (int(part) for part in month.split("-"))
    text = format_date(date(year, number, 1), "LLLL y")
    return text[:1].upper() + text[1:]


def _render(statement: StoredStatement, previous: StoredStatement | None, company: str) -> bytes:
    content = statement.content
    figures = content.statement
    zone = content.policy.timezone
    month = month_title(content.month)
    pdf = Document(
        f"{content.person_name} · {month} · "
        + _("version %(version)s", version=statement.version)
        + f" · SHA-256 {statement.sha256[:12]}…",
        font_files(statement.content_json + company),
    )
    title = _("Monthly on-call statement")
    pdf.set_title(f"{title} · {content.person_name} · {month}")
    pdf.set_author(company or content.team_name)
    pdf.set_creator("Astreinte")
    pdf.set_lang(current_locale.get())
    pdf.set_creation_date(statement.created_at)
    pdf.add_page()

    pdf.set_font(FONT, "B", 18)
    pdf.cell(WIDTH, 9, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 13)
    pdf.cell(WIDTH, 7, f"{month} · {content.person_name}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    if statement.version > 1:
        pdf.set_text_color(*ACCENT)
        pdf.set_font(FONT, "B", 11)
        replaced = (
            format_date(previous.created_at, "long", tz=zone)
            if previous is not None
            else _("version %(version)s", version=statement.version - 1)
        )
        pdf.multi_cell(
            WIDTH,
            LINE,
            _(
                "Rectifying statement no. %(version)s, replacing the version of %(date)s.",
                version=statement.version,
                date=replaced,
            ),
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        pdf.set_text_color(*INK)
        pdf.ln(1)

    if company:
        pdf.pair(_("Employer"), company)
    pdf.pair(_("Team"), content.team_name)
    pdf.pair(_("Employee"), content.person_name, bold=True)
    start, end = _month_days(content.month)
    pdf.pair(
        _("Period"),
        _(
            "from %(start)s to %(end)s",
            start=format_date(start, "long"),
            end=format_date(end, "long"),
        ),
    )
    pdf.pair(
        _("Version"),
        _(
            "%(version)s, handed out on %(date)s at %(time)s",
            version=statement.version,
            date=format_date(statement.created_at, "long", tz=zone),
            time=format_time(statement.created_at, "short", tz=zone),
        ),
    )

    pdf.heading(_("Hours by kind of day"))
    widths = [WIDTH - 2 * 40, 40, 40]
    pdf.row(widths, ["", _("On call"), _("Intervention")], bold=True)
    oncall, intervention = figures.oncall_minutes, figures.intervention_minutes
    for kind in DAY_KINDS:
        pdf.row(
            widths,
            [
                kind_label(kind),
                duration(getattr(oncall, kind)),
                duration(getattr(intervention, kind)),
            ],
        )
    night = _(
        "of which at night (%(start)s–%(end)s)",
        start=content.policy.night_start,
        end=content.policy.night_end,
    )
    pdf.row(widths, [night, duration(oncall.night), duration(intervention.night)])
    pdf.row(widths, [_("Total"), duration(oncall.total), duration(intervention.total)], bold=True)
    pdf.ln(1)
    pdf.set_font(FONT, "", 9)
    pdf.set_text_color(*GREY)
    pdf.multi_cell(
        WIDTH,
        4.5,
        _(
            "Intervention time includes travel and is effective working time. "
            "Number of interventions: %(count)s.",
            count=figures.intervention_count,
        ),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.set_text_color(*INK)

    pdf.heading(_("Interventions"))
    if content.interventions:
        widths = [30, 18, 18, 20, 22, WIDTH - 108]
        pdf.row(
            widths,
            [_("Date"), _("Start"), _("End"), _("Travel"), _("Duration"), "   " + _("Place")],
            bold=True,
            aligns="LRRRRL",
        )
        for line in content.interventions:
            pdf.row(
                widths,
                [
                    format_date(line.start, "medium", tz=zone),
                    format_time(line.start, "short", tz=zone),
                    format_time(line.end, "short", tz=zone),
                    duration(line.travel_minutes),
                    duration(round((line.end - line.start).total_seconds() / 60)),
                    "   " + (line.place or "—"),
                ],
                aligns="LRRRRL",
            )
    else:
        pdf.cell(WIDTH, LINE, _("No intervention this month."), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    pdf.heading(_("Compensation and pay"))
    widths = [WIDTH - 45, 45]
    pdf.row(widths, [_("On-call compensation"), money(figures.oncall_pay_cents)])
    pdf.row(widths, [_("Compensatory rest"), duration(figures.oncall_rest_minutes)])
    pdf.row(widths, [_("Interventions paid"), money(figures.intervention_pay_cents)])
    pdf.row(
        widths,
        [_("Total paid"), money(figures.oncall_pay_cents + figures.intervention_pay_cents)],
        bold=True,
    )
    if not content.compensation_set:
        pdf.ln(1)
        pdf.set_text_color(*ACCENT)
        pdf.set_font(FONT, "", 9)
        pdf.multi_cell(
            WIDTH,
            4.5,
            _(
                "The team had no on-call compensation set: the law requires one "
                "(money or rest, L3121-9 Code du travail)."
            ),
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        pdf.set_text_color(*INK)

    if content.difference is not None:
        change = content.difference
        pdf.heading(
            _(
                "What changed from version %(version)s",
                version=change.previous_version,
            )
        )
        widths = [WIDTH - 45, 45]
        for path, value in change.figures.items():
            pdf.row(widths, [figure_label(path), figure_value(path, value)])
        for label, uuids in (
            (_("Interventions added"), change.interventions_added),
            (_("Interventions removed"), change.interventions_removed),
        ):
            if uuids:
                pdf.row(widths, [label, str(len(uuids))])
        pdf.set_font(FONT, "", 8)
        pdf.set_text_color(*GREY)
        pdf.cell(
            WIDTH,
            5,
            _("SHA-256 of the replaced version: %(sha)s", sha=change.previous_sha256),
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        pdf.set_text_color(*INK)

    pdf.ln(5)
    pdf.set_font(FONT, "", 9)
    pdf.multi_cell(
        WIDTH,
        4.5,
        _(
            "Issued under article R3121-2 of the Code du travail: the on-call hours done in the "
            "month and the compensation for them. The employer also holds it at the labour "
            "inspectorate's disposal."
        ),
        align="L",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(1)
    pdf.set_font(FONT, "B", 9)
    pdf.cell(WIDTH, 4.5, _("Document to be kept."), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 8)
    pdf.set_text_color(*GREY)
    pdf.cell(
        WIDTH,
        4.5,
        _("SHA-256 of this version's content: %(sha)s", sha=statement.sha256),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    return bytes(pdf.output())


def _month_days(month: str) -> tuple[date, date]:
    year, number = (int(part) for part in month.split("-"))
    following = date(year + number // 12, number % 12 + 1, 1)
    return date(year, number, 1), date.fromordinal(following.toordinal() - 1)


def pdf_file_name(statement: StoredStatement) -> str:
    """`statement-2026-12-v1-<person id>.pdf`: ASCII, whatever the person's name."""
    return f"statement-{statement.month}-v{statement.version}-{statement.user_id}.pdf"
