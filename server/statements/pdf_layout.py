"""The statement PDF's page and font: A4 with a footer on every page, the building blocks
(headings, label and value pairs, table rows cut to their columns), and Source Sans Pro,
embedded cut down to the Latin letters a French or English statement prints (twice as fast)
or whole for any other script."""

from __future__ import annotations

import logging
import tempfile
from functools import cache
from pathlib import Path

import font_source_sans_pro
from fontTools import subset
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from server.i18n import gettext as _

# fontTools tells at INFO level every glyph it keeps, for every PDF: not the server's log.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONT = "SourceSansPro"
# Millimetres: A4 is 210 wide; 18 each side leaves 174 for the content.
MARGIN = 18
WIDTH = 210 - 2 * MARGIN
LINE = 6
GREY = (90, 90, 90)
RULE = (190, 190, 190)
INK = (20, 20, 20)
ACCENT = (150, 30, 30)


# What the statement prints in French or English: Latin letters (œ, ł, ș …), punctuation,
# currency (€), arrows and the narrow spaces of Babel's formats. Embedding a font cut down to
# these (about 480 glyphs, no layout tables) makes a PDF twice as fast as the whole font; a
# document with any other character (a name in Cyrillic) is written with the whole font.
LATIN = frozenset(
    (
        *range(0x20, 0x7F),
        *range(0xA0, 0x250),
        *range(0x2C6, 0x2DE),
        *range(0x2000, 0x2070),
        *range(0x20A0, 0x20D0),
        *range(0x2100, 0x2150),
        *range(0x2190, 0x2200),
        0x2212,
    )
)


def _whole_font() -> tuple[Path, Path]:
    files = font_source_sans_pro.font_files_ttf
    return Path(files["SourceSansPro"]), Path(files["SourceSansProBold"])


@cache
def _latin_font() -> tuple[Path, Path]:
    """The font cut down to LATIN, made once per process (about a second) in a folder of its
    own (fpdf2 reads fonts from files)."""
    folder = Path(tempfile.mkdtemp(prefix="astreinte-fonts-"))
    options = subset.Options()
    options.layout_features = []
    options.hinting = False
    options.notdef_outline = True
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "JSTF", "DSIG", "kern"]
    made = []
    for source in _whole_font():
        font = TTFont(source)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=LATIN)
        subsetter.subset(font)
        target = folder / source.name
        font.save(target)
        made.append(target)
    return made[0], made[1]


def font_files(text: str) -> tuple[Path, Path]:
    """(regular, bold) TrueType files that print every character of `text`."""
    if all(ord(character) in LATIN for character in set(text) - {"\n", "\r", "\t"}):
        return _latin_font()
    return _whole_font()


class Document(FPDF):
    """A4 portrait with the font embedded and a footer naming the document on every page."""

    def __init__(self, footer: str, fonts: tuple[Path, Path]) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.footer_text = footer
        regular, bold = fonts
        self.add_font(FONT, "", str(regular))
        self.add_font(FONT, "B", str(bold))
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(auto=True, margin=MARGIN)
        self.set_text_color(*INK)
        self.set_draw_color(*RULE)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, "", 8)
        self.set_text_color(*GREY)
        page = _("page %(page)s of %(pages)s", page=self.page_no(), pages="{nb}")
        self.cell(WIDTH, 4, f"{self.footer_text} · {page}", align="C")
        self.set_text_color(*INK)

    # Small building blocks -------------------------------------------------------------------

    def heading(self, text: str) -> None:
        self.ln(3)
        self.set_font(FONT, "B", 12)
        self.cell(WIDTH, 7, text, border="B", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1.5)
        self.set_font(FONT, "", 10)

    def pair(self, label: str, value: str, *, bold: bool = False) -> None:
        self.set_font(FONT, "", 10)
        self.set_text_color(*GREY)
        self.cell(42, LINE, label)
        self.set_text_color(*INK)
        self.set_font(FONT, "B" if bold else "", 10)
        self.multi_cell(WIDTH - 42, LINE, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FONT, "", 10)

    def row(
        self, widths: list[float], cells: list[str], *, bold: bool = False, aligns: str = ""
    ) -> None:
        """A table row; by default words (the first cell) left, figures (the others) right."""
        aligns = aligns or "L" + "R" * (len(cells) - 1)
        self.set_font(FONT, "B" if bold else "", 9.5)
        for index, (width, text) in enumerate(zip(widths, cells, strict=True)):
            self.cell(
                width,
                LINE,
                self._fit(text, width),
                border="B",
                align=aligns[index],
            )
        self.ln(LINE)

    def _fit(self, text: str, width: float) -> str:
        """Text cut with an ellipsis to its column (a long place name stays on its line)."""
        if self.get_string_width(text) <= width - 2:
            return text
        while text and self.get_string_width(text + "…") > width - 2:
            text = text[:-1]
        return text + "…"
