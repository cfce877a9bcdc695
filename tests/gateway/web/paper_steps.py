"""The paper form's two steps as a clerk goes through them: review, then confirm."""

from __future__ import annotations

import html
import re
from typing import Any

HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def confirmation_fields(page: str, step: str = "confirm") -> dict[str, str]:
    """The hidden fields of the confirmation page's form for ``step`` (confirm or edit)."""
    for form in page.split("<form")[1:]:
        fields = {name: html.unescape(value) for name, value in HIDDEN.findall(form)}
        if fields.get("step") == step:
            return fields
    raise AssertionError(f"no {step} form on the page:\n{page}")


def register_by_hand(client: Any, data: dict[str, str], files: Any = None) -> Any:
    """Post the form for review; when the review page comes back, confirm it. The
    response of the last post (303 to the new entry, or the form with an error)."""
    review = client.post("/register/paper", data=data, files=files)
    if review.status_code != 200:
        return review
    return client.post("/register/paper", data=confirmation_fields(review.text))
