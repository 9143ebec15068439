"""The case panel: everything about the case on screen that a decision needs, on one panel.

Top to bottom: what the case is and who reported it, the full report text (scrollable), one blurred
thumbnail per item and the classifier scores, the account card, the account's timeline (every case and
decision about it, newest first, with policy codes and notes), the related cases (one key away) and
the case's own notes. Every imported value is shown as plain text through ``visible``; one-line fields
elide with "…" and carry the full text in a tooltip, so no width here depends on the content.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from reviewer.casecontext import RelatedCase, TimelineEntry
from reviewer.casefile import CaseView
from reviewer.categories import category_label
from reviewer.display import visible, visible_all
from ui.casepanel.thumbs import ThumbStrip
from ui.review.preview_cache import PreparedPreview
from ui.shell.elided import ElidedLabel
from ui.shell.plain import tooltip

BLIND_TEXT = "Hidden in the blind QA lane: decide without the first decision."
RELATED_HINT = "Related cases  (Alt+↓ / Alt+↑ choose · O go to it)"


def _list() -> QListWidget:
    view = QListWidget()
    view.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay on the queue; actions drive the choice
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setUniformItemSizes(True)
    return view


def _text_box(height_lines: int) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setReadOnly(True)
    box.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    box.setMinimumHeight(box.fontMetrics().lineSpacing() * height_lines + 8)
    return box


def _row(view: QListWidget, text: str, data: object = None) -> None:
    item = QListWidgetItem(text)
    item.setToolTip(tooltip(text))
    item.setData(Qt.ItemDataRole.UserRole, data)
    view.addItem(item)


def timeline_text(entry: TimelineEntry, current: CaseView | None = None) -> str:
    """One timeline row as shown (hidden characters of imported values made visible)."""
    when = f"{entry.at:%Y-%m-%d %H:%M}"
    where = f"{visible(entry.external_id)} · {visible(entry.channel)}"
    if current is not None and entry.case_id == current.id:
        where += " (this case)"
    if entry.action is None:
        return f"{when} · reported {category_label(entry.category)} · {where}"
    policy = f" {visible(entry.policy_code)}" if entry.policy_code else ""
    note = f" — {visible(entry.note)}" if entry.note.strip() else ""
    return f"{when} · {visible(entry.action)}{policy} · {where} · by {visible(entry.reviewer)}{note}"


def related_text(case: RelatedCase) -> str:
    return (
        f"{visible(case.external_id)} · {', '.join(case.reasons)} · {visible(case.status)} · "
        f"{category_label(case.category)} · {visible(case.channel)}"
    )


class CasePanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("casePanel")
        self.title = ElidedLabel()
        self.reporter = ElidedLabel()
        self.report = _text_box(3)
        self.thumbs = ThumbStrip()
        self.scores = ElidedLabel()
        self.account = ElidedLabel()
        self.flags = ElidedLabel()
        self.timeline_heading = ElidedLabel("Account timeline (newest first)")
        self.timeline = _list()
        self.related_heading = ElidedLabel(RELATED_HINT)
        self.related = _list()
        self.notes_heading = ElidedLabel("Notes on this case")
        self.notes = _text_box(2)
        self.case: CaseView | None = None
        self.blind = False  # a blind lane (QA): nothing of the case's decisions is shown
        for widget, name, description in (
            (self.report, "Report text", "The full report of this case (Alt+PgUp / Alt+PgDown scroll)"),
            (self.timeline, "Account timeline", "Every case and decision about this account, newest first"),
            (
                self.related,
                "Related cases",
                "Same media, account or reporter: Alt+Up / Alt+Down choose, O goes",
            ),
            (self.notes, "Notes on this case", "Notes and rationales of the decisions on this case"),
            (self.thumbs, "Item thumbnails", "Blurred thumbnails of the case's items"),
        ):
            widget.setAccessibleName(name)
            widget.setAccessibleDescription(description)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(3)
        stretch: dict[QWidget, int] = {self.report: 3, self.timeline: 4, self.related: 3, self.notes: 1}
        for w in (
            self.title, self.reporter, self.report, self.thumbs, self.scores, self.account, self.flags,
            self.timeline_heading, self.timeline, self.related_heading, self.related,
            self.notes_heading, self.notes,
        ):  # fmt: skip
            layout.addWidget(w, stretch.get(w, 0))
        self.show_case(None)

    # -- the case itself (from the CaseView the selection loaded) ---------------------------------
    def show_case(self, case: CaseView | None) -> None:
        self.case = case
        self.timeline.clear()
        self.related.clear()
        if case is None:
            self.title.set_full_text("No case on screen")
            for label in (self.reporter, self.scores, self.account, self.flags):
                label.set_full_text("")
            self.report.setPlainText("")
            self.notes.setPlainText("")
            self.thumbs.show_items(())
            return
        self.title.set_full_text(
            f"{category_label(case.category)} · P{case.priority} · tier {case.tier} · "
            f"{visible(case.channel)} · {visible(case.external_id)}"
            + ("" if self.blind else f" · {visible(case.status)}")
        )
        self.reporter.set_full_text(
            f"Reported by {visible(case.reporter) or 'unknown'} via {visible(case.channel)}"
        )
        self.report.setPlainText(visible(case.report_text, multiline=True) or "(no report text)")
        self.thumbs.show_items(case.items)
        scores = sorted(
            ((visible(k), v) for k, v in case.scores.items() if isinstance(v, int | float)),
            key=lambda kv: -float(kv[1]),
        )
        self.scores.set_full_text(
            "Classifier: " + (" · ".join(f"{k} {float(v):.2f}" for k, v in scores) or "no scores")
        )
        if case.account_handle:
            self.account.set_full_text(
                f"Account {visible(case.account_handle)} on {visible(case.account_platform)} · "
                f"risk {case.account_risk:.2f} · {case.account_case_count} case(s)"
            )
            self.flags.set_full_text(f"Risk flags: {visible_all(case.account_flags) or 'none'}")
        else:
            self.account.set_full_text("No account")
            self.flags.set_full_text("")
        notes = [
            f"{h.at:%Y-%m-%d %H:%M} {visible(h.reviewer)} ({visible(h.action)}): {visible(h.note, multiline=True)}"
            for h in case.history
            if h.note.strip()
        ]
        self.notes.setPlainText(BLIND_TEXT if self.blind else "\n".join(notes) or "No notes yet.")
        _row(self.timeline, "Loading the account timeline…")
        _row(self.related, "Looking for related cases…")

    def set_prepared(self, sha: str, prepared: PreparedPreview) -> None:
        self.thumbs.set_prepared(sha, prepared)

    # -- what surrounds it (read on the worker) ---------------------------------------------------
    def set_context(self, timeline: list[TimelineEntry], related: list[RelatedCase]) -> None:
        self.timeline.clear()
        if self.blind:
            timeline = []
            _row(self.timeline, BLIND_TEXT)
        for entry in timeline:
            _row(self.timeline, timeline_text(entry, self.case), entry.case_id)
        if not timeline and not self.blind:
            _row(self.timeline, "No account, no timeline.")
        self.set_related(related)

    def set_related(self, related: list[RelatedCase]) -> None:
        """Show ``related`` (again, when similar media arrived), keeping the chosen case chosen."""
        chosen = self.chosen_related() if self.related.currentRow() >= 0 else None
        self.related.clear()
        for case in related:
            _row(self.related, related_text(case), case)
            if chosen is not None and case.case_id == chosen.case_id:
                self.related.setCurrentRow(self.related.count() - 1)
        if not related:
            _row(self.related, "No related cases.")

    def related_cases(self) -> list[RelatedCase]:
        out = []
        for row in range(self.related.count()):
            data = self.related.item(row).data(Qt.ItemDataRole.UserRole)
            if isinstance(data, RelatedCase):
                out.append(data)
        return out

    def step_related(self, delta: int) -> RelatedCase | None:
        """Move the related-case choice by ``delta`` (wrapping); returns the chosen case."""
        cases = self.related_cases()
        if not cases:
            return None
        row = self.related.currentRow()
        row = 0 if row < 0 and delta > 0 else (row + delta) % len(cases)
        self.related.setCurrentRow(row)
        self.related.scrollToItem(self.related.item(row))
        return cases[row]

    def chosen_related(self) -> RelatedCase | None:
        cases, row = self.related_cases(), self.related.currentRow()
        if not cases:
            return None
        return cases[row] if 0 <= row < len(cases) else cases[0]

    def scroll_report(self, pages: int) -> None:
        bar = self.report.verticalScrollBar()
        bar.setValue(bar.value() + pages * bar.pageStep())
