package org.obscura.rest.internal;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.obscura.camera.api.CameraException;

/** The whole API over fakes, called through its router the way the servlet calls it. */
final class TestApi {

    static final Instant STARTED = Instant.parse("2025-01-02T00:00:00Z");
    static final Instant NOW = Instant.parse("2025-01-02T01:00:00Z");

    final Fakes.Registry registry = new Fakes.Registry();
    final Fakes.Capture capture = new Fakes.Capture();
    final Fakes.Store store;
    final Fakes.ConfigAdmin configAdmin = new Fakes.ConfigAdmin();
    final Fakes.Driver driver = new Fakes.Driver("testpattern", Fakes.PID);
    final DriverDirectory drivers = Fakes.directory(driver);
    volatile Fakes.Definition form = Fakes.testpatternForm();
    final Fakes.Auth access = new Fakes.Auth();
    final JsonCodec json = new JsonCodec();
    final RestApi api;

    TestApi(Path dataDir) {
        this(dataDir, Duration.ofSeconds(2));
    }

    TestApi(Path dataDir, Duration frameTimeout) {
        this(dataDir, frameTimeout, null);
    }

    /** With camera configurations kept as files too ({@code files} not null), as under FileInstall. */
    TestApi(Path dataDir, ConfigurationFiles files) {
        this(dataDir, Duration.ofSeconds(2), files);
    }

    private TestApi(Path dataDir, Duration frameTimeout, ConfigurationFiles files) {
        store = new Fakes.Store(dataDir);
        registry.driver(Fakes.testpatternInfo());
        FormSource forms = (id, pid) -> pid.equals(Fakes.PID) ? Optional.ofNullable(form) : Optional.empty();
        api = new RestApi(registry, capture, store, new CameraConfigurations(configAdmin, files), forms, drivers,
                access, new RestApi.Settings(frameTimeout, "0.1.0", STARTED), Clock.fixed(NOW, ZoneOffset.UTC));
    }

    Reply call(String method, String target) throws Exception {
        return call(method, target, null);
    }

    /** Calls a route; {@code target} is the path below /api with an optional query. */
    Reply call(String method, String target, String body) throws Exception {
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        String query = q < 0 ? null : target.substring(q + 1);
        Router.Match m = api.router().match(method, path);
        byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        Call call = new Call(method, m.params(), query, () -> bytes, "/api", json);
        return m.route().handler().handle(call);
    }

    /** The problem a call fails with; fails the test if it succeeds. */
    Problem problem(String method, String target, String body) {
        try {
            Reply r = call(method, target, body);
            fail(method + " " + target + " answered " + r + " instead of failing");
            return null;
        } catch (ApiException e) {
            return e.problem();
        } catch (CameraException e) {
            return Problem.of(e);
        } catch (Exception e) {
            throw new AssertionError(method + " " + target + " failed unexpectedly", e);
        }
    }

    Problem problem(String method, String target) {
        return problem(method, target, null);
    }

    /** The JSON body of a reply as plain maps and lists. */
    @SuppressWarnings("unchecked")
    Map<String, Object> object(Reply r) {
        return (Map<String, Object>) json.toPlain(assertInstanceOf(Reply.Json.class, r).body());
    }

    @SuppressWarnings("unchecked")
    List<Object> list(Reply r) {
        return (List<Object>) json.toPlain(assertInstanceOf(Reply.Json.class, r).body());
    }
}
