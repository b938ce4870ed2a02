package org.obscura.distribution;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.jar.JarFile;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The assembled distribution (target/obscura-&lt;version&gt;/) as a user gets it: its layout, that every bundle a
 * feature names is either in obscura.jar or in repository/ (and no optional bundle in obscura.jar), and a real
 * start of {@code bin/obscura} in a fresh working directory: the test-pattern camera is there, and the features
 * the default configuration lists (v4l2, dslr) are installed from repository/.
 */
class DistributionTest {

    private static final Duration START = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dist = Path.of(System.getProperty("obscura.distribution"));
    private final Path checkout = Path.of(System.getProperty("obscura.checkout"));

    @Test
    void theLayoutHoldsTheServerItsRepositoryFeaturesDefaultsAndStartScript() throws Exception {
        for (String f : List.of("obscura.jar", "jvm.options", "README.md", "conf/org.obscura.features.config",
                "features/v4l2.json", "features/lab.json")) {
            assertTrue(Files.isRegularFile(dist.resolve(f)), "missing " + f);
        }
        assertTrue(Files.isExecutable(dist.resolve("bin/obscura")), "bin/obscura is not executable");
        assertArrayEquals(Files.readAllBytes(checkout.resolve("bndrun/jvm.options")),
                Files.readAllBytes(dist.resolve("jvm.options")), "jvm.options is a copy of bndrun/jvm.options");
        assertTrue(Files.readString(dist.resolve("conf/org.obscura.features.config"))
                .contains("features = [\"v4l2\", \"dslr\"]"));

        Set<String> archive = new TreeSet<>();
        try (InputStream in = new GZIPInputStream(Files.newInputStream(
                Path.of(System.getProperty("obscura.distribution.archive"))))) {
            archive.addAll(tarNames(in));
        }
        String base = dist.getFileName() + "/";
        for (String f : List.of("obscura.jar", "bin/obscura", "conf/org.obscura.features.config", "features/lab.json",
                "jvm.options")) {
            assertTrue(archive.contains(base + f), "the archive lacks " + base + f + ": " + archive);
        }
    }

    @Test
    void everyBundleAFeatureNamesIsInTheServerOrInTheRepositoryAndOptionalOnesOnlyThere() throws Exception {
        Set<String> core = new TreeSet<>();
        try (JarFile server = new JarFile(dist.resolve("obscura.jar").toFile())) {
            for (ZipEntry e : server.stream().filter(e -> e.getName().startsWith("jar/") && e.getName().endsWith(".jar"))
                    .toList()) {
                try (JarInputStream embedded = new JarInputStream(server.getInputStream(e))) {
                    String bsn = symbolicName(embedded.getManifest());
                    if (bsn != null) {
                        core.add(bsn);
                    }
                }
            }
        }
        assertTrue(core.contains("org.obscura.driver.testpattern") && core.contains("org.obscura.plugins"), core::toString);
        Set<String> repository = new TreeSet<>();
        try (Stream<Path> jars = Files.list(dist.resolve("repository"))) {
            for (Path jar : jars.toList()) {
                try (JarFile j = new JarFile(jar.toFile())) {
                    String bsn = symbolicName(j.getManifest());
                    assertNotNull(bsn, jar + " is not a bundle");
                    repository.add(bsn);
                }
            }
        }
        Set<String> both = new TreeSet<>(core);
        both.retainAll(repository);
        assertTrue(both.isEmpty(), "in obscura.jar and in repository/: " + both);

        Set<String> named = new TreeSet<>();
        try (Stream<Path> features = Files.list(dist.resolve("features"))) {
            for (Path f : features.filter(p -> p.toString().endsWith(".json")).toList()) {
                JSON.readTree(f.toFile()).path("bundles").forEach(b -> named.add(b.asText()));
            }
        }
        for (String bsn : named) {
            assertTrue(core.contains(bsn) || repository.contains(bsn), bsn + " is named by a feature but neither in "
                    + "obscura.jar nor in repository/");
        }
        for (String optional : List.of("org.obscura.driver.v4l2", "org.obscura.driver.gphoto2", "org.obscura.lights.gpio",
                "org.obscura.sequencer", "org.obscura.imu.mqtt", "org.obscura.compat", "org.obscura.examples.httpmjpeg",
                "org.eclipse.paho.client.mqttv3")) {
            assertTrue(repository.contains(optional), optional + " is not in repository/: " + repository);
        }
    }

