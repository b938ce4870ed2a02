#!/usr/bin/env python3
"""Python client for the Obscura camera server.

Standard library only (``urllib``, ``json``, ``base64``); Python 3.8 or newer.

    from obscura_client import ObscuraClient, ObscuraClientError

    client = ObscuraClient("http://raspberrypi:8080", username="admin", password="secret")
    try:
        for camera in client.get_cameras():
            print(camera["name"], camera["state"])
        still = client.snapshot_camera("left")
        client.download(still["image_url_path"], "left.jpg")
    except ObscuraClientError as e:
        print("failed:", e.status, e.detail, e.field)

``SnapshotClient`` keeps the interface of the Snapshot Server's ``snapshot_client.py``, so its scripts run
against Obscura by changing only the import.

Every failure (an HTTP error status, a network error, an answer that is not what the API promises) is raised
as :class:`ObscuraClientError`. The server's errors are ``application/problem+json`` documents; their
``status``, ``detail`` and ``field`` (the input at fault) are copied onto the exception.

Authentication: reads are open by default; changes need the administrator. Give ``token`` (a bearer token from
:meth:`ObscuraClient.login`), or ``username``/``password`` (sent as HTTP Basic on every request, or exchanged
once for a token with :meth:`ObscuraClient.login`). A server without authentication ignores both.

Command line::

    python3 obscura_client.py --url http://localhost:8080 cameras
    python3 obscura_client.py --url http://localhost:8080 snap left
    python3 obscura_client.py --url http://localhost:8080 snap-all
    python3 obscura_client.py --url http://localhost:8080 snap-stereo

A client object holds no connection between calls and may be shared by threads once :meth:`login` (if used)
has returned.
"""

import argparse
import base64
import http.client
import json
import os
import socket
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request

__all__ = ["ObscuraClient", "ObscuraClientError", "SnapshotClient", "SnapshotClientError"]

API = "/api/v1"
DEFAULT_TIMEOUT = 30.0
# How much of a non-JSON error body goes into the exception message (Jetty's own HTML pages, proxies).
_ERROR_TEXT_LIMIT = 300


class ObscuraClientError(Exception):
    """The one error type of this client.

    Attributes:
        status: the HTTP status code, or ``None`` when no answer came (connection refused, timeout, DNS).
        detail: the server's human-readable message (problem ``detail``), or the network error's text.
        field: the request input the server found at fault (problem ``field``), or ``None``.
        problem: the whole problem document as a dict when the server sent one, else ``None``.
        url: the URL that was requested.
    """

    def __init__(self, message, status=None, detail=None, field=None, problem=None, url=None):
        super().__init__(message)
        self.status = status
        self.detail = detail if detail is not None else message
        self.field = field
        self.problem = problem
        self.url = url


#: The Snapshot Server client's exception name; the same class.
SnapshotClientError = ObscuraClientError


