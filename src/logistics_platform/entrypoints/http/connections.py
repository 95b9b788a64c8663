"""What one connection may send before the app sees a request: a bounded request head.

uvicorn's httptools protocol reads a request line and headers of any size and number (a
50 MB header, 10,000 headers). This protocol keeps httptools' speed and refuses a head over
:data:`MAX_HEAD_BYTES` or with more than :data:`MAX_HEADERS` fields with 431, as nginx
and Node do, before buffering more of it. Slow or short bodies are the app's concern
(``problems.RequestBodyLimits``: 413, 408).
"""

import json

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

MAX_HEAD_BYTES = 16 * 1024
MAX_HEADERS = 100


class HeadTooLarge(Exception):
    pass


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    _head_bytes = 0
    _reading_head = True
    _refusal: str | None = None

    def data_received(self, data: bytes) -> None:
        if not self._reading_head:
            super().data_received(data)
            return
        # Feed the parser no more of a head than allowed; what follows a complete head
        # (the body, a pipelined request) goes on as usual.
        room = MAX_HEAD_BYTES - self._head_bytes
        head, rest = data[:room], data[room:]
        self._head_bytes += len(head)
        super().data_received(head)
        if not rest or self.transport.is_closing():
            return
        if self._reading_head:
            self._refusal = f"the request line and headers exceed {MAX_HEAD_BYTES} bytes"
            self.send_400_response(self._refusal)
            return
        self.data_received(rest)

    def on_headers_complete(self) -> None:
        self._reading_head = False
        if len(self.headers) > MAX_HEADERS:
            self._refusal = f"a request may carry at most {MAX_HEADERS} header fields"
            raise HeadTooLarge(self._refusal)  # the parser stops; see send_400_response
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._reading_head, self._head_bytes = True, 0

    def send_400_response(self, msg: str) -> None:
        if self._refusal is None:
            super().send_400_response(msg)
            return
        body = json.dumps(
            {
                "type": "/problems/request-header-fields-too-large",
                "title": "Request Header Fields Too Large",
                "status": 431,
                "detail": self._refusal,
                "error": self._refusal,
            }
        ).encode()
        self.transport.write(
            b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
            b"content-type: application/problem+json\r\n"
            b"content-length: " + str(len(body)).encode() + b"\r\n"
            b"connection: close\r\n\r\n" + body
        )
        self.transport.close()
