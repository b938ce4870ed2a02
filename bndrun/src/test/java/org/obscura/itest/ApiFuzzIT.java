package org.obscura.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Malformed requests, thousands of them, against every REST route the OpenAPI document names and every
 * WebSocket action: bad JSON, wrong types, missing fields, huge bodies, unknown routes and actions, names with
 * {@code ../}, encoded and doubly encoded traversal, absolute paths, NUL bytes, long names, wrong methods.
 *
 * <p>What must hold for every answer: no 500; any other 5xx only where the route's OpenAPI operation declares
 * it (a camera or an optional service being unavailable), never on an unknown route; every 4xx is JSON with a
 * non-blank {@code detail} (or {@code error}), except Jetty's own HTML 400 for request targets it refuses as
 * ambiguous before any servlet sees them (encoded separators, dots, backslashes, NUL, percent signs, control
 * characters); no answer carries a stack trace or the content of a canary file planted next to (outside) the
 * data dir; the canary files are still there afterwards; and the server's health is 200 at the end.
 *
 * <p>The requests come from a fixed seed, so a failure repeats. The run is bounded by a request count and a
 * wall-clock budget (whichever comes first); the number sent is printed, and at least a floor of them must
 * have been sent, so a slow machine shortens the run rather than failing it.
 *
 * <p>REST requests go over a plain socket, written byte by byte, because {@link HttpClient} refuses to send
 * most of the request targets that matter here (raw NUL, bad percent escapes, spaces, backslashes).
 */
@ExtendWith(ObscuraServer.Extension.class)
class ApiFuzzIT {

    static final long SEED = 20261120L;
    static final int REST_REQUESTS = 3000;
    static final int WEBSOCKET_MESSAGES = 600;
    /** Budget per part; the floors below are what must be reached within it even on a busy machine. */
    static final Duration BUDGET = Duration.ofSeconds(45);
    static final int REST_FLOOR = 500;
    static final int WEBSOCKET_FLOOR = 100;

    private ObscuraServer server;
    private Path canaryDir;

    @BeforeEach
    void setUp(ObscuraServer server) throws Exception {
        this.server = server;
        server.resetCameras();
        canaryDir = Files.createTempDirectory(server.dataDir().getParent(), "obscura-fuzz-canary-");
    }

