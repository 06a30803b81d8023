"""The FastAPI app over given services, served by uvicorn on 127.0.0.1 in a thread, for HTTP tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from newswatch.api.app import create_app
from newswatch.compose import Services

START_TIMEOUT_S = 20.0


@contextmanager
def serve(services: Services) -> Iterator[str]:
    """Yield the base URL while the API serves `services`; stop the server afterwards."""
    server = uvicorn.Server(
        uvicorn.Config(create_app(services), host="127.0.0.1", port=0, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)  # polling a flag with a deadline, not waiting for time to pass
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
