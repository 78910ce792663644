"""Teach schemathesis to send the bulk upload bodies it has no serializer for: NDJSON is text,
an .xlsx workbook is bytes (the service must answer a 400 problem for garbage, never a 500)."""

import schemathesis

schemathesis.serializer.alias("application/x-ndjson", "text/plain")
schemathesis.serializer.alias(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/octet-stream"
)
