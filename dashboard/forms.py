"""The start-an-audit form. Validation of the URL and options is the API's
(`audits.services.audit_submit`); the form only checks types and carries the idempotency key."""

from __future__ import annotations

import uuid

from django import forms

from audits.services import MAX_URL_LENGTH


class AuditStartForm(forms.Form):
    url = forms.CharField(
        label="Site URL", max_length=MAX_URL_LENGTH, strip=True,
        widget=forms.TextInput(attrs={"placeholder": "https://www.example.com/", "inputmode": "url",
                                      "autocomplete": "url", "spellcheck": "false"}))
    max_pages = forms.IntegerField(
        label="Page limit", required=False, min_value=1,
        help_text="Leave empty for the default limit.")
    #: One key per rendered form: a double-clicked or re-sent submit starts one audit, not two.
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def audit_options(self) -> dict[str, int]:
        max_pages = self.cleaned_data.get("max_pages")
        return {"max_pages": max_pages} if max_pages else {}
