"""The month's service review as a PDF, for the meeting's minutes: the figures against the
previous month, the team's load, rest health, recurring problems and the actions, in the
reader's language. Written by fpdf2 with the statements' page and font (pdf_layout)."""

from __future__ import annotations

from datetime import datetime

from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from server.i18n import current_locale, format_date, format_time
from server.i18n import gettext as _
from server.reviews import texts
from server.reviews.lines import Section, Table
from server.reviews.views import Review
from server.statements.pdf_layout import ACCENT, FONT, GREY, INK, LINE, WIDTH, Document, font_files
from server.teams.models import Team

LABEL_WIDTH = WIDTH - 2 * 38


def render_pdf(review: Review, *, locale: str, company: str = "", now: datetime) -> bytes:
    token = current_locale.set(locale)
    try:
        return _render(review, company, now)
    finally:
        current_locale.reset(token)


def _variable_text(review: Review, company: str) -> str:
    """Every text typed by people (names, titles, actions): which font the PDF needs."""
    parts = [company, review.team.name]
    parts += [line.action.what + (line.action.assignee_name or "") for line in review.actions]
    for section in review.sections:
        if section.table is not None:
            parts += [cell for row in section.table.rows for cell in row]
    return "".join(parts)


def _render(review: Review, company: str, now: datetime) -> bytes:
    team, zone = review.team, review.team.timezone
    month = texts.month_title(review.month)
    title = _("Monthly service review")
    pdf = Document(f"{team.name} · {title} · {month}", font_files(_variable_text(review, company)))
    pdf.set_title(f"{title} · {team.name} · {month}")
    pdf.set_author(company or team.name)
    pdf.set_creator("Astreinte")
    pdf.set_lang(current_locale.get())
    pdf.set_creation_date(now)
    pdf.add_page()

    pdf.set_font(FONT, "B", 18)
    pdf.cell(WIDTH, 9, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 13)
    pdf.cell(WIDTH, 7, f"{team.name} · {month}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)
    if company:
        pdf.pair(_("Employer"), company)
    pdf.pair(_("Compared with"), texts.month_title(review.previous_month))
    pdf.pair(
        _("Printed on"),
        f"{format_date(now, 'long', tz=zone)} {format_time(now, 'short', tz=zone)}",
    )
    if review.so_far:
        pdf.set_text_color(*ACCENT)
        pdf.set_font(FONT, "B", 10)
        pdf.multi_cell(
            WIDTH,
            LINE,
            _("The month is under way: its figures are so far, up to the printing."),
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        pdf.set_text_color(*INK)

    for section in review.sections:
        _section(pdf, section, month, texts.month_title(review.previous_month))
    _actions(pdf, review)
    return bytes(pdf.output())


def _section(pdf: Document, section: Section, month: str, previous: str) -> None:
    if pdf.will_page_break(40):
        pdf.add_page()  # a heading never ends a page alone
    pdf.heading(section.title)
    if section.rows:
        widths = [LABEL_WIDTH, 38, 38]
        pdf.row(widths, ["", month, previous], bold=True)
        for row in section.rows:
            pdf.row(widths, [row.label, row.current, row.previous])
    table = section.table
    if table is None:
        return
    if section.rows:
        pdf.ln(2)
    if not table.rows:
        pdf.set_text_color(*GREY)
        pdf.cell(WIDTH, LINE, table.empty, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(*INK)
        return
    _table(pdf, table)


def _table(pdf: Document, table: Table) -> None:
    """Words (a name, a rule, a source, a title) left, figures right; a long header wraps
    onto a second line rather than being cut."""
    columns = len(table.header)
    words = 2 if columns == 5 else 1  # problems: source and title
    aligns = ["LEFT"] * words + ["RIGHT"] * (columns - words)
    pdf.set_font(FONT, "", 8.5)
    with pdf.table(
        col_widths=_widths(columns),
        text_align=aligns,
        line_height=4.5,
        borders_layout="HORIZONTAL_LINES",
        headings_style=FontFace(emphasis="BOLD"),
        padding=1,
    ) as rows:
        for cells in [table.header, *table.rows]:
            row = rows.row()
            for cell in cells:
                row.cell(cell)
    pdf.set_font(FONT, "", 10)


def _widths(columns: int) -> tuple[float, ...]:
    """Relative widths: words take what the figures leave them."""
    if columns <= 2:
        return (4.0, 1.0)
    if columns == 5:  # problems: source, title, then three figures
        return (3.0, 5.0, 2.0, 2.0, 2.0)
    return (2.5,) + (2.1,) * (columns - 1)


def _actions(pdf: Document, review: Review) -> None:
    pdf.heading(_("Actions"))
    if not review.actions:
        pdf.set_text_color(*GREY)
        pdf.cell(WIDTH, LINE, _("No action this month."), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(*INK)
        return
    for line in review.actions:
        pdf.set_font(FONT, "B", 10)
        mark = "[x] " if line.done_here else "[  ] "
        pdf.multi_cell(WIDTH, 5.5, mark + line.action.what, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        details = [
            texts.who(line),
            _("by %(date)s", date=texts.due(line)),
            texts.status(line, review.team.timezone),
        ]
        if line.carried_from:
            details.append(texts.carried(line))
        pdf.set_font(FONT, "", 9)
        pdf.set_text_color(*(ACCENT if line.overdue else GREY))
        pdf.multi_cell(WIDTH, 4.5, " · ".join(details), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_text_color(*INK)
        pdf.ln(1.5)


def pdf_file_name(team: Team, month: str) -> str:
    """`service-review-<team id>-2026-11.pdf`: ASCII, whatever the team's name."""
    return f"service-review-{team.id}-{month}.pdf"
