"""A FAKE OpenAI-compatible server on loopback for fault injection: no model runs here.

Each mode answers ``POST /v1/chat/completions`` with one kind of broken reply, the way a
misbehaving proxy or server would:

- ``garbage``: HTTP 200 with an HTML page instead of JSON;
- ``truncated``: HTTP 200 with a chat-completion JSON body cut off halfway;
- ``empty``: HTTP 200 with an empty body;
- ``not_json_content``: a well-formed completion whose message is prose, not JSON;
- ``truncated_content``: a well-formed completion whose message is JSON cut off halfway;
- ``slow``: a well-formed completion sent a few bytes at a time (``delay`` seconds apart).

Use: ``with FakeOpenAI("garbage") as url: ...`` (``url`` ends in ``/v1``).
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MODES = ("garbage", "truncated", "empty", "not_json_content", "truncated_content", "slow")


def completion(content: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 0,
        "model": "fake",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }


class FakeOpenAI:
    def __init__(self, mode: str, *, delay: float = 0.05, content: str | None = None):
        assert mode in MODES, mode
        self.mode, self.delay = mode, delay
        self.content = content or '{"bullets": []}'
        self.requests = 0
        self._server: ThreadingHTTPServer | None = None

    def body(self) -> tuple[bytes, str]:
        mode = self.mode
        if mode == "garbage":
            return b"<html><body>502 Bad Gateway (but sent as 200)</body></html>", "text/html"
        if mode == "empty":
            return b"", "application/json"
        if mode == "truncated":
            full = json.dumps(completion(self.content)).encode()
            return full[: len(full) // 2], "application/json"
        if mode == "not_json_content":
            return json.dumps(completion("Sure! Here is a summary of the text.")).encode(), (
                "application/json"
            )
        if mode == "truncated_content":
            return json.dumps(completion('{"bullets": [{"text": "Troops')).encode(), (
                "application/json"
            )
        return json.dumps(completion(self.content)).encode(), "application/json"

    def __enter__(self) -> str:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                data = json.dumps({"object": "list", "data": [{"id": "fake"}]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                fake.requests += 1
                data, ctype = fake.body()
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if fake.mode == "slow":
                    try:
                        for i in range(0, len(data), 16):
                            self.wfile.write(data[i : i + 16])
                            self.wfile.flush()
                            time.sleep(fake.delay)
                    except (BrokenPipeError, ConnectionResetError):
                        pass  # the client timed out and hung up: that is the point
                else:
                    self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __exit__(self, *exc: Any) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
