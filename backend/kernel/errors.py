"""A rule said no: the refusal every layer raises and the web turns into a form message."""

from __future__ import annotations


class DomainError(Exception):
    """A rule said no. `message` is an English msgid shown translated, with `variables` filled in after translation;
    `field` names the form field."""

    def __init__(self, message: str, field: str | None = None, status: int = 400, **variables: object) -> None:
        super().__init__(message % variables if variables else message)
        self.message = message
        self.field = field
        self.status = status
        self.variables = variables


class NotFound(DomainError):
    def __init__(self, message: str = "Not found.") -> None:
        super().__init__(message, status=404)


def check_text(value: str, maximum: int, field: str, message: str, required: bool = True) -> str:
    """The text stripped, or `message` (a DomainError on `field`) when it is missing or longer than `maximum`. A line
    break a form sent as CRLF is one character, as the form's counter and maxlength count it."""
    value = value.replace("\r\n", "\n").strip()
    if (required and not value) or len(value) > maximum:
        raise DomainError(message, field)
    return value
