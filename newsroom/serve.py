"""``build.py serve``: build, serve the site locally, rebuild on every change, reload tabs.

The reload script is added to pages as they are sent, never written into the built site.
A failed rebuild keeps the last good site online and shows the located problems at the
top of every page and in the terminal.
"""

from __future__ import annotations

import html
import json
import sys
import threading
import time
from collections.abc import Callable
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from .config import SiteConfig
from .editor import LOCAL_BACKEND
from .errors import BuildError
from .repository import LocalRepository, RequestError

RELOAD_SCRIPT = b"""// Added by build.py serve only: reload this tab when a rebuild changed the files it shows.
const shown = document.currentScript.dataset.files.split(" ");
const events = new EventSource("/__events");
events.onmessage = (event) => {
  const changed = JSON.parse(event.data);
  if (changed === "*" || shown.some((file) => changed.includes(file))) location.reload();
};
"""
OVERLAY_STYLE = b""".newsroom-serve-errors { position: fixed; inset-inline: 0; inset-block-start: 0; z-index: 1000;
  max-block-size: 50vh; overflow: auto; margin: 0; padding: 1rem; background: #7a1010; color: #fff;
  font: 14px/1.6 monospace; direction: ltr; text-align: left; white-space: pre-wrap; }
"""
DEBOUNCE_SECONDS = 0.05  # editors save in bursts of events within a few milliseconds
EVERYTHING = "*"
MAX_LISTED = 2000  # beyond this many changed files a rebuild is announced as "everything"
MAX_REQUEST = 64 * 1024 * 1024  # a release with its photos, base64-encoded
CHANGES = ("created", "deleted", "modified", "moved", "closed")


class SiteState:
    """The generation of the site being served, the problems of the last rebuild, and
    which files each generation changed."""

    def __init__(self) -> None:
        self.generation = 0
        self.problems: list[str] = []
        self.changes: dict[int, tuple[str, ...] | None] = {}  # generation → files (None: all)
        self.changed = threading.Condition()

    def publish(self, problems: list[str], files: tuple[str, ...] | None) -> None:
        """A new generation; ``files`` it changed (None: any may have)."""
        with self.changed:
            if problems or self.problems:
                files = None  # the error overlay appears on, or leaves, every page
            self.generation += 1
            self.problems = problems
            self.changes[self.generation] = files
            self.changes.pop(self.generation - 100, None)
            self.changed.notify_all()

    def moved_on(self, generation: int) -> bool:
        """Whether a generation after ``generation`` is being served."""
        return self.generation != generation

    def changed_since(self, generation: int) -> str:
        """The files changed after ``generation``, as the reload script reads them."""
        files: set[str] = set()
        for number in range(generation + 1, self.generation + 1):
            listed = self.changes.get(number)
            if listed is None:
                return json.dumps(EVERYTHING)
            files.update(listed)
        return json.dumps(sorted(files) if len(files) <= MAX_LISTED else EVERYTHING, ensure_ascii=False)


