"""Fast JSON encoding shared by responses, problems and the idempotency store."""

from typing import Any

import orjson


def dumps(value: Any) -> bytes:
    return orjson.dumps(value)
