"""The centre of the window: what the case is, then the item, blurred until the reviewer asks.

Order on screen is deliberate: category and warning come before any media (the report, account and
related cases are on the case panel beside it, ui/casepanel). A reveal
lasts only while the reviewer holds it (or until toggled off); changing item or case always re-blurs,
and every reveal's duration is reported for exposure accounting.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QPlainTextEdit, QVBoxLayout, QWidget

from reviewer.casefile import CaseView, ItemView
from reviewer.categories import category_label
from reviewer.display import visible
from reviewer.wellbeing.settings import WellbeingSettings
from reviewer.wellbeing.severity import (
    CONFIRM_WINDOW_S,
    ContentWarning,
    RevealRules,
    WarningLevel,
    classifier_score,
)
from ui.review.media_canvas import MediaCanvas
from ui.review.preview_cache import PreparedPreview
from ui.shell.elided import ElidedLabel
from ui.shell.exposure import on_screen
from ui.shell.plain import plain_label, set_rich


class PreviewPane(QWidget):
    reveal_finished = Signal(object, object, str, int)  # case id, item id, mode, duration ms
    item_changed = Signal(int)

    def __init__(self, monotonic: Callable[[], float] = time.monotonic, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.monotonic = monotonic  # the window's clock (tests inject one)
        # Every imported value reaches these labels through ui.shell.plain: plain text, or rich text whose
        # values are escaped there (a risk flag holding an <img> must never paint a picture).
        self.header = ElidedLabel()
        self.header.setObjectName("caseHeader")
        bold = self.header.font()
        bold.setBold(True)
        self.header.setFont(bold)
        self.warning = plain_label()
        self.warning.setObjectName("contentWarning")
        self.warning.setWordWrap(True)
        self.duplicate_banner = plain_label()
        self.duplicate_banner.setObjectName("duplicateBanner")
        self.duplicate_banner.setWordWrap(True)
        self.duplicate_banner.setStyleSheet(
            "QLabel#duplicateBanner { background: #fff3c4; color: #3a2f00; padding: 4px; border-radius: 3px; }"
        )
        self.duplicate_banner.hide()
        self.canvas = MediaCanvas()
        self.item_bar = plain_label()
        self.item_bar.setObjectName("itemBar")
        self.text_view = QPlainTextEdit()
        self.header.setAccessibleName("Case details")
        self.warning.setAccessibleName("Content warning")
        self.duplicate_banner.setAccessibleName("Duplicate media")
        self.item_bar.setAccessibleName("Item position")
        self.text_view.setAccessibleName("Item text")
        self.text_view.setAccessibleDescription("The reported text of the current item")
        self.canvas.setAccessibleName("Blurred preview")
        self.canvas.setAccessibleDescription(
            "V reveals, Space peeks while held, Z opens the original, [ and ] switch items"
        )
        self.text_view.setReadOnly(True)
        self.text_view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.text_view.setMaximumHeight(140)
        # Fixed heights: a longer report text must not re-lay out (and re-scale) the media below it.
        line = self.fontMetrics().lineSpacing()
        # Two lines kept free so a usual warning never moves the media; a longer one wraps onto more.
        self.warning.setMinimumHeight(line * 2 + 4)
        self.item_bar.setFixedHeight(line + 4)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        for w in (
            self.header,
            self.warning,
            self.duplicate_banner,
            self.canvas,
            self.item_bar,
            self.text_view,
        ):
            layout.addWidget(w)
        layout.setStretch(3, 1)
        self.case: CaseView | None = None
        self.severity = 1
        self._index = 0
        self._previews: dict[str, PreparedPreview] = {}
        self._reveal_started: float | None = None
        self._hidden = False
        self.revealed_this_case = False
        self.rules = RevealRules()  # which items warn and which reveals need a confirming press
        self._confirmed = False
        self._armed_at: float | None = None
        self._frame = 0
        self.show_case(None)

    def apply_settings(self, settings: WellbeingSettings) -> None:
        """Take the display and warning settings the reviewer (within the organisation floor) chose."""
        self.rules = RevealRules.from_settings(settings)
        self.canvas.set_spotlight_radius(int(settings.get("display.spotlight_radius")))
        if self.case is not None:
            self._set_warning()

    # -- case and items ------------------------------------------------------------------------
    def show_case(self, case: CaseView | None, severity: int = 1) -> None:
        self.end_reveal()
        self.case, self.severity, self._index, self._frame = case, severity, 0, 0
        self._previews.clear()
        self.revealed_this_case = False
        self._confirmed, self._armed_at = False, None
        if not self.duplicate_banner.isHidden():  # another case's banner never stays beside this one
            self.set_duplicate_banner(None)
        if case is None:
            self.header.set_full_text("Queue is empty — nothing to review with the current filter.")
            self.warning.hide()
            self.canvas.set_preview(None, "No case selected")
            self.item_bar.setText("")
            self.text_view.hide()
            return
        self._set_header(case)
        self._set_warning()
        self.warning.show()
        self._show_item()

    def content_warning(self) -> ContentWarning | None:
        """The shown case's warning, from the core rule (policy severity and classifier score)."""
        if self.case is None:
            return None
        return self.rules.assess(self.severity, classifier_score(self.case.scores, self.case.category))

    def _set_warning(self, extra: str = "") -> None:
        warning = self.content_warning()
        if self.case is None or warning is None:
            return
        label = category_label(self.case.category)
        score = "" if warning.score is None else f"{warning.score:.2f}"
        if warning.shown and warning.level is WarningLevel.LIKELY:
            text = "⚠ {label}: severe content likely (classifier {score}). Media stays blurred until you reveal it."
        elif warning.shown and warning.level is WarningLevel.CATEGORY:
            text = (
                "⚠ {label}: a category that can be severe (policy severity {severity}); no classifier score. "
                "Media stays blurred until you reveal it."
            )
        elif warning.score is None:
            text = "{label}: no classifier score; media is blurred; reveal only what the decision needs."
        else:
            text = "{label}: classifier {score}; media is blurred; reveal only what the decision needs."
        if self.needs_confirmation() and self.case.media_items():
            text += " Revealing needs a confirming second press."
        set_rich(self.warning, f"{text} {extra}".strip(), label=label, score=score, severity=warning.severity)

    def _set_header(self, case: CaseView) -> None:
        """One line: what the case is. Report, reporter, account, timeline and notes are on the case
        panel (ui/casepanel), so nothing here grows with the case's content."""
        score = f" · classifier {case.top_score:.2f}" if case.top_score is not None else ""
        self.header.set_full_text(
            f"{category_label(case.category)} · P{case.priority} · tier {case.tier} · "
            f"{visible(case.channel)} · {visible(case.external_id)}{score}"
        )

    def show_loading(self, external_id: str) -> None:
        """While the case at the selected row loads: its id, nothing else."""
        self.header.set_full_text(f"Loading {visible(external_id)}…")

    @property
    def current_item(self) -> ItemView | None:
        if self.case is None or not self.case.items:
            return None
        return self.case.items[self._index]

    def step_item(self, delta: int) -> None:
        if self.case is None or not self.case.items:
            return
        self.end_reveal()
        self._index = (self._index + delta) % len(self.case.items)
        self._frame = 0
        self._show_item()
        self.item_changed.emit(self._index)

    def step_frame(self, delta: int) -> None:
        """Move through a video's storyboard; the reveal (if any) ends: each frame is revealed on its own."""
        item = self.current_item
        prepared = self._previews.get(item.media_sha256 or "") if item else None
        if prepared is None or not prepared.storyboard:
            return
        self.end_reveal()
        self._frame = (self._frame + delta) % len(prepared.storyboard)
        self._show_item()

    def _show_item(self) -> None:
        item = self.current_item
        count = len(self.case.items) if self.case else 0
        if item is None:
            self.canvas.set_preview(None, "This case has no items")
            self.item_bar.setText("")
            self.text_view.hide()
            return
        nav = "   [ / ] switch item" if count > 1 else ""
        self.canvas.setAccessibleName(
            f"Blurred preview of item {self._index + 1} of {count}, {visible(item.kind)}"
        )
        self.item_bar.setText(f"Item {self._index + 1} of {count} · {visible(item.kind)}{nav}")
        if item.kind == "text" or item.text:
            self.text_view.setPlainText(
                f"Content warning: reported {visible(category_label(self.case.category, '')) if self.case else ''} text\n"
                f"———\n{visible(item.text, multiline=True)}"
            )
            self.text_view.show()
        else:
            self.text_view.hide()
        has_canvas = item.media_sha256 is not None or item.kind == "link"
        self.canvas.setVisible(has_canvas)
        self.text_view.setMaximumHeight(140 if has_canvas else 16777215)
        if item.kind == "link":
            self.canvas.set_preview(None, f"Link (not opened): {visible(item.url)}")
        elif item.media_sha256 is None:
            self.canvas.set_preview(None, "Text item — no media")
        else:
            prepared = self._previews.get(item.media_sha256)
            if prepared is None:
                waiting = "storyboard" if item.kind == "video" else "preview"
                self.canvas.set_preview(None, f"Preparing blurred {waiting}…")
                self.canvas.set_strip(())
            elif prepared.ok and prepared.storyboard:
                frame = min(self._frame, len(prepared.storyboard) - 1)
                self.canvas.set_preview(prepared.storyboard[frame])
                # Every still of a storyboard is an ok preview: the filter drops nothing.
                strip = tuple(p.blurred for p in prepared.storyboard if p.blurred is not None)
                self.canvas.set_strip(strip, frame)
                when = prepared.times[frame] if frame < len(prepared.times) else 0.0
                self.item_bar.setText(
                    f"{self.item_bar.text()}   ·   video, muted, never played: frame {frame + 1} of "
                    f"{len(prepared.storyboard)} at {when:.1f}s  ( , / . switch frame)"
                )
            elif prepared.ok:
                self.canvas.set_preview(prepared)
                self.canvas.set_strip(())
            else:
                self.canvas.set_preview(
                    None, visible(prepared.reason, multiline=True) or "Cannot display this item"
                )
                self.canvas.set_strip(())

    def set_prepared(self, sha: str, prepared: PreparedPreview) -> None:
        """A preview for this case arrived (or was already cached)."""
        if self.case is None or not any(i.media_sha256 == sha for i in self.case.items):
            return
        self._previews[sha] = prepared
        item = self.current_item
        if item is not None and item.media_sha256 == sha:
            self._show_item()

    def paint_now(self) -> bool:
        """Lay out and paint the pane at once (a case switch: header, warning and media on screen before
        the rest of the window repaints). False when it is not on screen (hidden, a break, a test, or a
        window shown but not exposed yet: it paints the case inside its first expose)."""
        if not on_screen(self) or not self.updatesEnabled():
            return False
        layout = self.layout()
        if layout is not None:
            layout.activate()  # this pane only; the window's layout follows in the next pass
        self.repaint()
        return True

    def set_duplicate_banner(self, template: str | None, **values: object) -> None:
        """Show the duplicates banner: ``template`` filled by ``ui.shell.plain.rich`` (None hides it)."""
        set_rich(self.duplicate_banner, template or "", **values)
        self.duplicate_banner.setVisible(bool(template) and not self._hidden)

    # -- reveal --------------------------------------------------------------------------------
    def can_reveal(self) -> bool:
        return not self._hidden and self.canvas.has_image()

    def needs_confirmation(self) -> bool:
        return self.rules.confirms(self.severity) and not self._confirmed

    def begin_reveal(self, mode: str) -> bool:
        """Start a reveal; for the most severe items the first press only arms it (press again to confirm)."""
        if not self.can_reveal():
            return False
        if self.canvas.reveal_mode == mode:
            return True
        if self.needs_confirmation():
            now = time.monotonic()
            if self._armed_at is None or now - self._armed_at > CONFIRM_WINDOW_S:
                self._armed_at = now
                self._set_warning("<b>Press the reveal key again within 5 s to confirm.</b>")
                return False
            self._confirmed, self._armed_at = True, None
            self._set_warning()
        self.end_reveal()
        self.canvas.set_reveal(mode)
        self._reveal_started = self.monotonic()
        self.revealed_this_case = True
        return True

    def end_reveal(self) -> None:
        mode = self.canvas.reveal_mode
        if mode is None:
            return
        self.canvas.set_reveal(None)
        started, self._reveal_started = self._reveal_started, None
        item = self.current_item
        if started is not None and self.case is not None:
            duration = int((self.monotonic() - started) * 1000)
            self.reveal_finished.emit(self.case.id, item.id if item else None, mode, duration)

    def toggle_reveal(self, mode: str) -> None:
        if self.canvas.reveal_mode == mode:
            self.end_reveal()
        else:
            self.begin_reveal(mode)

    # -- panic ---------------------------------------------------------------------------------
    def set_hidden(self, hidden: bool) -> None:
        """Blank all content at once (panic); restoring always comes back blurred."""
        if hidden:
            self.end_reveal()
        self._hidden = hidden
        self.canvas.set_hidden(hidden)
        for w in (self.header, self.text_view, self.warning, self.item_bar):
            w.setVisible(
                not hidden and (w is not self.text_view or bool(self.current_item and self.current_item.text))
            )
        if not hidden and self.case is None:
            self.warning.hide()

    @property
    def hidden(self) -> bool:
        return self._hidden

    def case_id(self) -> uuid.UUID | None:
        return self.case.id if self.case else None
