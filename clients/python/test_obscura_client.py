"""Tests of obscura_client.py against a running Obscura server (standard library only).

    OBSCURA_URL=http://127.0.0.1:8080 python3 -m unittest -v clients/python/test_obscura_client.py

The server needs the test-pattern driver (its built-in camera, or any online camera, is used). Tests that
change something (cameras, settings) send the administrator's password from OBSCURA_ADMIN_PASSWORD when it is
set; on a server with authentication and no password given they are skipped, saying why.

Without OBSCURA_URL every test is skipped, visibly; with OBSCURA_REQUIRE_PEERS=1 (CI) they fail instead.
The tests leave the server as they found it: cameras they make are deleted again.
"""

import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from obscura_client import (  # noqa: E402
    ObscuraClient, ObscuraClientError, SnapshotClient, SnapshotClientError)

URL = os.environ.get("OBSCURA_URL", "").strip()
PASSWORD = os.environ.get("OBSCURA_ADMIN_PASSWORD") or None
REQUIRE = os.environ.get("OBSCURA_REQUIRE_PEERS") == "1"
CLIENT_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "obscura_client.py")
# Generous: the server may run on a slow, busy two-core machine.
WAIT_SECONDS = 30.0
# Camera names made by these tests; deleted again even when a test fails.
PREFIX = "pyclient"


def setUpModule():
    if not URL:
        if REQUIRE:
            raise RuntimeError("OBSCURA_URL is not set and OBSCURA_REQUIRE_PEERS=1: no server to test against")
        raise unittest.SkipTest("OBSCURA_URL is not set: no running Obscura server to test the client against")


def jpeg_size(data):
    """(width, height) from a JPEG's first start-of-frame marker; fails on anything that is not a JPEG."""
    if data[:2] != b"\xff\xd8":
        raise AssertionError("not a JPEG (no start-of-image marker): %r" % data[:16])
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            raise AssertionError("corrupt JPEG marker at %d" % i)
        marker = data[i + 1]
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[i + 5:i + 9])
            return width, height
        i += 2 + length
    raise AssertionError("JPEG without a start-of-frame marker")


def wait_for(what, condition):
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("waited %.0f s for %s" % (WAIT_SECONDS, what))
        time.sleep(0.1)


def has_auth(client):
    """Whether the server has authentication (GET /api/v1/auth exists)."""
    try:
        client.auth_status()
        return True
    except ObscuraClientError as e:
        if e.status == 404:
            return False
        raise


def online_camera(client):
    """The name of an online camera, waiting for one (cameras come back a moment after others are deleted)."""
    def find():
        for camera in client.get_cameras():
            if camera.get("state") in ("online", "streaming"):
                return camera["name"]
        return None
    return wait_for("an online camera", find)


class ServerTestCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.client = ObscuraClient(URL, username="admin" if PASSWORD else None, password=PASSWORD)
        cls.anonymous = ObscuraClient(URL)
        cls.auth = has_auth(cls.anonymous)

    def require_admin(self):
        if self.auth and not PASSWORD:
            self.skipTest("the server has authentication and OBSCURA_ADMIN_PASSWORD is not set")


