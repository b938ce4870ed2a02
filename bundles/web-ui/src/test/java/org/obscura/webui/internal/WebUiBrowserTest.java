package org.obscura.webui.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web UI in headless Chromium. By default against the real {@link UiServlet} and {@link RootRedirectServlet}
 * in an embedded Jetty 12 with {@link FakeObscuraApi} at /api; with the system property {@code obscura.ui.baseUrl}
 * (e.g. {@code http://127.0.0.1:8080}) against a running Obscura server instead (its admin password in
 * {@code obscura.ui.password}, a test-pattern driver and lights needed); the tests that need the fake's hooks are
 * then skipped. With {@code obscura.ui.serverJar} (the exported obscura.jar) the tests start that server themselves
 * ({@link ObscuraServerProcess}) and stop it afterwards. The tests run in order and build on each other (the camera
 * added is used afterwards).
 * Each one leaves a screenshot in target/screenshots/ (system property {@code obscura.screenshots}).
 *
 * <p>Chromium and chromedriver are real peers: missing, the tests are skipped saying why, unless
 * {@code OBSCURA_REQUIRE_PEERS=1}, which makes them fail.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebUiBrowserTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String CAMERA = "garden";

    private static Server server;
    private static FakeObscuraApi fake;
    private static ObscuraServerProcess realServer;
    private static String base;
    private static String password;
    private static ChromeDriver browser;
    private static Path profile;
    private String testName;

    @BeforeAll
    static void start() throws Exception {
        String chromium = System.getProperty("obscura.chromium", "/usr/bin/chromium");
        String chromedriver = System.getProperty("webdriver.chrome.driver", "/usr/bin/chromedriver");
        boolean present = Files.isExecutable(Path.of(chromium)) && Files.isExecutable(Path.of(chromedriver));
        require(present, "headless browser tests need Chromium (" + chromium + ") and chromedriver (" + chromedriver
                + "): apt-get install chromium chromium-driver");

        String external = System.getProperty("obscura.ui.baseUrl", "");
        String serverJar = System.getProperty("obscura.ui.serverJar", "");
        if (!serverJar.isBlank()) {
            Path jar = Path.of(serverJar);
            realServer = ObscuraServerProcess.start(jar, Path.of(System.getProperty("obscura.ui.serverDir",
                    jar.resolveSibling("ui-server").toString())));
            base = realServer.base;
            password = realServer.password;
        } else if (external.isBlank()) {
            fake = new FakeObscuraApi();
            server = new Server();
            ServerConnector connector = new ServerConnector(server);
            connector.setHost("127.0.0.1");
            connector.setPort(0);
            server.addConnector(connector);
            ServletContextHandler context = new ServletContextHandler();
            context.addServlet(new ServletHolder(new UiServlet()), "/ui/*");
            context.addServlet(new ServletHolder(new UiServlet()), "/ui");
            context.addServlet(new ServletHolder(new RootRedirectServlet()), "");
            context.addServlet(new ServletHolder(fake), "/api/*");
            server.setHandler(context);
            server.start();
            base = "http://127.0.0.1:" + connector.getLocalPort();
            password = FakeObscuraApi.PASSWORD;
        } else {
            base = external.replaceAll("/+$", "");
            password = System.getProperty("obscura.ui.password", "");
        }

        profile = Files.createTempDirectory("obscura-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium);
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,900", "--user-data-dir=" + profile);
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of(chromedriver).toFile()).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().scriptTimeout(WAIT);
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (fake != null) {
            fake.stop();
        }
        if (realServer != null) {
            realServer.close();
        }
        if (server != null) {
            server.stop();
        }
        if (profile != null) {
            try (var walk = Files.walk(profile)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @BeforeEach
    void name(TestInfo info) {
        testName = info.getTestMethod().orElseThrow().getName();
        browser.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 900));
    }

    @AfterEach
    void screenshot() throws IOException {
        shot(testName);
    }

    // ------------------------------------------------------------------------------------------ tests

    @Test
    @Order(1)
    void rootOpensTheLiveViewWithoutConsoleErrors() {
        browser.get(base + "/");
        waitFor(() -> browser.getCurrentUrl().contains("/ui/"));
        WebElement grid = waitFor(By.id("live-grid"));
        waitFor(() -> !grid.findElements(By.cssSelector(".camera-card")).isEmpty());
        waitFor(() -> "connected".equals(js("return document.getElementById('conn').title.replace('Live updates: ','')")));
        assertStreamShowsAPicture(grid.findElement(By.cssSelector(".camera-card img")));
        assertNoConsoleErrors(false);
        // Phone width: the navigation and one card per row fit without horizontal scrolling.
        browser.manage().window().setSize(new org.openqa.selenium.Dimension(390, 844));
        waitFor(() -> ((Number) js("return document.documentElement.scrollWidth")).intValue()
                <= ((Number) js("return window.innerWidth")).intValue());
        shot("live-phone");
    }

    @Test
    @Order(2)
    void badFormValuesShowInlineErrorsBeforeAndFromTheServer() {
        openAddCameraForm();
        WebElement name = browser.findElement(By.id("f-name"));
        name.clear();
        name.sendKeys("Bad Name");
        int posts = fake == null ? 0 : fake.cameraPosts.get();
        browser.findElement(By.id("save-camera")).click();
        // Checked in the browser: nothing is sent, the message is next to the field.
        assertTrue(fieldError("name").contains("lower case"), fieldError("name"));
        if (fake != null) {
            assertEquals(posts, fake.cameraPosts.get(), "an invalid form must not be sent");
        }
        WebElement width = browser.findElement(By.id("f-width"));
        width.clear();
        width.sendKeys("12x");
        browser.findElement(By.id("save-camera")).click();
        assertTrue(fieldError("width").contains("whole number"), fieldError("width"));

        // Refused by the server: its problem detail shows under the field the problem names.
        name.clear();
        name.sendKeys(CAMERA);
        width.clear();
        width.sendKeys("99999");
        browser.findElement(By.id("save-camera")).click();
        loginIfAsked();
        waitFor(() -> !fieldError("width").isEmpty());
        assertTrue(fieldError("width").contains("99999"), fieldError("width"));
        assertEquals("true", browser.findElement(By.id("f-width")).getAttribute("aria-invalid"));
        assertTrue(fieldError("name").isEmpty(), "the fixed name's error is gone: " + fieldError("name"));
    }

    @Test
    @Order(3)
    void addATestPatternCameraThroughTheFormAndSeeItsStream() {
        openAddCameraForm();
        // Discovery answers after the form is shown: wait for the device list, then for the modes.
        waitFor(() -> browser.findElements(By.cssSelector("#device-select option")).size() > 1);
        new Select(browser.findElement(By.id("device-select"))).selectByIndex(1);
        waitFor(() -> "pattern".equals(browser.findElement(By.id("f-device")).getAttribute("value")));
        waitFor(() -> browser.findElements(By.cssSelector("#mode-select option")).size() > 3);
        new Select(browser.findElement(By.id("mode-select"))).selectByIndex(3);
        assertEquals("320", browser.findElement(By.id("f-width")).getAttribute("value"), "the mode fills the form");
        browser.findElement(By.id("f-name")).sendKeys(CAMERA);
        browser.findElement(By.id("f-label")).clear();
        browser.findElement(By.id("f-label")).sendKeys("Garden");
        browser.findElement(By.id("save-camera")).click();
        loginIfAsked();
        waitFor(() -> browser.getCurrentUrl().endsWith("#/settings"));
        waitFor(By.cssSelector("#camera-table tr[data-camera='" + CAMERA + "']"));

        open("/live");
        WebElement img = waitFor(By.cssSelector(".camera-card[data-camera='" + CAMERA + "'] img"));
        assertStreamShowsAPicture(img);
    }

    @Test
    @Order(4)
    void cameraGoingOfflineShowsWithoutReload() {
        assumeTrue(fake != null, "needs the fake API's event hook");
        open("/live");
        WebElement card = waitFor(By.cssSelector(".camera-card[data-camera='bench']"));
        waitFor(() -> card.findElement(By.cssSelector("[data-role=state]")).getText().equals("streaming"));
        assertStreamShowsAPicture(card.findElement(By.cssSelector("img")));
        js("window.__marker = 42");
        fake.setState("bench", "offline");
        fake.emit("camera/offline", Map.of("camera", "bench", "driver", "testpattern", "reason", "unplugged"));
        waitFor(() -> card.findElement(By.cssSelector("[data-role=state]")).getText().equals("offline"));
        assertEquals(42L, js("return window.__marker"), "the page was not reloaded");
        fake.setState("bench", "streaming");
        fake.emit("camera/online", Map.of("camera", "bench", "driver", "testpattern"));
        waitFor(() -> card.findElement(By.cssSelector("[data-role=state]")).getText().equals("streaming"));
    }

    @Test
    @Order(5)
    void snapshotThenFindItInTheGallery() {
        open("/camera/" + CAMERA);
        waitFor(By.id("snap-this")).click();
        loginIfAsked();
        WebElement link = waitFor(By.cssSelector("#snapshot-result a"));
        String file = link.getText();
        assertTrue(file.endsWith(".jpg"), file);

        open("/captures");
        WebElement thumb = waitFor(By.cssSelector("#capture-grid .thumb[data-file='" + file + "'] img"));
        waitFor(() -> ((Number) js("return arguments[0].naturalWidth", thumb)).intValue() > 0);
        thumb.click();
        WebElement full = waitFor(By.id("viewer-image"));
        waitFor(() -> ((Number) js("return arguments[0].naturalWidth", full)).intValue() > 0);
        shot("capture-viewer");
        js("document.getElementById('viewer-dialog').close()");

        if (fake != null) {
            // A capture made elsewhere (another client, a sequence) appears without reload.
            Map<String, Object> other = fake.storeCapture("bench");
            fake.emit("capture/done", Map.of("camera", "bench", "path", other.get("path"), "url", other.get("url")));
            waitFor(By.cssSelector("#capture-grid .thumb[data-file='" + other.get("file") + "']"));
        }
    }

    @Test
    @Order(6)
    void changeASettingAndSeeTheServersRefusal() {
        open("/camera/" + CAMERA);
        WebElement brightness = waitFor(By.cssSelector("#camera-settings input[type=number]#set-brightness"));
        brightness.clear();
        brightness.sendKeys("70\n");
        loginIfAsked();
        if (fake != null) {
            waitFor(() -> Integer.valueOf(70).equals(fake.setting("brightness")));
        }
        browser.navigate().refresh();
        WebElement again = waitFor(By.cssSelector("#set-brightness"));
        waitFor(() -> "70".equals(again.getAttribute("value")));

        again.clear();
        again.sendKeys("500\n");
        WebElement error = waitFor(By.cssSelector(".setting[data-setting=brightness] .field-error"));
        waitFor(() -> error.isDisplayed() && error.getText().contains("500"));
    }

    @Test
    @Order(7)
    void toggleALight() {
        open("/lab");
        WebElement left = waitFor(By.id("light-left"));
        boolean before = left.isSelected();
        js("arguments[0].click()", left);
        loginIfAsked();
        if (fake != null) {
            waitFor(() -> fake.light("left") != before);
        }
        browser.navigate().refresh();
        WebElement again = waitFor(By.id("light-left"));
        waitFor(() -> again.isSelected() != before);
    }

    @Test
    @Order(8)
    void runASequenceAndWatchProgressReach100() throws Exception {
        open("/lab");
        waitFor(By.cssSelector("#sequence-add button[data-add='left']")).click();
        browser.findElement(By.cssSelector("#sequence-add button[data-add='right']")).click();
        assertEquals(2, browser.findElements(By.cssSelector("#sequence-steps .chip")).size());
        // The camera added above takes the pictures (not the sequencer's configured default).
        js("arguments[0].click()", browser.findElement(By.cssSelector("#sequence-cameras input[data-camera='" + CAMERA + "']")));
        browser.findElement(By.id("start-sequence")).click();
        loginIfAsked();
        WebElement bar = browser.findElement(By.id("sequence-progress"));
        // Seen on the way (from events), then the end.
        waitFor(() -> {
            String v = bar.getAttribute("aria-valuenow");
            return v != null && !v.equals("0") || browser.findElement(By.id("sequence-status")).getText().startsWith("Completed");
        });
        waitFor(() -> "100".equals(bar.getAttribute("aria-valuenow")));
        waitFor(() -> browser.findElement(By.id("sequence-status")).getText().startsWith("Completed"));
        WebElement row = waitFor(By.cssSelector("#set-table tr[data-set]"));

        // Each set offers its ZIP; the link's target is fetched outside the browser (a click would only download).
        String set = row.getAttribute("data-set");
        WebElement zip = row.findElement(By.cssSelector("a[data-role='archive']"));
        assertEquals("Download zip", zip.getText());
        assertEquals(set + ".zip", zip.getAttribute("download"));
        String href = zip.getAttribute("href");
        assertTrue(href.startsWith(base + "/api/v1/sets/" + set + "/archive"), href);
        assertZipOfSet(href, set, 200);
        if (fake != null) {
            // Viewing closed: links send no Authorization header, so the token rides on the URL.
            fake.viewingOpen = false;
            try {
                open("/lab");
                String token = (String) js("return sessionStorage.getItem('obscura.token')");
                assertTrue(token != null && !token.isEmpty(), "logged in to start the sequence");
                String closed = waitFor(By.cssSelector("#set-table tr[data-set='" + set + "'] a[data-role='archive']"))
                        .getAttribute("href");
                assertEquals(base + "/api/v1/sets/" + set + "/archive?token=" + token, closed);
                assertZipOfSet(closed, set, 200);
                assertZipOfSet(base + "/api/v1/sets/" + set + "/archive", set, 401);
            } finally {
                fake.viewingOpen = true;
            }
        }
    }

    /** GETs a set's archive URL; with 200 it must be a ZIP whose entries lie in the set's folder. */
    private static void assertZipOfSet(String url, String set, int status) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(url)).timeout(WAIT).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(status, r.statusCode(), url);
        if (status != 200) {
            return;
        }
        assertEquals("application/zip", r.headers().firstValue("Content-Type").orElse(""));
        assertEquals("attachment; filename=\"" + set + ".zip\"", r.headers().firstValue("Content-Disposition").orElse(""));
        List<String> names = new java.util.ArrayList<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(r.body()))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                names.add(e.getName());
            }
        }
        assertTrue(names.contains(set + "/manifest.json"), names.toString());
        assertTrue(names.stream().allMatch(n -> n.startsWith(set + "/")), names.toString());
    }

    @Test
    @Order(9)
    void systemPageShowsHealthDriversBundlesAndInstallsAPlugin() throws IOException {
        open("/system");
        WebElement encoder = waitFor(By.cssSelector("#health td[data-key='JPEG encoder']"));
        assertTrue(!encoder.getText().isBlank());
        waitFor(By.cssSelector("#drivers tr[data-driver='testpattern']"));
        assertEquals(base + "/system/console", browser.findElement(By.id("console-link")).getAttribute("href"));
        // Logged in earlier in this tab (the token is kept in sessionStorage): the admin lists load at once,
        // or the page says the plugins bundle is not running (a server without it).
        waitFor(() -> !browser.findElements(By.cssSelector("#bundle-table tr[data-bundle='org.obscura.webui']")).isEmpty()
                || browser.findElement(By.id("plugins")).getText().contains("plugins bundle is not running"));
        if (fake != null) {
            waitFor(By.cssSelector("#bundle-table tr[data-bundle='org.obscura.webui']"));
            waitFor(By.cssSelector("#feature-table tr[data-feature='lab']"));
            Path jar = Files.createTempFile("plugin-", ".jar");
            Files.write(jar, new byte[] {'P', 'K', 3, 4, 0, 0});
            browser.findElement(By.id("plugin-file")).sendKeys(jar.toString());
            browser.findElement(By.id("install-plugin")).click();
            waitFor(By.cssSelector("#bundle-table tr[data-bundle='org.acme.plugin']"));
            Files.delete(jar);
        }
        assertNoConsoleErrors(true);
    }

    // ------------------------------------------------------------------------------------------ steps

    /** A full page load of the app at a route (a changed query, so even the same route loads afresh). */
    private static void open(String route) {
        browser.get(base + "/ui/?load=" + System.nanoTime() + "#" + route);
    }

    private void openAddCameraForm() {
        open("/settings/new");
        new Select(waitFor(By.id("driver-select"))).selectByValue(System.getProperty("obscura.ui.driver", "testpattern"));
        waitFor(By.id("f-name"));
    }

    /**
     * Answers the login dialog when the server asks for the administrator (once per browser session: the UI keeps
     * the token in the tab's sessionStorage). Without a token the change is refused and the dialog follows, however
     * long a busy machine takes, so that wait is as long as any other; with one, a short look is enough, for a
     * token the server no longer takes.
     */
    private void loginIfAsked() {
        boolean hasToken = Boolean.TRUE.equals(js("return sessionStorage.getItem('obscura.token') !== null"));
        try {
            new WebDriverWait(browser, hasToken ? Duration.ofSeconds(2) : WAIT)
                    .until(d -> d.findElement(By.id("login-dialog")).isDisplayed());
        } catch (org.openqa.selenium.TimeoutException e) {
            return;
        }
        shot(testName + "-login");
        WebElement field = browser.findElement(By.cssSelector("#login-form input[name=password]"));
        field.sendKeys(password);
        browser.findElement(By.id("login-submit")).click();
        waitFor(() -> !browser.findElement(By.id("login-dialog")).isDisplayed());
    }

    private String fieldError(String field) {
        return browser.findElement(By.cssSelector(".field[data-field='" + field + "'] .field-error")).getText();
    }

    /** The stream decodes to a real picture: drawn on a canvas, its pixels are not all one colour. */
    private void assertStreamShowsAPicture(WebElement img) {
        waitFor(() -> ((Number) js("return arguments[0].naturalWidth", img)).intValue() > 0);
        Object spread = js("""
                const img = arguments[0];
                const c = document.createElement('canvas');
                c.width = 64; c.height = 48;
                const g = c.getContext('2d');
                g.drawImage(img, 0, 0, 64, 48);
                const d = g.getImageData(0, 0, 64, 48).data;
                let min = 255, max = 0;
                for (let i = 0; i < d.length; i += 4) { const y = (d[i] + d[i + 1] + d[i + 2]) / 3; min = Math.min(min, y); max = Math.max(max, y); }
                return max - min;""", img);
        assertTrue(((Number) spread).doubleValue() > 40, "the stream looks blank: brightness spread " + spread);
    }

    /** Console errors other than the HTTP statuses the tests cause on purpose (401 before login, 400/409). */
    private void assertNoConsoleErrors(boolean allowExpectedHttpErrors) {
        List<LogEntry> severe = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .filter(e -> !(allowExpectedHttpErrors && e.getMessage().matches(
                        "(?s).*the server responded with a status of (400|401|409) .*")))
                // A server without the plugins bundle: the System page says so.
                .filter(e -> !(allowExpectedHttpErrors && e.getMessage().matches(
                        "(?s).*/api/v1/(bundles|features) - .*status of 404 .*")))
                .toList();
        if (!severe.isEmpty()) {
            fail("browser console errors: " + severe);
        }
    }

    private static Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    private static WebElement waitFor(By by) {
        return new WebDriverWait(browser, WAIT).until(d -> {
            List<WebElement> found = d.findElements(by);
            return found.isEmpty() || !found.get(0).isDisplayed() ? null : found.get(0);
        });
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) {
        new WebDriverWait(browser, WAIT).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .until(d -> condition.getAsBoolean());
    }

    private static void shot(String name) {
        try {
            Path dir = Path.of(System.getProperty("obscura.screenshots", "target/screenshots"));
            Files.createDirectories(dir);
            Files.write(dir.resolve(name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
        } catch (IOException | RuntimeException e) {
            System.err.println("screenshot " + name + " not saved: " + e);
        }
    }

    private static void require(boolean present, String whyMissing) {
        if (!present && "1".equals(System.getenv("OBSCURA_REQUIRE_PEERS"))) {
            fail("required peer missing (OBSCURA_REQUIRE_PEERS=1): " + whyMissing);
        }
        if (!present) {
            System.err.println("WebUiBrowserTest skipped: " + whyMissing);
        }
        assumeTrue(present, whyMissing);
    }
}