    @Test
    void binObscuraStartsTheServerInAFreshHomeWithTheTestPatternAndTheDefaultFeaturesFromTheRepository()
            throws Exception {
        Path home = Path.of(System.getProperty("obscura.distribution.home"));
        deleteTree(home);
        Files.createDirectories(home);
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        byte[] secret = new byte[12];
        new SecureRandom().nextBytes(secret);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        Path log = home.resolve("server.log");
        ProcessBuilder builder = new ProcessBuilder(dist.resolve("bin/obscura").toString())
                .directory(checkout.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.put("OBSCURA_HOME", home.toString());
        env.put("OBSCURA_PORT", String.valueOf(port));
        env.put("OBSCURA_ADMIN_PASSWORD", password);
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.remove("JAVA_OPTS");
        env.remove("JDK_JAVA_OPTIONS");
        Process server = builder.start();
        try {
            String base = "http://127.0.0.1:" + port;
            String admin = "Basic " + Base64.getEncoder().encodeToString(("admin:" + password)
                    .getBytes(StandardCharsets.UTF_8));
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            Function<String, JsonNode> get = path -> {
                try {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path))
                            .header("Authorization", admin).timeout(Duration.ofSeconds(10)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
                } catch (IOException e) {
                    return null;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            };
            await(server, log, "/api/v1/health to answer", () -> get.apply("/api/v1/health") != null);
            await(server, log, "the test-pattern camera", () -> {
                JsonNode cameras = get.apply("/api/v1/cameras");
                return cameras != null && cameras.toString().contains("\"name\":\"testpattern\"");
            });
            await(server, log, "the features v4l2 and dslr to be installed", () -> {
                JsonNode features = get.apply("/api/v1/features");
                if (features == null) {
                    return false;
                }
                Map<String, Boolean> installed = new HashMap<>();
                features.path("features").forEach(f -> installed.put(f.path("name").asText(), f.path("installed").asBoolean()));
                return installed.getOrDefault("v4l2", false) && installed.getOrDefault("dslr", false);
            });
            JsonNode lab = get.apply("/api/v1/features/lab");
            assertFalse(lab.path("installed").asBoolean(), "lab is not a default feature");
            assertEquals("available", lab.path("bundles").get(0).path("state").asText(), lab::toString);

            String repository = dist.resolve("repository").toUri().toString();
            List<String> fromRepository = new ArrayList<>();
            get.apply("/api/v1/bundles").path("bundles").forEach(b -> {
                if (b.path("location").asText().startsWith(repository)) {
                    assertEquals("active", b.path("state").asText(), b::toString);
                    fromRepository.add(b.path("symbolicName").asText());
                }
            });
            assertEquals(List.of("org.obscura.driver.v4l2", "org.obscura.driver.gphoto2"), fromRepository);
            await(server, log, "the drivers v4l2 and gphoto2", () -> {
                JsonNode drivers = get.apply("/api/v1/drivers");
                return drivers != null && drivers.toString().contains("\"v4l2\"") && drivers.toString().contains("\"gphoto2\"");
            });
            assertTrue(Files.isRegularFile(home.resolve("conf/org.obscura.features.config")),
                    "the default configuration was not copied into the new home");
            assertTrue(Files.isDirectory(home.resolve("deploy")) && Files.isDirectory(home.resolve("data")));
        } finally {
            server.destroy();
            if (!server.waitFor(20, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static String symbolicName(Manifest manifest) {
        String bsn = manifest == null ? null : manifest.getMainAttributes().getValue("Bundle-SymbolicName");
        return bsn == null ? null : bsn.split(";", 2)[0].strip();
    }

    /** The entry names of a tar stream (ustar/posix headers; long names through pax headers are read too). */
    private static List<String> tarNames(InputStream in) throws IOException {
        List<String> names = new ArrayList<>();
        String paxPath = null;
        byte[] header = new byte[512];
        while (in.readNBytes(header, 0, 512) == 512) {
            if (header[0] == 0) {
                break;
            }
            String name = field(header, 0, 100);
            String prefix = field(header, 345, 155);
            long size = Long.parseLong(field(header, 124, 12).strip().isEmpty() ? "0" : field(header, 124, 12).strip(), 8);
            byte type = header[156];
            byte[] body = in.readNBytes((int) ((size + 511) / 512 * 512));
            if (type == 'x') {
                for (String line : new String(body, 0, (int) size, StandardCharsets.UTF_8).split("\n")) {
                    int eq = line.indexOf(" path=");
                    if (eq >= 0) {
                        paxPath = line.substring(eq + " path=".length());
                    }
                }
                continue;
            }
            names.add(paxPath != null ? paxPath : prefix.isEmpty() ? name : prefix + "/" + name);
            paxPath = null;
        }
        return names;
    }

    private static String field(byte[] header, int offset, int length) {
        int end = offset;
        while (end < offset + length && header[end] != 0) {
            end++;
        }
        return new String(header, offset, end - offset, StandardCharsets.UTF_8);
    }

    private static void await(Process server, Path log, String what, java.util.function.BooleanSupplier condition)
            throws Exception {
        long deadline = System.nanoTime() + START.toNanos();
        while (!condition.getAsBoolean()) {
            if (!server.isAlive()) {
                fail("the server ended (status " + server.exitValue() + ") before " + what + ": " + tail(log));
            }
            if (System.nanoTime() > deadline) {
                fail("waited " + START.toSeconds() + " s for " + what + ": " + tail(log));
            }
            Thread.sleep(200);
        }
    }

    private static String tail(Path log) throws IOException {
        String text = Files.readString(log, StandardCharsets.UTF_8);
        return text.length() > 4000 ? text.substring(text.length() - 4000) : text;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