class ReadTest(ServerTestCase):
    def test_health_is_ok(self):
        health = self.client.health()
        self.assertIn(health["status"], ("ok", "degraded"))
        self.assertGreaterEqual(health["cameras"]["online"], 1, health)

    def test_cameras_are_listed_with_their_names(self):
        cameras = self.client.get_cameras()
        self.assertIsInstance(cameras, list)
        self.assertTrue(cameras, "no camera")
        name = online_camera(self.client)
        camera = self.client.get_camera(name)
        self.assertEqual(name, camera["name"])
        self.assertIn("mode", camera)

    def test_drivers_include_the_test_pattern_driver(self):
        ids = [d["id"] for d in self.client.get_drivers()]
        self.assertIn("testpattern", ids)
        self.assertEqual("testpattern", self.client.get_driver("testpattern")["id"])

    def test_frame_is_a_jpeg_and_scales(self):
        name = online_camera(self.client)
        width, height = jpeg_size(self.client.get_frame(name))
        self.assertGreater(width, 0)
        small = jpeg_size(self.client.get_frame(name, width=width // 2))
        self.assertEqual(width // 2, small[0])
        png = self.client.get_frame(name, format="png")
        self.assertEqual(b"\x89PNG", png[:4])
        w, h, raw = self.client.get_frame_raw(name)
        self.assertEqual(w * h * 3, len(raw))

    def test_settings_are_read(self):
        name = online_camera(self.client)
        settings = self.client.get_settings(name)
        self.assertTrue(settings, "the camera has no settings")
        first = settings[0]
        self.assertEqual(first["name"], self.client.get_setting(name, first["name"])["name"])

    def test_image_url_joins_the_base(self):
        client = ObscuraClient(URL + "/")
        self.assertEqual(URL.rstrip("/") + "/api/v1/captures/a/b.jpg",
                         client.get_image_url("/api/v1/captures/a/b.jpg"))
        self.assertEqual(URL.rstrip("/") + "/x", client.get_image_url("x"))


class SnapshotTest(ServerTestCase):
    def test_snapshot_is_stored_and_served_back(self):
        name = online_camera(self.client)
        result = self.client.snapshot_camera(name, metadata={"test": "python client"})
        self.assertTrue(result["success"], result)
        self.assertTrue(result["filename"].endswith(".jpg"), result)
        data = self.client.get_bytes(result["image_url_path"])
        self.assertEqual(result["size"], len(data))
        self.assertEqual((result["width"], result["height"]), jpeg_size(data))
        with tempfile.TemporaryDirectory() as folder:
            path = self.client.download(result["image_url_path"], folder)
            self.assertEqual(result["filename"], os.path.basename(path))
            with open(path, "rb") as f:
                self.assertEqual(data, f.read())
            named = self.client.download(result["image_url_path"], os.path.join(folder, "copy.jpg"))
            self.assertEqual(len(data), os.path.getsize(named))
            self.assertEqual(["copy.jpg", result["filename"]], sorted(os.listdir(folder)),
                             "a temporary download file was left behind")
        captures = self.client.get_captures(camera=name, limit=1000)
        self.assertIn(result["filename"], [c.get("file") for c in captures["items"]], captures)

    def test_snapshot_all_takes_every_online_camera(self):
        online = [c["name"] for c in self.client.get_cameras() if c.get("state") in ("online", "streaming")]
        result = self.client.snapshot_all()
        self.assertEqual("all", result["mode"])
        self.assertTrue(result["success"], result)
        self.assertEqual(sorted(online), sorted(r["camera"] for r in result["results"]))

    def test_download_refuses_other_servers(self):
        with tempfile.TemporaryDirectory() as folder:
            with self.assertRaises(ObscuraClientError) as caught:
                self.client.download("http://example.invalid/x.jpg", folder)
            self.assertEqual("path", caught.exception.field)
            self.assertEqual([], os.listdir(folder))


class ErrorTest(ServerTestCase):
    def test_unknown_camera_is_a_404_naming_it(self):
        with self.assertRaises(ObscuraClientError) as caught:
            self.client.get_camera("nosuchcam")
        self.assertEqual(404, caught.exception.status)
        self.assertIn("nosuchcam", caught.exception.detail)
        self.assertIn("nosuchcam", str(caught.exception))

    def test_malformed_name_is_a_400_naming_the_field(self):
        for bad in ("Bad Name!", "../etc", "a/b"):
            with self.assertRaises(ObscuraClientError) as caught:
                self.client.snapshot_camera(bad)
            self.assertEqual(400, caught.exception.status, bad)
            self.assertTrue(caught.exception.detail, bad)

    def test_empty_name_is_refused_before_sending(self):
        with self.assertRaises(ObscuraClientError) as caught:
            self.client.get_camera("")
        self.assertIsNone(caught.exception.status)
        self.assertEqual("camera", caught.exception.field)

    def test_unreachable_server_is_the_same_error_type(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        # Nothing listens on the port any more: the connection is refused.
        client = ObscuraClient("http://127.0.0.1:%d" % port, timeout=5)
        with self.assertRaises(ObscuraClientError) as caught:
            client.health()
        self.assertIsNone(caught.exception.status)
        self.assertTrue(caught.exception.detail)

    def test_bad_base_url_is_refused(self):
        with self.assertRaises(ObscuraClientError):
            ObscuraClient("localhost:8080")

    def test_anonymous_changes_are_refused_when_the_server_has_authentication(self):
        if not self.auth:
            self.skipTest("the server has no authentication")
        with self.assertRaises(ObscuraClientError) as caught:
            self.anonymous.create_camera("testpattern", PREFIX + "-anon")
        self.assertEqual(401, caught.exception.status)
        self.assertTrue(caught.exception.detail)
        self.assertNotIn(PREFIX + "-anon", [c["name"] for c in self.client.get_cameras()])

    def test_stereo_without_two_stereo_cameras_is_a_503(self):
        stereo = [c for c in self.client.get_cameras() if c.get("stereo") and c.get("state") != "offline"]
        if len(stereo) >= 2:
            self.skipTest("the server has %d stereo cameras" % len(stereo))
        with self.assertRaises(ObscuraClientError) as caught:
            self.client.snapshot_stereo()
        self.assertEqual(503, caught.exception.status)
        self.assertIn("stereo", caught.exception.detail)


class AdminTest(ServerTestCase):
    """Cameras made and deleted, settings written: the administrator's calls."""

    def setUp(self):
        self.require_admin()
        self.made = []

    def tearDown(self):
        for name in self.made:
            try:
                self.client.delete_camera(name)
            except ObscuraClientError as e:
                if e.status != 404:
                    raise
        if self.made:
            wait_for("the test cameras to go", lambda: not any(
                c["name"] in self.made for c in self.client.get_cameras()))
            online_camera(self.client)

    def create(self, name, **properties):
        answer = self.client.create_camera("testpattern", name, **properties)
        self.made.append(name)
        return answer

    def test_create_snapshot_stereo_and_delete(self):
        left, right = PREFIX + "-left", PREFIX + "-right"
        created = self.create(left, width=320, height=240, stereo=True, **{"stereo.order": 0})
        self.assertEqual("testpattern", created["driver"])
        self.assertEqual(320, created["properties"]["width"])
        self.create(right, width=320, height=240, stereo=True, **{"stereo.order": 1})
        wait_for("both stereo cameras online", lambda: all(
            c.get("state") in ("online", "streaming") for c in self.client.get_cameras()
            if c["name"] in (left, right)) and len(
            [c for c in self.client.get_cameras() if c["name"] in (left, right)]) == 2)

        stereo = SnapshotClient(URL, username="admin" if PASSWORD else None, password=PASSWORD).snapshot_stereo()
        self.assertTrue(stereo["success"], stereo)
        self.assertEqual([left, right], sorted(r["camera"] for r in stereo["results"]))
        self.assertIsNotNone(stereo["skew_ms"])
        for item in stereo["results"]:
            self.assertEqual((320, 240), jpeg_size(self.client.get_bytes(item["image_url_path"])))

        with self.assertRaises(ObscuraClientError) as caught:
            self.create(left)
        self.assertEqual(409, caught.exception.status)

        self.client.delete_camera(left)
        wait_for("the deleted camera to go", lambda: left not in [c["name"] for c in self.client.get_cameras()])
        with self.assertRaises(ObscuraClientError) as caught:
            self.client.delete_camera(left)
        self.assertEqual(404, caught.exception.status)

    def test_wrong_property_type_names_the_field(self):
        with self.assertRaises(ObscuraClientError) as caught:
            self.create(PREFIX + "-typed", width="abc")
        self.assertEqual(400, caught.exception.status)
        self.assertEqual("width", caught.exception.field)
        with self.assertRaises(ObscuraClientError) as caught:
            self.client.create_camera("nosuchdriver", PREFIX + "-nodriver")
        self.assertEqual("driver", caught.exception.field)

    def test_setting_is_written_and_read_back(self):
        name = online_camera(self.client)
        settings = self.client.get_settings(name)
        ranged = [s for s in settings if s.get("type") in ("INTEGER", "RANGE") and not s.get("readOnly")
                  and s.get("min") is not None and s.get("max") is not None]
        if not ranged:
            self.skipTest("camera %s has no writable numeric setting" % name)
        setting = ranged[0]
        before = setting["value"]
        target = setting["min"] if before != setting["min"] else setting["max"]
        try:
            written = self.client.set_setting(name, setting["name"], target)
            self.assertEqual(target, written["value"])
            self.assertEqual(target, self.client.get_setting(name, setting["name"])["value"])
            with self.assertRaises(ObscuraClientError) as caught:
                self.client.set_setting(name, setting["name"], setting["max"] + 1000)
            self.assertEqual(400, caught.exception.status)
            self.assertEqual("value", caught.exception.field)
        finally:
            self.client.set_setting(name, setting["name"], before)


class LoginTest(ServerTestCase):
    def test_login(self):
        client = ObscuraClient(URL, username="admin", password=PASSWORD or "not-the-password")
        if not self.auth:
            with self.assertRaises(ObscuraClientError) as caught:
                client.login()
            self.assertIn("no authentication", str(caught.exception))
            return
        if not PASSWORD:
            with self.assertRaises(ObscuraClientError) as caught:
                client.login()
            self.assertEqual(401, caught.exception.status)
            return
        answer = client.login()
        self.assertTrue(answer["token"])
        self.assertEqual(answer["token"], client.token)
        bearer = ObscuraClient(URL, token=answer["token"])
        status = bearer.auth_status()
        self.assertTrue(status["authenticated"], status)
        self.assertEqual("admin", status["user"])

    def test_login_needs_credentials(self):
        with self.assertRaises(ObscuraClientError):
            ObscuraClient(URL).login()


class SnapshotClientTest(ServerTestCase):
    """The Snapshot Server client's example, unchanged but for the import."""

    def test_seed_example(self):
        client = SnapshotClient(base_url=URL)
        cameras = client.get_cameras()
        self.assertTrue([cam["name"] for cam in cameras])
        name = online_camera(client)
        result = client.snapshot_camera(name)
        self.assertTrue(result.get("success"), result)
        self.assertTrue(result["filename"])
        url = client.get_image_url(result["image_url_path"])
        self.assertTrue(url.startswith(URL.rstrip("/") + "/"), url)
        jpeg_size(client.get_bytes(url))

    def test_snapshot_all_items_have_the_seed_names(self):
        result = SnapshotClient(URL).snapshot_all()
        for item in result["results"]:
            self.assertTrue(item["filename"])
            self.assertTrue(item["image_url_path"].startswith("/"))

    def test_error_alias(self):
        self.assertIs(ObscuraClientError, SnapshotClientError)
        with self.assertRaises(SnapshotClientError):
            SnapshotClient(URL).snapshot_camera("nosuchcam")


class CommandLineTest(ServerTestCase):
    def run_cli(self, *args):
        return subprocess.run([sys.executable, CLIENT_SCRIPT, "--url", URL] + list(args),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                              timeout=WAIT_SECONDS * 2)

    def test_cameras_and_snap(self):
        done = self.run_cli("cameras")
        self.assertEqual(0, done.returncode, done.stderr)
        names = [c["name"] for c in json.loads(done.stdout)]
        self.assertTrue(names)
        name = online_camera(self.client)
        done = self.run_cli("snap", name)
        self.assertEqual(0, done.returncode, done.stderr)
        self.assertTrue(json.loads(done.stdout)["success"])
        done = self.run_cli("snap-all")
        self.assertEqual(0, done.returncode, done.stderr)
        self.assertEqual("all", json.loads(done.stdout)["mode"])

    def test_error_exits_1_with_the_detail(self):
        done = self.run_cli("snap", "nosuchcam")
        self.assertEqual(1, done.returncode)
        self.assertIn("404", done.stderr)
        self.assertIn("nosuchcam", done.stderr)
        self.assertEqual("", done.stdout)


if __name__ == "__main__":
    unittest.main()