def _segment(value, what):
    """One URL path segment: the value percent-encoded whole, so ``/`` in a name cannot change the route."""
    if value is None or str(value) == "":
        raise ObscuraClientError("%s must not be empty" % what, field=what)
    return urllib.parse.quote(str(value), safe="")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """The API never redirects; following one would resend credentials to wherever it points."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class ObscuraClient:
    """Client of Obscura's REST API (``/api/v1``).

    Args:
        base_url: the server, e.g. ``http://localhost:8080`` (a path prefix is kept: ``http://host/obscura``).
        token: a bearer token (``Authorization: Bearer``), e.g. from :meth:`login`.
        username: with ``password``: sent as HTTP Basic when there is no token, and used by :meth:`login`.
        password: the user's password.
        timeout: seconds to wait for each answer (a DSLR capture can take several seconds).
    """

    def __init__(self, base_url, token=None, username=None, password=None, timeout=DEFAULT_TIMEOUT):
        if not base_url or not str(base_url).startswith(("http://", "https://")):
            raise ObscuraClientError("base_url must start with http:// or https://: %r" % (base_url,),
                                     field="base_url")
        self.base_url = str(base_url).rstrip("/")
        self.token = token
        self.username = username
        self.password = password
        self.timeout = timeout
        self._opener = urllib.request.build_opener(_NoRedirect())

    # ---- authentication -------------------------------------------------------------------------------

    def login(self):
        """Exchanges ``username``/``password`` for a bearer token (``POST /api/v1/auth/token`` with Basic).

        Keeps the token for the following calls and returns the answer, ``{"token": ..., "expires": ...}``.
        Raises :class:`ObscuraClientError` with status 401 for a wrong password, and with a message saying so
        when the server has no authentication (it answers 404 there: use the client without logging in).
        """
        if not self.username or self.password is None:
            raise ObscuraClientError("login needs a username and a password", field="username")
        try:
            answer = self._json("POST", API + "/auth/token", body={}, basic=True)
        except ObscuraClientError as e:
            if e.status in (404, 405):
                raise ObscuraClientError(
                    "the server has no authentication (POST %s/auth/token answered %d); "
                    "every call works without logging in" % (API, e.status),
                    status=e.status, detail=e.detail, problem=e.problem, url=e.url) from None
            raise
        if not isinstance(answer, dict) or not isinstance(answer.get("token"), str) or not answer["token"]:
            raise ObscuraClientError("the login answer has no token: %r" % (answer,), status=200)
        self.token = answer["token"]
        return answer

    def auth_status(self):
        """``GET /api/v1/auth``: ``{"authenticated", "user", "viewing_open"}`` for this client's credentials."""
        return self._json("GET", API + "/auth")

    # ---- server ---------------------------------------------------------------------------------------

    def health(self):
        """``GET /api/v1/health``: ``status`` (``ok``/``degraded``), version, uptime, camera counts, disk space."""
        return self._json("GET", API + "/health")

    def get_drivers(self):
        """``GET /api/v1/drivers``: the camera drivers, each ``{id, name, factoryPid, available, status, ...}``."""
        return self._json("GET", API + "/drivers")

    def get_driver(self, driver):
        """``GET /api/v1/drivers/{driver}``: one driver with ``form``, the properties its cameras take."""
        return self._json("GET", "%s/drivers/%s" % (API, _segment(driver, "driver")))

    def get_devices(self, driver):
        """``GET /api/v1/drivers/{driver}/devices``: the devices the driver sees now."""
        return self._json("GET", "%s/drivers/%s/devices" % (API, _segment(driver, "driver")))

    # ---- cameras --------------------------------------------------------------------------------------

    def get_cameras(self):
        """``GET /api/v1/cameras``: every camera, each a dict with ``name``, ``state``, ``mode``, ``urls``, ..."""
        return self._json("GET", API + "/cameras")

    def get_camera(self, name):
        """``GET /api/v1/cameras/{name}``: one camera, with its ``configuration`` when it has one."""
        return self._json("GET", self._camera(name))

    def create_camera(self, driver, name, **properties):
        """``POST /api/v1/cameras``: configures a new camera of ``driver`` (admin).

        ``properties`` are the driver's form properties (``width=640, fps=15.0, stereo=True``; a property
        whose name is not a Python identifier goes in a dict: ``**{"stereo.order": 1}``). Returns
        ``{pid, factoryPid, driver, properties}``. The camera appears in :meth:`get_cameras` once the driver
        has started it, a moment later.
        """
        body = dict(properties)
        body["driver"] = driver
        body["name"] = name
        return self._json("POST", API + "/cameras", body=body)

    def update_camera(self, name, **properties):
        """``PUT /api/v1/cameras/{name}``: replaces the camera's configuration (admin)."""
        return self._json("PUT", self._camera(name), body=dict(properties))

    def delete_camera(self, name):
        """``DELETE /api/v1/cameras/{name}``: deletes the camera's configuration (admin)."""
        self._request("DELETE", self._camera(name))

    def set_mode(self, name, **mode):
        """``PUT /api/v1/cameras/{name}/mode``: any of ``format``, ``width``, ``height``, ``fps`` (admin)."""
        return self._json("PUT", self._camera(name) + "/mode", body=dict(mode))

    def reset_camera(self, name):
        """``POST /api/v1/cameras/{name}/reset``: closes and reopens the camera's device (admin)."""
        return self._json("POST", self._camera(name) + "/reset", body={})

    def get_settings(self, name):
        """``GET /api/v1/cameras/{name}/settings``: ``[{name, label, type, value, options, min, max, ...}]``."""
        return self._json("GET", self._camera(name) + "/settings")

    def get_setting(self, name, setting):
        """``GET /api/v1/cameras/{name}/settings/{setting}``: one setting, read from the device."""
        return self._json("GET", "%s/settings/%s" % (self._camera(name), _segment(setting, "setting")))

    def set_setting(self, name, setting, value):
        """``PUT /api/v1/cameras/{name}/settings/{setting}``: writes ``value`` (admin).

        Returns the setting as read back. A refused value raises with status 400 and ``field`` ``value``;
        the detail names the allowed values.
        """
        return self._json("PUT", "%s/settings/%s" % (self._camera(name), _segment(setting, "setting")),
                          body={"value": value})

    # ---- pictures -------------------------------------------------------------------------------------

    def get_frame(self, name, width=None, height=None, quality=None, format=None):
        """The camera's current picture as bytes (``GET /api/v1/cameras/{name}/frame``).

        JPEG by default; ``width``/``height`` scale it (one alone keeps the aspect ratio), ``quality`` is
        1..100, ``format`` ``"png"`` (lossless) or ``"raw"`` (packed BGR bytes; size in the ``X-Width`` and
        ``X-Height`` headers, see :meth:`get_frame_raw`).
        """
        query = {"width": width, "height": height, "quality": quality, "format": format}
        return self._request("GET", self._camera(name) + "/frame", query=query)[2]

    def get_frame_raw(self, name):
        """The current picture as ``(width, height, bytes)``: packed B, G, R bytes, row by row."""
        _, headers, body = self._request("GET", self._camera(name) + "/frame", query={"format": "raw"})
        try:
            return int(headers.get("X-Width")), int(headers.get("X-Height")), body
        except (TypeError, ValueError):
            raise ObscuraClientError("the raw frame answer has no X-Width/X-Height headers", status=200) from None

    def stream_url(self, name, fps=None):
        """The URL of the camera's MJPEG stream (for an ``<img>`` tag, OpenCV or ffmpeg)."""
        url = self.get_image_url(self._camera(name) + "/stream")
        return url + ("?" + urllib.parse.urlencode({"fps": fps}) if fps is not None else "")

    def snapshot_camera(self, name, metadata=None):
        """``POST /api/v1/cameras/{name}/snapshot``: stores a still in the data dir.

        Returns ``{success, camera, filename, image_url_path, path, size, width, height, timestamp, ...}``;
        ``image_url_path`` goes to :meth:`get_image_url` or :meth:`download`. ``metadata`` (a dict) is kept in
        the still's sidecar.
        """
        body = {"metadata": metadata} if metadata is not None else {}
        return self._json("POST", self._camera(name) + "/snapshot", body=body)

    def snapshot_all(self):
        """``POST /api/v1/snapshot``: a still from every online camera.

        Returns ``{mode, success, results, errors, skew_ms, started, finished}``; ``success`` is false when
        some cameras failed (their messages in ``errors``). Raises (503) when none took a picture.
        """
        return self._json("POST", API + "/snapshot", body={})

    def snapshot_stereo(self):
        """``POST /api/v1/snapshot/stereo``: stills from the cameras marked stereo, taken together.

        Returns the same shape as :meth:`snapshot_all`, with ``skew_ms`` the measured spread of the capture
        times. Raises (503) when fewer than two stereo cameras are online.
        """
        return self._json("POST", API + "/snapshot/stereo", body={})

    def get_captures(self, camera=None, offset=None, limit=None):
        """``GET /api/v1/captures``: stored stills, newest first: ``{items, offset, limit, total}``."""
        return self._json("GET", API + "/captures", query={"camera": camera, "offset": offset, "limit": limit})

    def delete_capture(self, camera, file):
        """``DELETE /api/v1/captures/{camera}/{file}``: deletes a still and its sidecar (admin)."""
        self._request("DELETE", "%s/captures/%s/%s" % (API, _segment(camera, "camera"), _segment(file, "file")))

    def get_image_url(self, path):
        """The absolute URL of a server path such as a snapshot's ``image_url_path``."""
        if path is None:
            raise ObscuraClientError("no path given", field="path")
        path = str(path)
        if path.startswith(("http://", "https://")):
            return path
        return self.base_url + (path if path.startswith("/") else "/" + path)

    def download(self, path, dest):
        """Downloads a server path (or URL) to ``dest`` and returns the file's path.

        ``dest`` may be a folder (the file keeps the name in the path). The file is written under a temporary
        name and renamed when complete, so ``dest`` never holds half a picture. Only URLs on this client's
        server are fetched (credentials are not sent elsewhere).
        """
        url = self.get_image_url(path)
        if not url.startswith(self.base_url + "/"):
            raise ObscuraClientError("not a URL of this server: %s" % url, field="path", url=url)
        if os.path.isdir(dest):
            name = os.path.basename(urllib.parse.unquote(urllib.parse.urlsplit(url).path))
            if not name or name in (".", ".."):
                raise ObscuraClientError("cannot name a file after %s" % url, field="path", url=url)
            dest = os.path.join(dest, name)
        body = self._request("GET", url)[2]
        folder = os.path.dirname(os.path.abspath(dest))
        fd, temp = tempfile.mkstemp(prefix=".download-", dir=folder)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(body)
            os.replace(temp, dest)
        except BaseException:
            try:
                os.unlink(temp)
            except OSError:
                pass
            raise
        return dest

    def get_bytes(self, path):
        """The body of ``GET`` on a server path (e.g. an ``image_url_path``) as bytes."""
        return self._request("GET", self.get_image_url(path))[2]

    # ---- lights, sets ---------------------------------------------------------------------------------

    def get_lights(self):
        """``GET /api/v1/lights``: ``{states: {light: on}, gpio_available}`` (503 without a lights bundle)."""
        return self._json("GET", API + "/lights")

    def set_light(self, light, on):
        """``PUT /api/v1/lights/{light}``: switches one light (admin)."""
        return self._json("PUT", "%s/lights/%s" % (API, _segment(light, "light")), body={"on": bool(on)})

    def get_sets(self):
        """``GET /api/v1/sets``: the image sets, newest first."""
        return self._json("GET", API + "/sets")

    def get_set(self, name):
        """``GET /api/v1/sets/{name}``: one set with its files."""
        return self._json("GET", "%s/sets/%s" % (API, _segment(name, "set")))

    # ---- HTTP -----------------------------------------------------------------------------------------

    def _camera(self, name):
        return "%s/cameras/%s" % (API, _segment(name, "camera"))

    def _json(self, method, path, body=None, query=None, basic=False):
        status, _, data = self._request(method, path, body=body, query=query, basic=basic)
        if status == 204 or not data:
            return None
        try:
            return json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            raise ObscuraClientError("%s %s answered %d with a body that is not JSON: %s"
                                     % (method, path, status, e), status=status) from None

    def _request(self, method, path, body=None, query=None, basic=False):
        """Sends one request; returns ``(status, headers, body bytes)`` for 2xx, raises otherwise."""
        url = path if path.startswith(("http://", "https://")) else self.base_url + path
        if query:
            pairs = [(k, v if not isinstance(v, bool) else str(v).lower()) for k, v in query.items() if v is not None]
            if pairs:
                url += "?" + urllib.parse.urlencode(pairs)
        data = None
        headers = {"Accept": "application/json, application/problem+json;q=0.9, */*;q=0.5"}
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        if self.token and not basic:
            headers["Authorization"] = "Bearer " + self.token
        elif self.username and self.password is not None:
            pair = ("%s:%s" % (self.username, self.password)).encode("utf-8")
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as e:
            raise self._http_error(method, url, e) from None
        except (urllib.error.URLError, http.client.HTTPException, socket.timeout, OSError, ValueError) as e:
            reason = getattr(e, "reason", e)
            raise ObscuraClientError("%s %s failed: %s" % (method, url, reason), detail=str(reason),
                                     url=url) from None

    @staticmethod
    def _http_error(method, url, error):
        try:
            raw = error.read()
        except OSError:
            raw = b""
        finally:
            error.close()
        status = error.code
        problem = None
        detail = None
        field = None
        text = raw.decode("utf-8", "replace")
        try:
            parsed = json.loads(text) if text else None
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            problem = parsed
            # Problem documents say "detail"; the seed-compatible routes say "error" or "message".
            for key in ("detail", "error", "message", "title"):
                if isinstance(parsed.get(key), str) and parsed[key]:
                    detail = parsed[key]
                    break
            field = parsed.get("field") if isinstance(parsed.get("field"), str) else None
        if detail is None:
            detail = " ".join(text.split())[:_ERROR_TEXT_LIMIT] or (error.reason or "HTTP %d" % status)
        message = "%s %s answered %d: %s" % (method, url, status, detail)
        if field:
            message += " (field '%s')" % field
        return ObscuraClientError(message, status=status, detail=detail, field=field, problem=problem, url=url)


