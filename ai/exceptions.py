from __future__ import annotations


class AIContentError(Exception):
    """A request the API answers with 400 (code and message for the JSON error shape)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