class _Handler(SimpleHTTPRequestHandler):
    state: SiteState
    repository: LocalRepository | None = None
    extensions_map = {  # noqa: RUF012 - the base class declares it as an instance attribute
        **SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",  # compiled as it streams in only with its own type
        ".yml": "text/yaml",
    }

    def log_message(self, format: str, *args: Any) -> None:
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
        shown = self._file_of(path)
        if shown.startswith("admin/"):
            # The editor is not reloaded: a rebuild after a save would lose what is being typed.
            return super().do_GET()
        if path.suffix == ".html" and path.is_file():
            return self._send(self._decorate(path.read_bytes(), [shown]), "text/html; charset=utf-8")
        if not path.exists():
            not_found = Path(self.directory) / "404.html"
            body = self._decorate(not_found.read_bytes(), [shown, "404.html"]) if not_found.is_file() else b"not found"
            return self._send(body, "text/html; charset=utf-8", HTTPStatus.NOT_FOUND)
        return super().do_GET()

    def do_POST(self) -> None:
        """The editor's local backend (``build.py serve --editor``)."""
        if self.repository is None or self.path != LOCAL_BACKEND:
            return self._send(b"not found", "text/plain; charset=utf-8", HTTPStatus.NOT_FOUND)
        # A page of another site may post to this address too: only JSON (which a browser
        # sends across sites only after asking, and we never say yes) from this site is read.
        origin = self.headers.get("Origin")
        if self.headers.get_content_type() != "application/json" or (
            origin is not None and origin != f"http://{self.headers.get('Host')}"
        ):
            return self._json({"error": "only the editor of this site may write here"}, HTTPStatus.FORBIDDEN)
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_REQUEST:
            return self._json({"error": "request too large"}, HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        try:
            request = json.loads(self.rfile.read(length))
            if not isinstance(request, dict):
                raise ValueError("not an object")
            answer = self.repository.answer(str(request.get("action")), request.get("params") or {})
        except (ValueError, AttributeError, TypeError, KeyError) as exc:
            return self._json({"error": f"bad request: {exc}"}, HTTPStatus.BAD_REQUEST)
        except RequestError as exc:
            return self._json({"error": str(exc)}, HTTPStatus(exc.status))
        self._json(answer)

    def _json(self, answer: Any, status: HTTPStatus = HTTPStatus.OK) -> None:
        self._send(json.dumps(answer, ensure_ascii=False).encode(), "application/json; charset=utf-8", status)

    def _file_of(self, path: Path) -> str:
        """``path`` as a file of the output folder, as rebuilds name the files they change."""
        folder = Path(self.directory).resolve()
        try:
            return path.resolve().relative_to(folder).as_posix()
        except ValueError:
            return ""

    def _decorate(self, page: bytes, files: list[str]) -> bytes:
        """The page with the reload script (told which ``files`` it shows), and the
        problems of a failed rebuild on top."""
        extra = f'<script src="/__reload.js" data-files="{html.escape(" ".join(files))}" defer></script>'
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
                    self.state.changed.wait_for(partial(self.state.moved_on, seen), timeout=15)
                    message = self.state.changed_since(seen)
                    current = self.state.generation
                if current != seen:
                    seen = current
                    self.wfile.write(f"data: {message}\n\n".encode())
                else:
                    self.wfile.write(b": still here\n\n")  # keeps proxies and browsers from timing out
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return


class _Watcher(FileSystemEventHandler):
    """Collects changes and rebuilds once a burst of them has settled."""

    def __init__(self, rebuild: Callable[[set[Path]], None], ignored: tuple[Path, ...], config_file: Path):
        self.rebuild = rebuild
        self.paths: set[Path] = set()
        self.ignored = tuple(str(p.resolve()) for p in ignored)
        self.config_file = config_file.resolve()
        self.timer: threading.Timer | None = None
        self.lock = threading.Lock()

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in CHANGES:
            return  # reading a file (opened, closed without writing) is not a change
        paths = [Path(str(event.src_path)).resolve()]
        if event.event_type == "moved":  # an atomic save: a hidden temporary file renamed into place
            paths.append(Path(str(event.dest_path)).resolve())
        changed = [path for path in paths if self._counts(path, event)]
        if not changed:
            return
        with self.lock:
            self.paths.update(changed)
            if self.timer is not None:
                self.timer.cancel()
            self.timer = threading.Timer(DEBOUNCE_SECONDS, self._settled)
            self.timer.daemon = True
            self.timer.start()

    def _counts(self, path: Path, event: FileSystemEvent) -> bool:
        """Whether a change of ``path`` may change the site."""
        # Folder timestamps, the site being written, the cache, editors' hidden swap files.
        if (
            (event.is_directory and event.event_type == "modified")
            or str(path).startswith(self.ignored)
            or any(part.startswith(".") for part in path.parts)
        ):
            return False
        # Of the project's own folder only the configuration counts (not logs, notes).
        return not (path.parent == self.config_file.parent and path != self.config_file and not path.is_dir())

    def _settled(self) -> None:
        with self.lock:
            paths, self.paths = self.paths, set()
        self.rebuild(paths)


def serve(
    load: Callable[[], SiteConfig],
    build: Callable[[SiteConfig], tuple[tuple[str, ...] | None, Callable[[], None] | None]],
    preview: Callable[[SiteConfig, list[Path]], tuple[str, ...]],
    save: Callable[[], None],
    host: str,
    port: int,
    editor: bool = False,
) -> None:
    """Build with ``build(load())``, serve the output folder on ``host:port``, and rebuild
    whenever content, templates, static files or the configuration change. Stops on Ctrl-C.

    ``build`` returns the files it changed (None: any may have) and a follow-up (the
    search index) that runs after open tabs are told to reload. When only releases were
    edited, ``preview`` first rewrites their pages alone, so their tabs reload at once;
    the whole rebuild follows. ``save`` keeps the rebuild's cache once tabs are told.
    With ``editor``, the web editor's local backend writes releases into the content folder."""
    state = SiteState()
    config = load()
    lock = threading.Lock()

    def rebuild(paths: frozenset[Path] | set[Path] = frozenset()) -> None:
        nonlocal config
        with lock:
            started = time.perf_counter()
            try:
                config = load()
                edited = sorted(p for p in paths if p.suffix == ".md" and p.is_file())
                if edited and len(edited) == len(paths) and not state.problems:
                    try:
                        shown = preview(config, edited)
                    except BuildError:
                        shown = ()  # the whole rebuild will say what is wrong
                    if shown:
                        state.publish([], shown)
                        print(f"پیش‌نمایش در {time.perf_counter() - started:.2f} ثانیه", flush=True)
                changed, follow_up = build(config)
            except BuildError as exc:
                lines = [str(p) for p in exc.problems]
                for line in lines:
                    print(line, file=sys.stderr)
                print("ساخت دوباره انجام نشد؛ نسخهٔ سالم قبلی همچنان نمایش داده می‌شود", file=sys.stderr, flush=True)
                state.publish(lines, None)
                return
            print(f"ساخته شد در {time.perf_counter() - started:.2f} ثانیه", flush=True)
            if changed != () or state.problems:
                state.publish([], changed)
            save()
            if follow_up is not None:
                try:
                    follow_up()
                except BuildError as exc:
                    print(*exc.problems, sep="\n", file=sys.stderr, flush=True)

    rebuild()
    if not (config.output_dir / "index.html").exists():
        raise SystemExit("نخستین ساخت انجام نشد؛ خطاهای بالا را درست کنید و دوباره اجرا کنید")
    repository = LocalRepository(config.config_path.parent, config.content_dir) if editor else None
    handler = type("Handler", (_Handler,), {"state": state, "repository": repository})
    server = ThreadingHTTPServer((host, port), partial(handler, directory=str(config.output_dir)))
    server.daemon_threads = True
    watcher = _Watcher(rebuild, ignored=(config.output_dir, config.cache_dir), config_file=config.config_path)
    observer = Observer()
    for folder in {config.content_dir, config.templates_dir, config.static_dir, config.config_path.parent}:
        if folder.is_dir():
            observer.schedule(watcher, str(folder), recursive=folder != config.config_path.parent)
    observer.start()
    print(f"سایت در http://{host}:{port}/ — با Ctrl+C متوقف می‌شود", flush=True)
    if editor:
        print(
            f"ویرایشگر در http://{host}:{port}/admin/ — آنچه ذخیره شود در {config.content_dir} نوشته می‌شود", flush=True
        )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        observer.stop()
        server.server_close()
