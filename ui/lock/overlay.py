"""Screen lock: an opaque overlay over the whole window; everything under it is hidden until unlocked.

Unsaved work survives: the widgets underneath are only hidden (never cleared or closed) and shown again
after the same person, or a supervisor or administrator, signs in on the overlay.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QThreadPool, Signal
from PySide6.QtGui import QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget

from station.errors import StationError
from station.i18n import tr
from station.services import station as st
from station.services.station import StationContext
from ui.signin.widget import CredentialsPanel
from ui.tasks import run_off_thread

log = logging.getLogger(__name__)
LOCK_SHORTCUT = "Ctrl+L"


class LockOverlay(QWidget):
    """Child of the main window. `lock(reason)` covers it; `unlocked(Actor)` when someone signs back in."""

    unlocked = Signal(object)  # station.domain.roles.Actor: the same person, or the supervisor who took over
    # StationContext: the duress passphrase was typed (issue 15); the station is erased and this empty-looking
    # one is open: show it in place of the desk (ui/app.py), as sign-in does. What was under the overlay is
    # never shown again.
    duress_opened = Signal(object)
    locked = Signal()

    def __init__(
        self, window: QWidget, ctx: StationContext | None = None, *,
        unlock_fn: Callable[[StationContext, str, str], Any] | None = None,
        lock_fn: Callable[[StationContext, str], None] | None = None,
        pool: QThreadPool | None = None,
    ) -> None:
        super().__init__(window)
        self.setObjectName("lockOverlay")
        self._window = window
        self._ctx = ctx
        self._unlock = unlock_fn or st.unlock_session
        self._record_lock = lock_fn or st.lock_session
        self._pool = pool
        self._hidden: list[QWidget] = []
        self._refocus: QWidget | None = None
        self.setAutoFillBackground(True)
        pal = self.palette()
        pal.setColor(QPalette.ColorRole.Window, pal.color(QPalette.ColorRole.Window).darker(115))
        self.setPalette(pal)
        self.panel = CredentialsPanel(self)
        self.panel.setAutoFillBackground(True)
        box = QVBoxLayout(self)
        box.addStretch(1)
        box.addWidget(self.panel, 0, Qt.AlignmentFlag.AlignHCenter)
        box.addStretch(2)
        self.panel.submitted.connect(self._on_panel_submitted)
        window.installEventFilter(self)
        self.hide()
        self.retranslate()

    # public API

    def set_context(self, ctx: StationContext | None) -> None:
        self._ctx = ctx

    def is_locked(self) -> bool:
        return self.isVisible()

    def lock(self, reason: str = "idle") -> None:
        """Hide everything in the window and ask for a passphrase (reason: idle | shortcut)."""
        if self.is_locked() or self._ctx is None:
            return
        focused = QApplication.focusWidget()
        self._refocus = focused if focused is not None and self._window.isAncestorOf(focused) else None
        self._hidden = [w for w in self._window.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly)
                        if w is not self and w.isVisible() and not w.isWindow()]
        for w in self._hidden:
            w.hide()
        for popup in self._window.findChildren(QWidget):  # open dialogs and menus belonging to the window
            if popup.isWindow() and popup.isVisible() and popup is not self._window:
                # Hidden, not restored: a modal dialog would block the overlay, and hiding ends its exec().
                # Keep long work in the main window's form (non-modal), which survives the lock.
                popup.hide()
        self.setGeometry(self._window.rect())
        self.retranslate()
        self.panel.account.setText(self._ctx.actor.username)
        self.panel.message.clear()
        self.panel.set_busy(False)
        self.show()
        self.raise_()
        self.panel.passphrase.setFocus()
        try:
            self._record_lock(self._ctx, reason)
        except StationError as exc:  # the lock itself must never fail
            log.warning("lock event not recorded: %s", exc.code)
        self.locked.emit()

    def retranslate(self) -> None:
        user = self._ctx.actor.username if self._ctx else ""
        self.panel.heading.setText(tr("lock.title"))
        self.panel.subheading.setText(tr("signin.title"))
        self.panel.explain.setText(tr("lock.explain", user=user))
        self.panel.set_labels(tr("signin.account"), tr("signin.passphrase"), tr("lock.button"))

    # internals

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # An overlay nothing in Python holds any more (its window keeps the widget) may have had its
        # attributes cleared by the cycle collector (ui.gc_guard) while its window still sends it events.
        window: QWidget | None = getattr(self, "_window", None)
        if window is not None and watched is window and event.type() == QEvent.Type.Resize and self.isVisible():
            self.setGeometry(window.rect())
        return False

    def _on_panel_submitted(self, user: str, secret: str) -> None:
        if self._ctx is None:
            return
        if not user or not secret:
            self.panel.show_error(tr("signin.empty"))
            return
        ctx = self._ctx
        self.panel.set_busy(True, tr("lock.working"))
        run_off_thread(lambda: self._unlock(ctx, user, secret), self._on_done, self._on_failed, self, self._pool,
                       fallback="accounts.error.internal")

    def _on_done(self, actor: object) -> None:
        self.panel.set_busy(False)
        self.panel.passphrase.clear()
        if isinstance(actor, StationContext):  # duress: the records under the overlay are erased
            self._hidden, self._refocus, self._ctx = [], None, actor
            self.panel.message.clear()
            form = getattr(self._window, "form", None)
            if form is not None and hasattr(form, "dirty"):
                form.dirty = False  # nothing left to save: closing the old desk must not ask
            self.duress_opened.emit(actor)
            return
        self.hide()
        for w in self._hidden:
            w.show()
        self._hidden = []
        refocus, self._refocus = self._refocus, None
        if refocus is not None:  # back where the clerk was typing
            refocus.setFocus()
        self.unlocked.emit(actor)

    def _on_failed(self, exc: StationError) -> None:
        self.panel.set_busy(False)
        self.panel.show_error(exc.message())


def install_lock_shortcut(window: QWidget, overlay: LockOverlay, sequence: str = LOCK_SHORTCUT) -> QShortcut:
    """Ctrl+L (anywhere in the window) locks the screen."""
    shortcut = QShortcut(QKeySequence(sequence), window)
    shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
    shortcut.activated.connect(lambda: overlay.lock("shortcut"))
    return shortcut
