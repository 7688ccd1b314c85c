"""What a browser posts when a form is submitted unchanged, read from the page's HTML (HTML's form rules)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

from werkzeug.datastructures import MultiDict

NOT_POSTED_INPUTS = ("submit", "button", "reset", "image", "file")
CHECKABLE_INPUTS = ("checkbox", "radio")


@dataclass
class Select:
    """A `<select>` being read: its name, whether it takes several values, its options."""

    name: str
    multiple: bool
    options: list[tuple[str, bool]] = field(default_factory=list)

    def posted(self) -> list[str]:
        """The values posted: the selected options; with none, a single select posts its first option."""
        chosen = [value for value, selected in self.options if selected]
        if not chosen and not self.multiple and self.options:
            chosen = [self.options[0][0]]
        return chosen if self.multiple else chosen[-1:]


class FormReader(HTMLParser):
    """Collect the (name, value) pairs the first form whose class holds `form_class` submits."""

    def __init__(self, form_class: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_class = form_class
        self.in_form = False
        self.found = False
        self.pairs: list[tuple[str, str]] = []
        self.select: Select | None = None
        self.option: dict[str, str | None] | None = None
        self.option_text = ""
        self.textarea: str | None = None
        self.textarea_text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "form" and not self.found and self.form_class in (attributes.get("class") or "").split():
            self.in_form = self.found = True
        if not self.in_form or "disabled" in attributes:
            return
        name = attributes.get("name")
        if tag == "input" and name:
            kind = (attributes.get("type") or "text").lower()
            if kind in NOT_POSTED_INPUTS or (kind in CHECKABLE_INPUTS and "checked" not in attributes):
                return
            default = "on" if kind in CHECKABLE_INPUTS else ""
            value = attributes.get("value")
            self.pairs.append((name, default if value is None else value))
        elif tag == "select" and name:
            self.select = Select(name, "multiple" in attributes)
        elif tag == "option" and self.select is not None:
            self.option, self.option_text = attributes, ""
        elif tag == "textarea" and name:
            self.textarea, self.textarea_text = name, ""

    def handle_data(self, data: str) -> None:
        if self.option is not None:
            self.option_text += data
        if self.textarea is not None:
            self.textarea_text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "option" or (tag == "select" and self.option is not None):
            self._end_option()
        if tag == "select" and self.select is not None:
            self.pairs += [(self.select.name, value) for value in self.select.posted()]
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            # HTML drops one newline right after <textarea>; the parser keeps it.
            text = self.textarea_text[1:] if self.textarea_text.startswith("\n") else self.textarea_text
            self.pairs.append((self.textarea, text))
            self.textarea = None
        elif tag == "form" and self.in_form:
            self.in_form = False

    def _end_option(self) -> None:
        if self.option is None or self.select is None:
            return
        value = self.option.get("value")
        text = " ".join(self.option_text.split())
        self.select.options.append((text if value is None else value, "selected" in self.option))
        self.option = None


def posted_unchanged(page: str, form_class: str = "admin-form") -> MultiDict:
    """The fields a browser posts when the form is submitted as the page shows it, in page order."""
    reader = FormReader(form_class)
    reader.feed(page)
    reader.close()
    assert reader.found, f"the page has no form with class {form_class!r}"
    return MultiDict(reader.pairs)
