"""Dependencies every router uses."""

from typing import Annotated

from fastapi import Depends, Header
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import get_session

Session = Annotated[AsyncSession, Depends(get_session)]
IfMatch = Annotated[
    str | None,
    Header(
        max_length=200,
        description="Only apply the change if the record's current `ETag` is one of these "
        "(or `*`); otherwise 412.",
        examples=['"3"'],
    ),
]
