package org.obscura.ws.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.obscura.camera.api.AccessControl;

/** The server's socket policy: changes need the administrator, by upgrade credentials or an AUTH action. */
class AdminPolicyTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Knows one Basic header and the tokens in {@link #tokens}; records the addresses it was asked for. */
    static final class Access implements AccessControl {
        static final String BASIC = "Basic YWRtaW46c2VjcmV0";
        final Set<String> tokens = ConcurrentHashMap.newKeySet();
        final List<String> remotes = new CopyOnWriteArrayList<>();
        volatile boolean viewingOpen = true;
        volatile boolean captureNeedsAdmin;

        @Override
        public Caller check(String authorization, String token, String remote) {
            remotes.add(remote);
            if (authorization != null) {
                return BASIC.equals(authorization) || authorization.startsWith("Bearer ")
                        && tokens.contains(authorization.substring(7)) ? Caller.ADMINISTRATOR
                        : new Caller(null, "wrong user name or password");
            }
            if (token != null) {
                return tokens.contains(token) ? Caller.ADMINISTRATOR : new Caller(null, "token unknown or expired");
            }
            return Caller.ANONYMOUS;
        }

        @Override
        public Optional<Token> issue(String authorization, String remote) {
            return Optional.of(new Token("t", Instant.EPOCH));
        }

        @Override
        public boolean viewingOpen() {
            return viewingOpen;
        }

        @Override
        public boolean captureNeedsAdmin() {
            return captureNeedsAdmin;
        }

        @Override
        public List<String> corsOrigins() {
            return List.of();
        }
    }

    @TempDir
    Path dataDir;
    private final Access access = new Access();
    private Fakes.Registry registry;
    private Fakes.Capture capture;
    private ActionDispatcher dispatcher;
    private ScheduledExecutorService scheduler;
    private Fakes.Transport transport;

    @BeforeEach
    void setUp() {
        registry = new Fakes.Registry();
        capture = new Fakes.Capture();
        dispatcher = new ActionDispatcher(new Services(registry, capture, new Fakes.Store(dataDir)),
                new AdminPolicy(access), 65536);
        scheduler = Executors.newSingleThreadScheduledExecutor();
        transport = new Fakes.Transport();
    }

    @AfterEach
    void tearDown() {
        scheduler.shutdownNow();
    }

    private ClientSession session(String authorization) {
        return new ClientSession(new Outbox(transport), Runnable::run, scheduler, 0, 8, "/10.1.2.3:50000", authorization);
    }

    private JsonNode call(ClientSession session, String action, String payload) throws Exception {
        transport.messages.clear();
        dispatcher.handle(session, "{\"action\":\"" + action + "\",\"payload\":" + payload + ",\"request_id\":\"1\"}");
        String out = transport.messages.poll(5, TimeUnit.SECONDS);
        assertNotNull(out, "a response to " + action);
        return JSON.readTree(out);
    }

    private static void ok(JsonNode r) {
        assertTrue(r.get("success").asBoolean(), r::toString);
    }

    private static void refused(JsonNode r) {
        assertFalse(r.get("success").asBoolean(), r::toString);
        assertEquals("admin authentication required", r.get("error").asText());
    }

    @Test
    void mutatingActionsAreRefusedWithoutCredentialsAndAllowedAfterAuth() throws Exception {
        ClientSession s = session(null);
        ok(call(s, "SELECT_CAMERA", "{\"name\":\"dslr\"}"));
        refused(call(s, "SET_CONFIG", "{\"config_name\":\"iso\",\"value\":\"100\"}"));
        refused(call(s, "SET_LIGHT_STATE", "{\"light_name\":\"a\",\"state\":true}"));
        refused(call(s, "DELETE_IMAGE_SET", "{\"set_name\":\"x\"}"));
        ok(call(s, "GET_CONFIG", "{}"));

        JsonNode bad = call(s, "AUTH", "{\"token\":\"nope\"}");
        assertFalse(bad.get("success").asBoolean());
        assertEquals("token unknown or expired", bad.get("error").asText());
        assertFalse(call(s, "AUTH", "{}").get("success").asBoolean(), "the token is required");
        refused(call(s, "SET_CONFIG", "{\"config_name\":\"iso\",\"value\":\"100\"}"));

        access.tokens.add("good");
        JsonNode auth = call(s, "AUTH", "{\"token\":\"good\"}");
        ok(auth);
        assertTrue(auth.get("data").get("authenticated").asBoolean());
        JsonNode set = call(s, "SET_CONFIG", "{\"config_name\":\"iso\",\"value\":\"100\"}");
        assertFalse("admin authentication required".equals(set.get("error").asText()), set.toString());
        assertTrue(access.remotes.contains("10.1.2.3"), "failed logins are counted per address: " + access.remotes);

        access.tokens.clear();
        refused(call(s, "SET_CONFIG", "{\"config_name\":\"iso\",\"value\":\"100\"}"));
    }

    @Test
    void upgradeCredentialsCount() throws Exception {
        JsonNode set = call(session(Access.BASIC), "SET_CONFIG", "{\"config_name\":\"iso\",\"value\":\"100\"}");
        assertFalse("admin authentication required".equals(set.get("error").asText()), set.toString());
        refused(call(session("Basic d3Jvbmc6d3Jvbmc="), "SET_CONFIG", "{\"config_name\":\"iso\",\"value\":\"100\"}"));
        access.tokens.add("tk");
        assertEquals("Bearer tk", WebSocketApi.credentials(null, List.of("tk")));
        ClientSession viaQuery = session(WebSocketApi.credentials(null, List.of("tk")));
        assertFalse("admin authentication required".equals(call(viaQuery, "SET_CONFIG",
                "{\"config_name\":\"iso\",\"value\":\"100\"}").get("error").asText()));
        assertEquals(Access.BASIC, WebSocketApi.credentials(Access.BASIC, List.of("tk")));
        assertNull(WebSocketApi.credentials(null, null));
        assertNull(WebSocketApi.credentials(" ", List.of("")));
    }

    @Test
    void capturesAndLiveviewFollowTheConfiguration() throws Exception {
        ClientSession s = session(null);
        ok(call(s, "SELECT_CAMERA", "{\"name\":\"dslr\"}"));
        assertFalse(new AdminPolicy(access).refusal(Action.CAPTURE_IMAGE, s) != null, "capture is open by default");
        assertNull(new AdminPolicy(access).refusal(Action.START_LIVEVIEW, s), "viewing is open by default");
        access.captureNeedsAdmin = true;
        refused(call(s, "CAPTURE_IMAGE", "{}"));
        assertTrue(capture.taken.isEmpty());
        access.viewingOpen = false;
        refused(call(s, "START_LIVEVIEW", "{}"));
        assertNull(new AdminPolicy(access).refusal(Action.GET_CAMERAS, s));
    }

    @Test
    void hostDropsThePort() {
        assertEquals("10.1.2.3", AdminPolicy.host("/10.1.2.3:50000"));
        assertEquals("0:0:0:0:0:0:0:1", AdminPolicy.host("/0:0:0:0:0:0:0:1:443"));
        assertEquals("::1", AdminPolicy.host("[::1]:80"));
        assertEquals("host", AdminPolicy.host("host"));
        assertNull(AdminPolicy.host(null));
    }
}
