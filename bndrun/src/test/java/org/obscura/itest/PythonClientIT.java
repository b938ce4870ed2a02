package org.obscura.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The Python client ({@code clients/python/obscura_client.py}) tested by its own unittest suite against this
 * server: {@code python3 -m unittest -v clients/python/test_obscura_client.py} with {@code OBSCURA_URL} set to
 * the server's URL, run from the repository root.
 *
 * <p>The repository root is the framework (or system) property {@code obscura.itest.repo} (itest.bndrun sets
 * it to {@code ${.}/..}); without it the folders above the working directory are searched for
 * {@code clients/python}. Without {@code python3} on the PATH the test is skipped, saying so, unless
 * {@code OBSCURA_REQUIRE_PEERS=1} (CI), where it fails. On a server with authentication the suite's admin
 * calls use the framework property {@code obscura.itest.admin.password}, else {@code OBSCURA_ADMIN_PASSWORD}
 * from this process's environment (without either they are skipped by the suite, which this test notices).
 */
@ExtendWith(ObscuraServer.Extension.class)
class PythonClientIT {

    /** The suite has 26 tests; fewer ran means some were lost (renamed module, import error, ...). */
    private static final int MIN_TESTS = 26;
    /** The suite takes a few seconds; this bounds a hung interpreter on a slow, busy machine. */
    private static final long TIMEOUT_MINUTES = 5;
    private static final String SUITE = "clients/python/test_obscura_client.py";
    private static final Pattern RAN = Pattern.compile("^Ran (\\d+) tests? in ", Pattern.MULTILINE);
    private static final Pattern SKIPPED = Pattern.compile("skipped=(\\d+)");

    private ObscuraServer server;

    @BeforeEach
    void setUp(ObscuraServer server) throws Exception {
        this.server = server;
        server.resetCameras();
    }

    /** The suite deletes the cameras it makes; this puts back the state the other tests expect anyway. */
    @AfterEach
    void tearDown() throws Exception {
        server.resetCameras();
    }

    @Test
    void pythonClientSuitePasses() throws Exception {
        String python = python();
        Path repo = repository();
        Path output = Files.createTempFile("obscura-python-client-", ".log");
        try {
            ProcessBuilder builder = new ProcessBuilder(python, "-m", "unittest", "-v", SUITE)
                    .directory(repo.toFile())
                    .redirectErrorStream(true)
                    // A file, not a pipe: nothing has to drain it while the suite runs.
                    .redirectOutput(output.toFile());
            Map<String, String> env = builder.environment();
            String url = server.uri("/").toString();
            env.put("OBSCURA_URL", url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
            String password = server.context().getProperty("obscura.itest.admin.password");
            if (password != null && !password.isBlank()) {
                env.put("OBSCURA_ADMIN_PASSWORD", password);
            }
            env.put("PYTHONDONTWRITEBYTECODE", "1");
            env.put("PYTHONUNBUFFERED", "1");
            Process process = builder.start();
            if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                fail("the Python client suite did not end within " + TIMEOUT_MINUTES + " minutes:\n"
                        + read(output));
            }
            String log = read(output);
            assertEquals(0, process.exitValue(), () -> "the Python client suite failed:\n" + log);
            Matcher ran = RAN.matcher(log);
            assertTrue(ran.find(), () -> "no unittest summary in:\n" + log);
            int tests = Integer.parseInt(ran.group(1));
            Matcher skipped = SKIPPED.matcher(log);
            int skips = skipped.find() ? Integer.parseInt(skipped.group(1)) : 0;
            assertTrue(tests >= MIN_TESTS, () -> "only " + tests + " Python tests ran (expected at least "
                    + MIN_TESTS + "):\n" + log);
            // Auth-dependent tests skip in one configuration or the other; many skips mean the suite did not
            // reach the server (e.g. OBSCURA_URL lost).
            assertTrue(tests - skips >= MIN_TESTS - 4, () -> skips + " of " + tests + " Python tests skipped:\n" + log);
            System.out.println("Python client suite: " + tests + " tests, " + skips + " skipped");
        } finally {
            Files.deleteIfExists(output);
        }
    }

    /** {@code python3} if it runs and is 3.8 or newer; otherwise skips (or fails when peers are required). */
    private static String python() throws InterruptedException {
        String why;
        try {
            Process p = new ProcessBuilder("python3", "-c", "import sys; sys.exit(0 if sys.version_info >= (3, 8) else 3)")
                    .redirectErrorStream(true).start();
            p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            if (!p.waitFor(1, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                why = "python3 did not answer within a minute";
            } else if (p.exitValue() == 0) {
                return "python3";
            } else {
                why = "python3 is older than 3.8 (or broken: exit " + p.exitValue() + ")";
            }
        } catch (IOException e) {
            why = "python3 is not on the PATH (" + e.getMessage() + ")";
        }
        if ("1".equals(System.getenv("OBSCURA_REQUIRE_PEERS"))) {
            fail(why + " and OBSCURA_REQUIRE_PEERS=1");
        }
        Assumptions.assumeTrue(false, "Python client suite skipped: " + why);
        throw new AssertionError("unreachable");
    }

    /** The repository root: the folder holding {@value #SUITE}. */
    private Path repository() {
        String named = server.context().getProperty("obscura.itest.repo");
        if (named == null || named.isBlank()) {
            named = System.getProperty("obscura.itest.repo");
        }
        if (named != null && !named.isBlank()) {
            Path repo = Paths.get(named).toAbsolutePath().normalize();
            assertTrue(Files.isRegularFile(repo.resolve(SUITE)), () -> "obscura.itest.repo=" + repo + " has no " + SUITE);
            return repo;
        }
        for (Path p = Paths.get("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve(SUITE))) {
                return p;
            }
        }
        fail("no " + SUITE + " above " + Paths.get("").toAbsolutePath() + "; set obscura.itest.repo");
        throw new AssertionError("unreachable");
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }
}