class SnapshotClient(ObscuraClient):
    """The Snapshot Server client's interface, on Obscura's REST API.

    ::

        client = SnapshotClient(base_url="http://your_server_ip:8080")
        cameras = client.get_cameras()                     # dicts with 'name'
        result = client.snapshot_camera(cameras[0]['name'])
        if result.get('success'):
            print(result['filename'], client.get_image_url(result['image_url_path']))

    Every ``results`` item of :meth:`snapshot_all` and :meth:`snapshot_stereo` also has ``filename`` and
    ``image_url_path``. Errors raise :data:`SnapshotClientError` (the same class as ObscuraClientError).
    """

    def __init__(self, base_url, timeout=DEFAULT_TIMEOUT, **credentials):
        super().__init__(base_url, timeout=timeout, **credentials)

    def snapshot_all(self):
        return self._with_seed_names(super().snapshot_all())

    def snapshot_stereo(self):
        return self._with_seed_names(super().snapshot_stereo())

    @staticmethod
    def _with_seed_names(answer):
        if isinstance(answer, dict):
            for item in answer.get("results") or []:
                if isinstance(item, dict):
                    item.setdefault("filename", item.get("file"))
                    item.setdefault("image_url_path", item.get("url"))
        return answer


def main(argv=None):
    """The command line: prints the answer as JSON; exit status 1 with the error on standard error."""
    parser = argparse.ArgumentParser(description="Obscura camera server client")
    parser.add_argument("--url", default=os.environ.get("OBSCURA_URL", "http://localhost:8080"),
                        help="server URL (default: $OBSCURA_URL or http://localhost:8080)")
    parser.add_argument("--token", default=os.environ.get("OBSCURA_TOKEN"), help="bearer token ($OBSCURA_TOKEN)")
    parser.add_argument("--user", default="admin", help="user for --password (default admin)")
    parser.add_argument("--password", default=os.environ.get("OBSCURA_ADMIN_PASSWORD"),
                        help="password, sent as HTTP Basic ($OBSCURA_ADMIN_PASSWORD)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per request")
    commands = parser.add_subparsers(dest="command", metavar="command")
    commands.required = True
    commands.add_parser("cameras", help="list the cameras")
    snap = commands.add_parser("snap", help="store a still of one camera")
    snap.add_argument("name")
    commands.add_parser("snap-all", help="store a still of every online camera")
    commands.add_parser("snap-stereo", help="store stills of the stereo cameras together")
    commands.add_parser("health", help="server health")
    frame = commands.add_parser("frame", help="save the current picture of a camera")
    frame.add_argument("name")
    frame.add_argument("-o", "--output", required=True, help="file to write")
    get = commands.add_parser("download", help="download a server path, e.g. an image_url_path")
    get.add_argument("path")
    get.add_argument("dest")
    args = parser.parse_args(argv)

    try:
        client = ObscuraClient(args.url, token=args.token, username=args.user if args.password else None,
                               password=args.password, timeout=args.timeout)
        if args.command == "cameras":
            answer = client.get_cameras()
        elif args.command == "snap":
            answer = client.snapshot_camera(args.name)
        elif args.command == "snap-all":
            answer = client.snapshot_all()
        elif args.command == "snap-stereo":
            answer = client.snapshot_stereo()
        elif args.command == "health":
            answer = client.health()
        elif args.command == "frame":
            data = client.get_frame(args.name)
            with open(args.output, "wb") as out:
                out.write(data)
            answer = {"file": args.output, "size": len(data)}
        else:
            answer = {"file": client.download(args.path, args.dest)}
    except ObscuraClientError as e:
        print("error: %s" % e, file=sys.stderr)
        return 1
    try:
        json.dump(answer, sys.stdout, indent=2)
        sys.stdout.write("\n")
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader (head, less) left early: not an error of this command.
        sys.stderr.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
