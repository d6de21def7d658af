"""Errors the core raises with a catalogue key, so every layer can show them in the user's language."""

from __future__ import annotations


class StationError(Exception):
    """An expected failure with a message key (see resources/translations) and format parameters."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params

    def message(self, lang: str | None = None) -> str:
        from station.i18n import tr

        return tr(self.code, lang, **self.params)


class NotFound(StationError):
    pass


class PermissionDenied(StationError):
    pass


class ConflictError(StationError):
    pass
