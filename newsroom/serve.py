"""``build.py serve``: build, serve the site locally, rebuild on every change, reload tabs.

The reload script is added to pages as they are sent, never written into the built site.
A failed rebuild keeps the last good site online and shows the located problems at the
top of every page and in the terminal.
"""

from __future__ import annotations

import html
import sys
import threading
import time
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from .config import SiteConfig
from .errors import BuildError

RELOAD_SCRIPT = b"""// Added by build.py serve only: reload this tab when the site is rebuilt.
const events = new EventSource("/__events");
events.onmessage = () => location.reload();
"""
OVERLAY_STYLE = b""".newsroom-serve-errors { position: fixed; inset-inline: 0; inset-block-start: 0; z-index: 1000;
  max-block-size: 50vh; overflow: auto; margin: 0; padding: 1rem; background: #7a1010; color: #fff;
  font: 14px/1.6 monospace; direction: ltr; text-align: left; white-space: pre-wrap; }
"""
DEBOUNCE_SECONDS = 0.25
CHANGES = ("created", "deleted", "modified", "moved", "closed")


class SiteState:
    """The generation of the site being served and the problems of the last rebuild."""

    def __init__(self):
        self.generation = 0
        self.problems: list[str] = []
        self.changed = threading.Condition()

    def publish(self, problems: list[str]) -> None:
        with self.changed:
            self.generation += 1
            self.problems = problems
            self.changed.notify_all()


class _Handler(SimpleHTTPRequestHandler):
    state: SiteState

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        pass  # the terminal is for build results

    def do_GET(self) -> None:
        if self.path == "/__reload.js":
            return self._send(RELOAD_SCRIPT, "text/javascript; charset=utf-8")
        if self.path == "/__serve.css":
            return self._send(OVERLAY_STYLE, "text/css; charset=utf-8")
        if self.path == "/__events":
            return self._events()
        path = Path(self.translate_path(self.path))  # refuses anything outside the folder
        if path.is_dir():
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file():
            return self._send(self._decorate(path.read_bytes()), "text/html; charset=utf-8")
        if not path.exists():
            not_found = Path(self.directory) / "404.html"
            body = self._decorate(not_found.read_bytes()) if not_found.is_file() else b"not found"
            return self._send(body, "text/html; charset=utf-8", HTTPStatus.NOT_FOUND)
        return super().do_GET()

    def _decorate(self, page: bytes) -> bytes:
        """The page with the reload script, and the problems of a failed rebuild on top."""
        extra = '<script src="/__reload.js" defer></script>'
        if self.state.problems:
            extra += '<link rel="stylesheet" href="/__serve.css">'
            problems = html.escape("\n".join(self.state.problems))
            page = page.replace(b"<body>", f'<body><pre class="newsroom-serve-errors">{problems}</pre>'.encode(), 1)
        return page.replace(b"</head>", extra.encode() + b"</head>", 1)

    def _send(self, body: bytes, content_type: str, status: HTTPStatus = HTTPStatus.OK) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _events(self) -> None:
        """Server-sent events: one message each time the site is rebuilt."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        seen = self.state.generation
        try:
            self.wfile.write(b": connected\n\n")
            self.wfile.flush()
            while True:
                with self.state.changed:
                    self.state.changed.wait_for(lambda: self.state.generation != seen, timeout=15)
                if self.state.generation != seen:
                    seen = self.state.generation
                    self.wfile.write(b"data: reload\n\n")
                else:
                    self.wfile.write(b": still here\n\n")  # keeps proxies and browsers from timing out
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return


class _Watcher(FileSystemEventHandler):
    """Collects changes and rebuilds once a burst of them has settled."""

    def __init__(self, rebuild: Callable[[], None], ignored: tuple[Path, ...], config_file: Path):
        self.rebuild = rebuild
        self.ignored = tuple(str(p.resolve()) for p in ignored)
        self.config_file = config_file.resolve()
        self.timer: threading.Timer | None = None
        self.lock = threading.Lock()

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in CHANGES:
            return  # reading a file (opened, closed without writing) is not a change
        path = Path(str(event.src_path)).resolve()
        # Folder timestamps, the site being written, the cache, editors' hidden swap files.
        if (event.is_directory and event.event_type == "modified") or str(path).startswith(self.ignored) \
                or any(part.startswith(".") for part in path.parts):
            return
        if path.parent == self.config_file.parent and path != self.config_file and not path.is_dir():
            return  # of the project's own folder only the configuration counts (not logs, notes)
        with self.lock:
            if self.timer is not None:
                self.timer.cancel()
            self.timer = threading.Timer(DEBOUNCE_SECONDS, self.rebuild)
            self.timer.daemon = True
            self.timer.start()


def serve(load: Callable[[], SiteConfig], build: Callable[[SiteConfig], Callable[[], None] | None], host: str,
          port: int) -> None:
    """Build with ``build(load())``, serve the output folder on ``host:port``, and rebuild
    whenever content, templates, static files or the configuration change. Stops on Ctrl-C.

    ``build`` may return a follow-up (the search index) that runs after open tabs are told
    to reload."""
    state = SiteState()
    config = load()
    lock = threading.Lock()

    def rebuild() -> None:
        nonlocal config
        with lock:
            started = time.perf_counter()
            try:
                config = load()
                follow_up = build(config)
            except BuildError as exc:
                lines = [str(p) for p in exc.problems]
                for line in lines:
                    print(line, file=sys.stderr)
                print("ساخت دوباره انجام نشد؛ نسخهٔ سالم قبلی همچنان نمایش داده می‌شود", file=sys.stderr, flush=True)
                state.publish(lines)
                return
            print(f"ساخته شد در {time.perf_counter() - started:.2f} ثانیه", flush=True)
            state.publish([])
            if follow_up is not None:
                try:
                    follow_up()
                except BuildError as exc:
                    print(*exc.problems, sep="\n", file=sys.stderr, flush=True)

    rebuild()
    if not (config.output_dir / "index.html").exists():
        raise SystemExit("نخستین ساخت انجام نشد؛ خطاهای بالا را درست کنید و دوباره اجرا کنید")
    handler = type("Handler", (_Handler,), {"state": state})
    server = ThreadingHTTPServer((host, port), partial(handler, directory=str(config.output_dir)))
    server.daemon_threads = True
    watcher = _Watcher(rebuild, ignored=(config.output_dir, config.cache_dir), config_file=config.config_path)
    observer = Observer()
    for folder in {config.content_dir, config.templates_dir, config.static_dir, config.config_path.parent}:
        if folder.is_dir():
            observer.schedule(watcher, str(folder), recursive=folder != config.config_path.parent)
    observer.start()
    print(f"سایت در http://{host}:{port}/ — با Ctrl+C متوقف می‌شود", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        observer.stop()
        server.server_close()
