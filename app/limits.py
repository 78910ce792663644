"""Request body size limit that answers with a problem document, not a bare text 413."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import AppError, problem_response


class PayloadTooLarge(AppError):
    status, code, title = 413, "payload_too_large", "Payload too large"


class BodyLimitMiddleware:
    """Refuse bodies over ``max_bytes``: at once by ``Content-Length``, else while streaming."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        detail = f"the request body may be at most {self.max_bytes} bytes"
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                await problem_response(413, PayloadTooLarge.code, PayloadTooLarge.title, detail)(
                    scope, receive, send
                )
                return
        received = 0
        too_large = False

        async def limited_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    too_large = True
                    raise PayloadTooLarge(detail)
            return message

        async def guarded_send(message: Message) -> None:
            # The framework may turn the error raised while reading into its own 400; whatever
            # it answers once the limit was crossed is replaced by the 413 problem.
            if not too_large:
                await send(message)
            elif message["type"] == "http.response.start":
                await problem_response(413, PayloadTooLarge.code, PayloadTooLarge.title, detail)(
                    scope, receive, send
                )

        await self.app(scope, limited_receive, guarded_send)
