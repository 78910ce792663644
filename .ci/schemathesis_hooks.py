"""Teach schemathesis to send the bulk upload bodies it has no serializer for: NDJSON is text,
an .xlsx workbook is bytes (the service must answer a 400 problem for garbage, never a 500).
And keep it from revoking the key it runs with: every later request would be a 401, and the
operations fuzzed after that would be tested for authentication only."""

import os
from typing import Any

import schemathesis

schemathesis.serializer.alias("application/x-ndjson", "text/plain")
schemathesis.serializer.alias(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/octet-stream"
)

OWN_KEY_ID = os.environ.get("LUOSHI_FUZZ_OWN_KEY_ID", "")


@schemathesis.hook
def before_call(context: Any, case: Any, **kwargs: Any) -> None:
    # The change feed's `wait` holds an empty answer up to 30 s by design (tests/events cover
    # it); the fuzzer's requests time out at 10 s, so it waits a second at most.
    query = case.query or {}
    if case.path == "/api/v1/events" and "wait" in query:
        try:
            query["wait"] = min(float(query["wait"]), 1)
        except (TypeError, ValueError):
            pass  # not a number: the service's 422 is what is being tested
    parameters = case.path_parameters or {}
    if case.method.upper() == "DELETE" and str(parameters.get("key_id")) == OWN_KEY_ID:
        parameters["key_id"] = 2**62  # no key has this id: a 404 instead