    @AfterEach
    void tearDown() throws Exception {
        // A fuzzed request may have made a camera (a valid body by chance); the other tests start from none.
        server.resetCameras();
        if (canaryDir != null) {
            try (Stream<Path> files = Files.walk(canaryDir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    @Test
    void restRoutesAnswerMalformedRequestsWithClearClientErrors() throws Exception {
        Fuzzer fuzzer = new Fuzzer(server.uri("/"), server.dataDir(), canaryDir, adminPassword(), System.out::println);
        Report report = fuzzer.fuzzRest(REST_REQUESTS, BUDGET);
        assertTrue(report.failures.isEmpty(), () -> report.failures.size() + " bad answers, the first ones:\n"
                + String.join("\n", report.failures.subList(0, Math.min(20, report.failures.size()))));
        assertTrue(report.sent >= REST_FLOOR, () -> "only " + report.sent + " requests within " + BUDGET);
        fuzzer.assertCanariesIntact();
        assertEquals(200, fuzzer.healthStatus(), "health after the fuzzing");
    }

    @Test
    void webSocketActionsAnswerMalformedMessagesWithErrors() throws Exception {
        Fuzzer fuzzer = new Fuzzer(server.uri("/"), server.dataDir(), canaryDir, adminPassword(), System.out::println);
        if (fuzzer.webSocketStatus() == 404) {
            if ("1".equals(System.getenv("OBSCURA_REQUIRE_PEERS"))) {
                fail("no WebSocket API at /ws (org.obscura.ws not in the run) and OBSCURA_REQUIRE_PEERS=1");
            }
            Assumptions.assumeTrue(false, "no WebSocket API at /ws: org.obscura.ws is not in this run");
        }
        Report report = fuzzer.fuzzWebSocket(WEBSOCKET_MESSAGES, BUDGET);
        assertTrue(report.failures.isEmpty(), () -> report.failures.size() + " bad answers, the first ones:\n"
                + String.join("\n", report.failures.subList(0, Math.min(20, report.failures.size()))));
        assertTrue(report.sent >= WEBSOCKET_FLOOR, () -> "only " + report.sent + " messages within " + BUDGET);
        fuzzer.assertCanariesIntact();
        assertEquals(200, fuzzer.healthStatus(), "health after the fuzzing");
    }

    /**
     * The administrator's password when the server has authentication: the framework property
     * {@code obscura.itest.admin.password}, else the environment's {@code OBSCURA_ADMIN_PASSWORD}; {@code null}
     * for none (a server without authentication, or changes then answer 401, still a clean client error).
     */
    private String adminPassword() {
        String p = server.context().getProperty("obscura.itest.admin.password");
        if (p == null || p.isBlank()) {
            p = System.getenv("OBSCURA_ADMIN_PASSWORD");
        }
        return p == null || p.isBlank() ? null : p;
    }

    /** What a run sent and what was wrong with the answers (empty when all were fine). */
    static final class Report {
        int sent;
        final List<String> failures = new ArrayList<>();
        final Map<String, Integer> statuses = new TreeMap<>();

        void fail(String what) {
            if (failures.size() < 1000) {
                failures.add(what);
            }
        }
    }

    /**
     * The fuzzing itself, free of OSGi: it needs only the server's base URI, its data dir and a folder outside
     * it for the canaries, so it can be pointed at any running server.
     */
    static final class Fuzzer {

        private static final ObjectMapper JSON = new ObjectMapper();
        private static final int READ_LIMIT = 1 << 20;
        private static final int SOCKET_TIMEOUT_MS = 30_000;
        /**
         * Request targets Jetty itself may refuse with its own 400 (HTML, or no body for some methods) before
         * the servlets see them, as ambiguous or illegal URIs: encoded separators, dots, backslashes, NUL and
         * percent signs, bad escapes, escapes that are not UTF-8, empty segments ({@code //}), dot segments, and characters that are not
         * legal in a request target at all ({@code ;}, {@code #}, controls, spaces, non-ASCII, ...).
         */
        private static final Pattern JETTY_REFUSES = Pattern.compile(
                "(?i)%(2f|5c|2e|00|25|[^0-9a-f]|[0-9a-f][^0-9a-f])|[\\\\;#\\x00-\\x20\\x7f-\\x{10ffff}<>\"{}|^`]|%$|%.$|//|/\\.\\.?(/|$|\\?)");
        private static final String HEX = "0123456789abcdef";
        private static final Pattern STACK_TRACE = Pattern.compile("Exception|\\sat (org|java|jdk|com)\\.");
        private static final String[] OTHER_METHODS = {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS",
                "TRACE", "PROPFIND", "FOO"};
        private static final String[] CONTENT_TYPES = {"application/json", "application/json; charset=utf-8",
                "text/plain", "application/xml", "multipart/form-data; boundary=xyz",
                "application/x-www-form-urlencoded", "application/json; charset=utf-16", ""};

        private final String adminAuthorization;
        private final String host;
        private final int port;
        private final Path dataDir;
        private final Consumer<String> log;
        private final Random random = new Random(SEED);
        private final String token;
        private final Map<Path, byte[]> canaries = new LinkedHashMap<>();
        private final List<String> canaryNeedles = new ArrayList<>();
        private final List<String> badNames = new ArrayList<>();
        private final List<String> badValues = new ArrayList<>();
        private List<Operation> operations = List.of();

        /**
         * @param adminPassword sent as HTTP Basic for {@code admin} with most requests (and on the WebSocket
         *        upgrade), so that changes get past authentication and into their handlers; {@code null} for none
         */
        Fuzzer(URI base, Path dataDir, Path canaryDir, String adminPassword, Consumer<String> log) throws IOException {
            this.adminAuthorization = adminPassword == null ? null : "Basic " + Base64.getEncoder()
                    .encodeToString(("admin:" + adminPassword).getBytes(StandardCharsets.UTF_8));
            this.host = base.getHost();
            this.port = base.getPort();
            this.dataDir = dataDir.toAbsolutePath().normalize();
            this.log = log;
            this.token = "OBSCURA-FUZZ-CANARY-" + Long.toHexString(new Random(SEED ^ System.nanoTime()).nextLong());
            if (canaryDir.toAbsolutePath().normalize().startsWith(this.dataDir)) {
                throw new IllegalArgumentException("the canaries must be outside the data dir");
            }
            for (String name : List.of("secret.jpg", "secret.json", "manifest.json", "passwd", "secret.png")) {
                byte[] content = (token + " " + name + "\n").getBytes(StandardCharsets.US_ASCII);
                Path file = canaryDir.resolve(name);
                Files.write(file, content);
                canaries.put(file, content);
                canaryNeedles.add(Base64.getEncoder().encodeToString(content).substring(0, 24));
            }
            canaryNeedles.add(token);
            canaryNeedles.add(Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.US_ASCII)).substring(0, 24));
            badNames.addAll(namesFor(canaryDir));
            badValues.addAll(List.of("-1", "0", "1.5", "abc", "", "99999999999999999999", "1e309", "NaN", "true",
                    "null", "%00", "x%00y", "..%2f..%2f", "%2e%2e", "'", "<script>", "a".repeat(3000), "%ZZ",
                    "%", "0x10", "+5", " 5", "-0", "1e2", "[]", "{}", "%E2%82%AC", "\\u0000",
                    enc(canaryDir.resolve("secret.jpg").toString())));
        }

        /** Names for path segments: traversal in every encoding, absolute paths, NUL, long and odd names. */
        private List<String> namesFor(Path canaryDir) {
            String rel = dataDir.relativize(canaryDir.toAbsolutePath().normalize()).toString();
            String abs = canaryDir.toAbsolutePath().normalize().toString();
            List<String> names = new ArrayList<>(List.of(
                    "..", ".", "...", "../..", "../../..", "..%2f..%2f..", "%2e%2e", "%2e%2e%2f%2e%2e",
                    "%252e%252e%252f", "%252e%252e", "..%5c..%5c", "..\\..\\", "%c0%ae%c0%ae", "%00", "x%00.jpg",
                    "x\u0000.jpg", "secret.jpg%00.png", ".hidden", "..secret.jpg", "a..b.json", "/etc/passwd",
                    "%2fetc%2fpasswd", "%2Fetc%2Fpasswd", "C:%5cWindows", "~root", "*", "%", "%zz", "%2", "a b",
                    "a%20b", "a;b", "a?b", "a#b", "é", "%C3%A9", "%ff%fe", "CON", "NUL", "-", "_", "a".repeat(64),
                    "a".repeat(300), "a".repeat(2000), "UPPER", "name with spaces", "<script>alert(1)</script>",
                    "' OR '1'='1", "${jndi:ldap://x}", "testpattern/../testpattern", "testpattern%2f..%2ftestpattern",
                    "manifest.json", "secret.jpg", "passwd", "secret.json"));
            for (String f : List.of("secret.jpg", "secret.json", "manifest.json", "passwd")) {
                String up = "../".repeat(4) + rel + "/" + f;
                names.add(up);
                names.add(enc(up));
                names.add(enc(enc(up)));
                names.add(rel + "/" + f);
                names.add(abs + "/" + f);
                names.add(enc(abs + "/" + f));
                names.add("..%2f".repeat(4) + enc(rel) + "%2f" + f);
                names.add("%2e%2e%2f".repeat(4) + enc(rel) + "%2f" + f);
            }
            return names;
        }

        private static String enc(String s) {
            StringBuilder out = new StringBuilder();
            for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
                int c = b & 0xff;
                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
                        || c == '_' || c == '.') {
                    out.append((char) c);
                } else {
                    out.append('%').append(String.format("%02X", c));
                }
            }
            return out.toString();
        }

        // ---- REST ---------------------------------------------------------------------------------------

        /** One route of the OpenAPI document. */
        record Operation(String method, String template, List<String> query, JsonNode body, List<Integer> declared) {

            /** The template as a pattern over raw paths: a parameter is any one segment. */
            Pattern pattern() {
                return Pattern.compile(Pattern.quote(template).replaceAll("\\{[^}/]+\\}", "\\\\E[^/]*\\\\Q"));
            }
        }

        Report fuzzRest(int count, Duration budget) throws IOException {
            operations = operations();
            List<String> realNames = realNames();
            Report report = new Report();
            long deadline = System.nanoTime() + budget.toNanos();
            long started = System.nanoTime();
            for (int i = 0; i < count && System.nanoTime() < deadline; i++) {
                Request request = nextRequest(operations, realNames);
                report.sent++;
                Answer answer;
                try {
                    answer = exchange(request);
                } catch (IOException e) {
                    if (request.body != null && request.body.length > 65536) {
                        // A huge body may be refused by closing the connection before it is all sent.
                        report.statuses.merge("closed", 1, Integer::sum);
                        continue;
                    }
                    report.fail(request + " -> no answer: " + e);
                    continue;
                }
                report.statuses.merge(String.valueOf(answer.status), 1, Integer::sum);
                check(request, answer, report);
            }
            log.accept(String.format(Locale.ROOT, "REST fuzz: %d requests over %d routes in %.1f s, statuses %s, %d bad",
                    report.sent, operations.size(), (System.nanoTime() - started) / 1e9, report.statuses,
                    report.failures.size()));
            return report;
        }

        /** The operations of {@code GET /api/v1/openapi.json}, with their full paths. */
        List<Operation> operations() throws IOException {
            Answer answer = exchange(new Request("GET", "/api/v1/openapi.json", Map.of(), null, null));
            if (answer.status != 200) {
                throw new IOException("GET /api/v1/openapi.json answered " + answer.status);
            }
            JsonNode doc = JSON.readTree(answer.body);
            String prefix = doc.path("servers").path(0).path("url").asText("");
            List<Operation> out = new ArrayList<>();
            for (Map.Entry<String, JsonNode> path : doc.path("paths").properties()) {
                for (Map.Entry<String, JsonNode> op : path.getValue().properties()) {
                    String method = op.getKey().toUpperCase(Locale.ROOT);
                    if (!List.of("GET", "PUT", "POST", "DELETE", "PATCH").contains(method)) {
                        continue;
                    }
                    List<String> query = new ArrayList<>();
                    for (JsonNode p : op.getValue().path("parameters")) {
                        if ("query".equals(p.path("in").asText())) {
                            query.add(p.path("name").asText());
                        }
                    }
                    List<Integer> declared = new ArrayList<>();
                    op.getValue().path("responses").fieldNames().forEachRemaining(s -> {
                        if (s.matches("\\d{3}")) {
                            declared.add(Integer.parseInt(s));
                        }
                    });
                    JsonNode body = op.getValue().path("requestBody").path("content").path("application/json")
                            .path("schema");
                    out.add(new Operation(method, prefix + path.getKey(), query, body.isMissingNode() ? null : body,
                            declared));
                }
            }
            if (out.size() < 10) {
                throw new IOException("the OpenAPI document names only " + out.size() + " operations");
            }
            return out;
        }

        /** Names that exist (cameras, drivers, a stored capture, settings), so some requests get past the 404s. */
        private List<String> realNames() throws IOException {
            List<String> names = new ArrayList<>(List.of("testpattern", "brightness", "pattern", "overlay"));
            Answer snap = exchange(new Request("POST", "/api/v1/cameras/testpattern/snapshot", Map.of(), "{}".getBytes(
                    StandardCharsets.UTF_8), "application/json"));
            if (snap.status == 200) {
                JsonNode still = JSON.readTree(snap.body);
                names.add(still.path("file").asText());
                names.add(still.path("file").asText().replace(".jpg", ".json"));
            }
            Answer cameras = exchange(new Request("GET", "/api/v1/cameras", Map.of(), null, null));
            for (JsonNode c : JSON.readTree(cameras.body)) {
                names.add(c.path("name").asText());
            }
            return names;
        }

        private Request nextRequest(List<Operation> operations, List<String> realNames) {
            int kind = random.nextInt(100);
            if (kind < 6) {
                return unknownRoute();
            }
            Operation op = operations.get(random.nextInt(operations.size()));
            String method = random.nextInt(100) < 12 ? pick(OTHER_METHODS) : op.method;
            StringBuilder path = new StringBuilder();
            boolean mutated = false;
            for (String segment : op.template.substring(1).split("/", -1)) {
                path.append('/');
                if (segment.startsWith("{")) {
                    if (random.nextInt(100) < 35) {
                        path.append(enc(pick(realNames)));
                    } else {
                        path.append(pick(badNames));
                        mutated = true;
                    }
                } else {
                    path.append(segment);
                }
            }
            if (!mutated && random.nextInt(100) < 10) {
                path.append(pick(List.of("/", "/..", "/%2e%2e", "//", "/x", ";jsessionid=1", "%00", "/.")));
            }
            List<String> params = new ArrayList<>();
            for (String q : op.query) {
                if (random.nextBoolean()) {
                    params.add(q + "=" + pick(badValues));
                }
            }
            if (random.nextInt(100) < 15) {
                params.add(pick(List.of("x=1", "=", "&&", "a=%zz", "timeout=-1", "limit",
                        "limit=1&limit=2", "%00=1", "token=abc")));
            }
            String target = path + (params.isEmpty() ? "" : "?" + String.join("&", params));
            byte[] body = null;
            String contentType = null;
            if (op.body != null || random.nextInt(100) < 10) {
                body = badBody(op.body).getBytes(StandardCharsets.UTF_8);
                contentType = random.nextInt(100) < 80 ? "application/json" : pick(CONTENT_TYPES);
            }
            Map<String, String> headers = new LinkedHashMap<>();
            if (random.nextInt(100) < 5) {
                headers.put("Accept", pick(List.of("text/html", "image/png", "*/*", "application/xml")));
            }
            if (adminAuthorization != null && random.nextInt(100) < 70) {
                headers.put("Authorization", adminAuthorization);
            } else if (random.nextInt(100) < 5) {
                headers.put("Authorization", pick(List.of("Bearer x", "Basic !!!", "Basic " + Base64.getEncoder()
                        .encodeToString("admin:wrong".getBytes(StandardCharsets.UTF_8)), "Bearer " + "x".repeat(500))));
            }
            return new Request(method, target, headers, body, contentType, op);
        }

        private Request unknownRoute() {
            String target = pick(List.of("/api/v1/nosuch", "/api/v2/cameras", "/api/v1/cameras/testpattern/nosuch",
                    "/api/v1/cameras/testpattern/frame/extra", "/api/v1//cameras", "/api/v1/captures/a/b/c/d",
                    "/api/", "/api", "/api/v1/" + pick(badNames), "/api/v1/cameras/" + pick(badNames) + "/"
                    + pick(badNames), "/api/v1/sets/" + pick(badNames) + "/" + pick(badNames) + "/x",
                    "/api/v1/openapi.json/x", "/api/v1/health/" + pick(badNames)));
            return new Request(pick(OTHER_METHODS), target, Map.of(), null, null, null);
        }

        /** A body that is wrong in some way: not JSON, not an object, wrong types, missing fields, huge. */
        private String badBody(JsonNode schema) {
            int kind = random.nextInt(100);
            if (kind < 12) {
                return pick(List.of("{", "[", "nul", "{\"a\":}", "{\"a\" 1}", "\u0000", "{'a': 1}", "{\"a\":1,}",
                        "}", "\"unterminated", "{\"a\":1}{\"b\":2}", "\uFEFF{}", "{\"a\":\"\\uZZZZ\"}"));
            }
            if (kind < 20) {
                return pick(List.of("[]", "1", "\"x\"", "null", "true", "[{}]", "-0", "1e999", ""));
            }
            if (kind < 24) {
                return "x".repeat(70_000 + random.nextInt(200_000));
            }
            if (kind < 27) {
                int depth = 2000 + random.nextInt(8000);
                return "[".repeat(depth) + "]".repeat(depth);
            }
            if (kind < 30) {
                return "{\"value\": " + "9".repeat(1500 + random.nextInt(5000)) + "}";
            }
            if (kind < 33) {
                return "{\"name\": \"" + "n".repeat(100_000) + "\"}";
            }
            ObjectNode body = JSON.createObjectNode();
            List<String> fields = new ArrayList<>();
            if (schema != null) {
                schema.path("properties").fieldNames().forEachRemaining(fields::add);
            }
            fields.addAll(List.of("driver", "name", "value", "on", "lights", "metadata", "width", "fps", "label",
                    "stereo", "format", "camera", "file", "path"));
            int n = random.nextInt(5);
            for (int i = 0; i < n; i++) {
                String field = pick(fields);
                switch (random.nextInt(12)) {
                    case 0 -> body.put(field, pick(badNames));
                    case 1 -> body.put(field, random.nextInt());
                    case 2 -> body.put(field, random.nextDouble() * 1e12 - 5e11);
                    case 3 -> body.put(field, random.nextBoolean());
                    case 4 -> body.putNull(field);
                    case 5 -> body.putArray(field).add(pick(badNames)).add(1).addNull();
                    case 6 -> body.putObject(field).put("x", pick(badNames));
                    case 7 -> body.put(field, "testpattern");
                    case 8 -> body.put(field, Long.MAX_VALUE);
                    case 9 -> body.put(field, Double.NaN);
                    case 10 -> body.put(field, "${" + field + "}\\\u0000");
                    default -> body.put(field, pick(badValues));
                }
            }
            if (random.nextInt(4) == 0) {
                body.put("driver", "testpattern");
            }
            String text = body.toString();
            return random.nextInt(20) == 0 ? text.replaceFirst("\\{", "{\"dup\":1,\"dup\":2,") : text;
        }

        private void check(Request request, Answer answer, Report report) {
            String text = answer.text();
            String head = answer.headerText();
            for (String needle : canaryNeedles) {
                if (text.contains(needle) || head.contains(needle)) {
                    report.fail(request + " -> served a canary file outside the data dir: " + answer);
                    return;
                }
            }
            if (!answer.contentType().startsWith("image/") && STACK_TRACE.matcher(text).find()) {
                report.fail(request + " -> a stack trace: " + answer);
                return;
            }
            int status = answer.status;
            if (status >= 500) {
                if (status == 500 || !declared(request, status)) {
                    report.fail(request + " -> " + answer);
                    return;
                }
            }
            if (status < 400 || "HEAD".equals(request.method)) {
                return;
            }
            String resolved = resolvedPath(request.target);
            if (!resolved.equals("/api") && !resolved.startsWith("/api/")) {
                // Raw ../ took the request out of the API (to Jetty's 404 or a seed route answering in its seed's
                // own error format): only the checks above apply.
                return;
            }
            String type = answer.contentType();
            if (type.startsWith("application/problem+json") || type.startsWith("application/json")) {
                try {
                    JsonNode problem = JSON.readTree(answer.body);
                    String detail = problem.path("detail").asText(problem.path("error").asText(""));
                    if (detail.isBlank()) {
                        report.fail(request + " -> a JSON error without detail: " + answer);
                    }
                } catch (IOException e) {
                    report.fail(request + " -> an error body that is not JSON: " + answer);
                }
                return;
            }
            boolean jettyRefusal = status == 400 && (type.startsWith("text/html") || answer.body.length == 0)
                    && (JETTY_REFUSES.matcher(request.target).find() || !decodesAsUtf8(request.target));
            if (!jettyRefusal) {
                report.fail(request + " -> a " + status + " that is not a JSON problem: " + answer);
            }
        }

        /**
         * Whether the route the request reached (by method, HEAD counting as GET, and path, also after a
         * random method swap) declares {@code status} in the OpenAPI document.
         */
        private boolean declared(Request request, int status) {
            String method = request.method.equals("HEAD") ? "GET" : request.method;
            String path = request.target.split("[?#]", 2)[0];
            // The router serves /lights/ as /lights.
            path = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
            for (Operation op : operations) {
                if (op.method.equals(method) && op.pattern().matcher(path).matches() && op.declared.contains(status)) {
                    return true;
                }
            }
            return false;
        }

        /** Whether the target's percent-escapes decode to valid UTF-8 (Jetty refuses them otherwise). */
        static boolean decodesAsUtf8(String target) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            for (int i = 0; i < target.length(); i++) {
                char c = target.charAt(i);
                if (c == '%' && i + 2 < target.length() && HEX.indexOf(Character.toLowerCase(target.charAt(i + 1))) >= 0
                        && HEX.indexOf(Character.toLowerCase(target.charAt(i + 2))) >= 0) {
                    bytes.write(Integer.parseInt(target.substring(i + 1, i + 3), 16));
                    i += 2;
                } else {
                    bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
                }
            }
            try {
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray()));
                return true;
            } catch (CharacterCodingException e) {
                return false;
            }
        }

        /**
         * The path Jetty serves for a request target: its raw dot segments resolved (not decoded: encoded dots
         * are refused, not resolved). {@code /api/v1/cameras/../../../reset} is {@code /reset}.
         */
        static String resolvedPath(String target) {
            String path = target.split("[?#]", 2)[0];
            List<String> out = new ArrayList<>();
            String[] segments = path.split("/", -1);
            for (int i = 1; i < segments.length; i++) {
                String segment = segments[i];
                boolean last = i == segments.length - 1;
                if (segment.equals("..")) {
                    if (!out.isEmpty()) {
                        out.remove(out.size() - 1);
                    }
                    if (last) {
                        out.add("");
                    }
                } else if (segment.equals(".")) {
                    if (last) {
                        out.add("");
                    }
                } else {
                    out.add(segment);
                }
            }
            return "/" + String.join("/", out);
        }

        // ---- WebSocket ----------------------------------------------------------------------------------

        /** The status of a plain GET of /ws: 404 when no WebSocket API is there. */
        int webSocketStatus() throws IOException {
            return exchange(new Request("GET", "/ws", Map.of(), null, null)).status;
        }

        Report fuzzWebSocket(int count, Duration budget) throws Exception {
            Report report = new Report();
            LinkedBlockingQueue<String> inbox = new LinkedBlockingQueue<>();
            CompletableFuture<Integer> closed = new CompletableFuture<>();
            WebSocket.Listener listener = new WebSocket.Listener() {
                private final StringBuilder partial = new StringBuilder();

                @Override
                public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                    partial.append(data);
                    if (last) {
                        inbox.add(partial.toString());
                        partial.setLength(0);
                    }
                    ws.request(1);
                    return null;
                }

                @Override
                public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
                    closed.complete(code);
                    return null;
                }

                @Override
                public void onError(WebSocket ws, Throwable error) {
                    closed.completeExceptionally(error);
                }
            };
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            URI ws = URI.create("ws://" + host + ":" + port + "/ws");
            WebSocket.Builder builder = http.newWebSocketBuilder();
            if (adminAuthorization != null) {
                builder.header("Authorization", adminAuthorization);
            }
            WebSocket socket = builder.buildAsync(ws, listener).get(30, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + budget.toNanos();
            long started = System.nanoTime();
            Map<String, String> pending = new ConcurrentHashMap<>();
            int unnamed = 0;
            int sentInBatch = 0;
            try {
                for (int i = 0; i < count && System.nanoTime() < deadline; i++) {
                    String id = "f" + i;
                    String message = nextMessage(id);
                    boolean named = message.contains("\"request_id\":\"" + id + "\"");
                    if (named) {
                        pending.put(id, message);
                    } else {
                        unnamed++;
                    }
                    if (random.nextInt(50) == 0) {
                        socket.sendBinary(ByteBuffer.wrap(message.getBytes(StandardCharsets.UTF_8)), true)
                                .get(30, TimeUnit.SECONDS);
                        if (named) {
                            pending.remove(id);
                            unnamed++;
                        }
                    } else {
                        socket.sendText(message, true).get(30, TimeUnit.SECONDS);
                    }
                    report.sent++;
                    // Small batches: a connection queues at most 32 requests behind the running one.
                    if (++sentInBatch == 16) {
                        unnamed = drain(inbox, pending, unnamed, report);
                        sentInBatch = 0;
                    }
                }
                unnamed = drain(inbox, pending, unnamed, report);
                if (closed.isDone()) {
                    report.fail("the server closed the connection: " + closed.getNow(-1));
                }
                // The connection still works.
                pending.put("final", "GET_CAMERAS");
                socket.sendText("{\"action\":\"GET_CAMERAS\",\"payload\":{},\"request_id\":\"final\"}", true)
                        .get(30, TimeUnit.SECONDS);
                drain(inbox, pending, 0, report);
            } finally {
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").exceptionally(e -> null);
                socket.abort();
            }
            log.accept(String.format(Locale.ROOT, "WebSocket fuzz: %d messages in %.1f s, answers %s, %d bad",
                    report.sent, (System.nanoTime() - started) / 1e9, report.statuses, report.failures.size()));
            return report;
        }

        /**
         * Reads answers until every request with a {@code request_id} and {@code unnamed} ones without have been
         * answered; checks each. Returns the unnamed answers still missing (0 unless the wait timed out).
         */
        private int drain(LinkedBlockingQueue<String> inbox, Map<String, String> pending, int unnamed,
                Report report) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while ((!pending.isEmpty() || unnamed > 0) && System.nanoTime() < deadline) {
                String text = inbox.poll(1, TimeUnit.SECONDS);
                if (text == null) {
                    continue;
                }
                for (String needle : canaryNeedles) {
                    if (text.contains(needle)) {
                        report.fail("a WebSocket answer carries a canary file: " + abbreviate(text));
                    }
                }
                JsonNode answer;
                try {
                    answer = JSON.readTree(text);
                } catch (IOException e) {
                    report.fail("a WebSocket answer that is not JSON: " + abbreviate(text));
                    continue;
                }
                String action = answer.path("action").asText("");
                if (List.of("liveview_frame", "event", "photometric_progress").contains(action)) {
                    continue;
                }
                for (String key : List.of("action", "success", "data", "error", "request_id")) {
                    if (!answer.has(key)) {
                        report.fail("a WebSocket answer without '" + key + "': " + abbreviate(text));
                    }
                }
                if (STACK_TRACE.matcher(text).find()) {
                    report.fail("a WebSocket answer with a stack trace: " + abbreviate(text));
                }
                if (!answer.path("success").asBoolean(false) && answer.path("error").asText("").isBlank()) {
                    report.fail("a failed WebSocket answer without an error message: " + abbreviate(text));
                }
                report.statuses.merge(answer.path("success").asBoolean(false) ? "success" : "error", 1, Integer::sum);
                JsonNode id = answer.path("request_id");
                String request = id.isTextual() ? pending.remove(id.asText()) : null;
                if (request == null) {
                    unnamed--;
                } else if (request.contains(canaryDirName()) && answer.path("success").asBoolean(false)
                        && request.contains("GET_IMAGE_DATA")) {
                    report.fail("GET_IMAGE_DATA of a path outside the data dir succeeded: " + abbreviate(request));
                }
            }
            if (!pending.isEmpty()) {
                report.fail(pending.size() + " WebSocket requests got no answer, e.g. "
                        + abbreviate(pending.values().iterator().next()));
                pending.clear();
            }
            if (unnamed > 0) {
                report.fail(unnamed + " WebSocket requests without request_id got no answer");
            }
            return 0;
        }

        private String canaryDirName() {
            return canaries.keySet().iterator().next().getParent().getFileName().toString();
        }

        private String nextMessage(String id) {
            List<String> actions = List.of("GET_CAMERAS", "SELECT_CAMERA", "DESELECT_CAMERA", "GET_CONFIG",
                    "SET_CONFIG", "CAPTURE_IMAGE", "START_LIVEVIEW", "STOP_LIVEVIEW", "GET_LIGHT_STATES",
                    "SET_LIGHT_STATE", "CAPTURE_PHOTOMETRIC_SET", "LIST_IMAGE_SETS", "GET_IMAGE_SET_CONTENTS",
                    "DELETE_IMAGE_SET", "GET_IMAGE_DATA", "SUBSCRIBE_EVENTS", "UNSUBSCRIBE_EVENTS");
            int kind = random.nextInt(100);
            if (kind < 8) {
                return pick(List.of("{", "not json", "[]", "1", "null", "\"GET_CAMERAS\"", "{\"action\":",
                        "\u0000", "", "{\"a\":1}{", "x".repeat(70_000)));
            }
            ObjectNode message = JSON.createObjectNode();
            if (kind < 14) {
                switch (random.nextInt(4)) {
                    case 0 -> message.put("action", random.nextInt());
                    case 1 -> message.putNull("action");
                    case 2 -> message.put("action", pick(List.of("", "get_cameras", "NOPE", "DROP TABLE",
                            "GET_CAMERAS ", "Liveview_Frame", "a".repeat(5000))));
                    default -> { }
                }
            } else {
                message.put("action", pick(actions));
            }
            switch (random.nextInt(10)) {
                case 0 -> message.put("payload", pick(badNames));
                case 1 -> message.putArray("payload").add(1);
                case 2 -> message.put("payload", random.nextInt());
                case 3 -> message.putNull("payload");
                default -> {
                    ObjectNode payload = message.putObject("payload");
                    List<String> fields = List.of("name", "model", "port", "config_name", "value", "download",
                            "light_name", "state", "light_sequence", "set_name_prefix", "cameras", "settle_seconds",
                            "set_name", "image_path");
                    int n = 1 + random.nextInt(3);
                    for (int i = 0; i < n; i++) {
                        String field = pick(fields);
                        switch (random.nextInt(9)) {
                            case 0, 1, 2 -> payload.put(field, pick(badNames));
                            case 3 -> payload.put(field, random.nextInt());
                            case 4 -> payload.put(field, random.nextBoolean());
                            case 5 -> payload.putNull(field);
                            case 6 -> payload.putArray(field).add(pick(badNames)).add(-1);
                            case 7 -> payload.putObject(field).put("x", 1);
                            default -> payload.put(field, "-1e400");
                        }
                    }
                }
            }
            if (message.path("action").asText().equals("START_LIVEVIEW")) {
                // A valid START_LIVEVIEW would flood the socket with frames: keep its payload wrong.
                message.put("payload", "not an object");
            }
            if (message.path("action").asText().equals("CAPTURE_PHOTOMETRIC_SET") && message.path("payload").isObject()) {
                // Never a valid sequence (it would take seconds per light): at least one bad field.
                ((ObjectNode) message.get("payload")).put("light_sequence", pick(List.of("x", "")));
            }
            switch (random.nextInt(8)) {
                case 0 -> message.put("request_id", random.nextInt());
                case 1 -> { }
                default -> message.put("request_id", id);
            }
            return message.toString();
        }

        // ---- checks after a run -------------------------------------------------------------------------

        void assertCanariesIntact() throws IOException {
            for (Map.Entry<Path, byte[]> canary : canaries.entrySet()) {
                assertTrue(Files.isRegularFile(canary.getKey()), "a canary file outside the data dir was deleted: "
                        + canary.getKey());
                assertTrue(java.util.Arrays.equals(canary.getValue(), Files.readAllBytes(canary.getKey())),
                        "a canary file outside the data dir was changed: " + canary.getKey());
            }
        }

        int healthStatus() throws IOException {
            return exchange(new Request("GET", "/api/v1/health", Map.of(), null, null)).status;
        }

        // ---- raw HTTP/1.1 -------------------------------------------------------------------------------

        /** One request, exactly as written on the wire; {@code target} is sent as it is. */
        record Request(String method, String target, Map<String, String> headers, byte[] body, String contentType,
                Operation operation) {

            Request(String method, String target, Map<String, String> headers, byte[] body, String contentType) {
                this(method, target, headers, body, contentType, null);
            }

            @Override
            public String toString() {
                String body = this.body == null ? "" : " body(" + this.body.length + ")="
                        + abbreviate(new String(this.body, StandardCharsets.UTF_8));
                return method + " " + abbreviate(target.replace("\u0000", "\\0")) + body;
            }
        }

        /** An answer: status, headers (names in lower case), and the body up to {@link #READ_LIMIT}. */
        record Answer(int status, Map<String, String> headers, byte[] body) {

            String contentType() {
                return headers.getOrDefault("content-type", "");
            }

            String text() {
                return new String(body, StandardCharsets.ISO_8859_1);
            }

            String headerText() {
                return headers.toString();
            }

            @Override
            public String toString() {
                String type = contentType();
                return status + " " + type + " " + (type.startsWith("image/") ? body.length + " bytes"
                        : abbreviate(new String(body, StandardCharsets.UTF_8)));
            }
        }

        Answer exchange(Request request) throws IOException {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(host, port), SOCKET_TIMEOUT_MS);
                socket.setSoTimeout(SOCKET_TIMEOUT_MS);
                OutputStream out = socket.getOutputStream();
                ByteArrayOutputStream head = new ByteArrayOutputStream();
                head.write((request.method + " ").getBytes(StandardCharsets.ISO_8859_1));
                head.write(request.target.getBytes(StandardCharsets.UTF_8));
                StringBuilder h = new StringBuilder(" HTTP/1.1\r\nHost: ").append(host).append(':').append(port)
                        .append("\r\nConnection: close\r\n");
                request.headers.forEach((k, v) -> h.append(k).append(": ").append(v).append("\r\n"));
                if (request.body != null) {
                    if (request.contentType != null && !request.contentType.isEmpty()) {
                        h.append("Content-Type: ").append(request.contentType).append("\r\n");
                    }
                    h.append("Content-Length: ").append(request.body.length).append("\r\n");
                }
                h.append("\r\n");
                head.write(h.toString().getBytes(StandardCharsets.ISO_8859_1));
                out.write(head.toByteArray());
                IOException sendFailure = null;
                if (request.body != null) {
                    try {
                        out.write(request.body);
                    } catch (IOException e) {
                        // The server may answer (413) and close before it read a huge body: read its answer.
                        sendFailure = e;
                    }
                }
                try {
                    out.flush();
                } catch (IOException e) {
                    sendFailure = sendFailure == null ? e : sendFailure;
                }
                try {
                    return read(socket.getInputStream(), request.method.equals("HEAD"));
                } catch (IOException e) {
                    if (sendFailure != null) {
                        e.addSuppressed(sendFailure);
                    }
                    throw e;
                }
            }
        }

        private static Answer read(InputStream raw, boolean head) throws IOException {
            InputStream in = new java.io.BufferedInputStream(raw);
            String statusLine = line(in);
            if (statusLine == null || !statusLine.startsWith("HTTP/1.")) {
                throw new IOException("no HTTP status line: " + statusLine);
            }
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            Map<String, String> headers = new LinkedHashMap<>();
            for (String l = line(in); l != null && !l.isEmpty(); l = line(in)) {
                int colon = l.indexOf(':');
                if (colon > 0) {
                    headers.merge(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim(),
                            (a, b) -> a + ", " + b);
                }
            }
            String type = headers.getOrDefault("content-type", "");
            if (head || status == 204 || status == 304 || type.startsWith("multipart/x-mixed-replace")
                    || type.startsWith("text/event-stream")) {
                // Streams never end: the status and headers are the answer; closing the socket ends the stream.
                return new Answer(status, headers, new byte[0]);
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            if ("chunked".equalsIgnoreCase(headers.getOrDefault("transfer-encoding", ""))) {
                while (body.size() < READ_LIMIT) {
                    String size = line(in);
                    if (size == null) {
                        break;
                    }
                    int n = Integer.parseInt(size.split(";")[0].trim(), 16);
                    if (n == 0) {
                        break;
                    }
                    body.write(in.readNBytes(n));
                    line(in);
                }
            } else if (headers.containsKey("content-length")) {
                body.write(in.readNBytes((int) Math.min(READ_LIMIT, Long.parseLong(headers.get("content-length")))));
            } else {
                body.write(in.readNBytes(READ_LIMIT));
            }
            return new Answer(status, headers, body.toByteArray());
        }

        private static String line(InputStream in) throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) != -1) {
                if (c == '\n') {
                    break;
                }
                if (c != '\r') {
                    out.write(c);
                }
                if (out.size() > 65536) {
                    throw new IOException("header line too long");
                }
            }
            if (c == -1 && out.size() == 0) {
                return null;
            }
            return out.toString(StandardCharsets.ISO_8859_1);
        }

        private <T> T pick(List<T> items) {
            return items.get(random.nextInt(items.size()));
        }

        private String pick(String[] items) {
            return items[random.nextInt(items.length)];
        }

        static String abbreviate(String s) {
            return s.length() <= 300 ? s : s.substring(0, 300) + "...(" + s.length() + " chars)";
        }
    }
}
