package org.obscura.webui.internal;

import java.io.IOException;
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
import java.util.Base64;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;

/**
 * The exported server ({@code java -jar obscura.jar}) as a child process, for the browser tests against the real
 * thing (system property {@code obscura.ui.serverJar}). It runs in a fresh working directory (its conf/, deploy/
 * and data/ are emptied first) with three virtual lights configured, a free port, a generated administrator
 * password (OBSCURA_ADMIN_PASSWORD) and a test-pattern camera {@code bench}; its console goes to
 * {@code server.log} there. {@link #close()} ends the process (and its children) whatever happened; a JVM
 * shutdown hook does it too, so an aborted test run leaves no server behind.
 */
final class ObscuraServerProcess implements AutoCloseable {
    private static final Duration START = Duration.ofSeconds(60);

    private final Process process;
    private final Thread reaper;
    private final Path log;
    final String base;
    final String password;

    private ObscuraServerProcess(Process process, Path log, String base, String password) {
        this.process = process;
        this.log = log;
        this.base = base;
        this.password = password;
        this.reaper = new Thread(this::kill, "obscura-server-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
    }

    /** Starts the server and returns once it answers /api/v1/health and the camera {@code bench} exists. */
    static ObscuraServerProcess start(Path jar, Path dir) throws IOException, InterruptedException {
        if (!Files.isRegularFile(jar)) {
            throw new IOException("no server jar at " + jar + " (export it first: mvn -pl bndrun package)");
        }
        deleteTree(dir);
        Files.createDirectories(dir.resolve("conf"));
        Files.createDirectories(dir.resolve("deploy"));
        Files.createDirectories(dir.resolve("data"));
        // Lights for the Lab page; no GPIO on a build machine, hence the virtual backend.
        Files.writeString(dir.resolve("conf/org.obscura.lights.gpio.config"),
                "lights = [\"left=17\", \"right=27\", \"top=22\"]\nbackend = \"virtual\"\n", StandardCharsets.UTF_8);
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        byte[] secret = new byte[12];
        new SecureRandom().nextBytes(secret);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);

        Path log = dir.resolve("server.log");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dorg.osgi.service.http.port=" + port, "-jar", jar.toAbsolutePath().toString())
                .directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("OBSCURA_ADMIN_PASSWORD", password);
        ObscuraServerProcess server = new ObscuraServerProcess(builder.start(), log,
                "http://127.0.0.1:" + port, password);
        try {
            server.awaitHealthy();
            server.createCamera("bench");
        } catch (IOException | InterruptedException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    private void awaitHealthy() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + START.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("the server ended with status " + process.exitValue() + ": " + tail());
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/health"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
                last = r.statusCode() + " " + r.body();
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(250);
        }
        throw new IOException("the server did not become healthy within " + START + " (" + last + "): " + tail());
    }

    /** The driver may register a little after health answers: retried while the API says it is not there yet. */
    private void createCamera(String name) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        String auth = "Basic " + Base64.getEncoder().encodeToString(("admin:" + password).getBytes(StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + START.toNanos();
        HttpResponse<String> r;
        do {
            r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/cameras"))
                    .header("Authorization", auth).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"driver\": \"testpattern\", \"name\": \"" + name + "\"}"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 201) {
                return;
            }
            Thread.sleep(250);
        } while (System.nanoTime() < deadline && (r.statusCode() == 503 || r.statusCode() == 400));
        throw new IOException("camera " + name + " not created: " + r.statusCode() + " " + r.body());
    }

    private String tail() {
        try {
            String text = Files.readString(log, StandardCharsets.UTF_8);
            return text.length() > 4000 ? text.substring(text.length() - 4000) : text;
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private void kill() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        kill();
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook runs (or ran) anyway
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
