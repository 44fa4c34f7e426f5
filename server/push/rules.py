"""Pure rules of a push's payload: the message as JSON within what one push can carry."""

from __future__ import annotations

import msgspec

from server.notifications.models import Message
from server.push.models import MAX_PLAINTEXT


def fit_payload(message: Message) -> bytes:
    """The message as JSON within the 4 KB a push can carry, shortening the body if needed."""

    def encoded(body: str) -> bytes:
        return msgspec.json.encode(msgspec.structs.replace(message, body=body))

    data = encoded(message.body)
    if len(data) <= MAX_PLAINTEXT:
        return data
    # The longest prefix that fits, found by bisection on characters (they are 1 to 4 bytes,
    # more once escaped in JSON).
    low, high = 0, len(message.body)
    while low < high:
        middle = (low + high + 1) // 2
        if len(encoded(message.body[:middle].rstrip() + "…")) <= MAX_PLAINTEXT:
            low = middle
        else:
            high = middle - 1
    return encoded(message.body[:low].rstrip() + "…" if low else "")
