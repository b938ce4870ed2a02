package org.obscura.ws.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.websocket.server.config.JettyWebSocketServletContainerInitializer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Upgrade credentials (header and {@code ?token=}) reach the access policy through a real Jetty WebSocket upgrade. */
class WebSocketAuthRoundTripTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SET_LIGHT = "{\"action\":\"SET_LIGHT_STATE\",\"payload\":{\"light_name\":\"a\",\"state\":true},"
            + "\"request_id\":\"1\"}";

    @TempDir
    Path dataDir;
    private final AdminPolicyTest.Access access = new AdminPolicyTest.Access();
    private Server server;
    private WebSocketApi api;
    private String base;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        api = new WebSocketApi(new Services(new Fakes.Registry(), new Fakes.Capture(), new Fakes.Store(dataDir)),
                new WebSocketApi.Settings(0, 65536, 32, 4, Duration.ofMinutes(5)), new AdminPolicy(access));
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        JettyWebSocketServletContainerInitializer.configure(context, null);
        context.addServlet(new ServletHolder(api), WebSocketApi.PATTERN);
        server.setHandler(context);
        server.start();
        base = "ws://127.0.0.1:" + connector.getLocalPort() + "/ws";
    }

    @AfterEach
    void stop() throws Exception {
        api.deactivate();
        server.stop();
    }

    private static final class Client implements WebSocket.Listener {
        final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                messages.add(partial.toString());
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }
    }

    /** The error of the answer to SET_LIGHT_STATE on a socket opened with these credentials. */
    private String setLightError(String query, String authorization) throws Exception {
        Client c = new Client();
        WebSocket.Builder b = http.newWebSocketBuilder();
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        WebSocket socket = b.buildAsync(URI.create(base + query), c).get(20, TimeUnit.SECONDS);
        try {
            socket.sendText(SET_LIGHT, true).get(20, TimeUnit.SECONDS);
            String answer = c.messages.poll(20, TimeUnit.SECONDS);
            assertNotNull(answer);
            JsonNode n = JSON.readTree(answer);
            assertFalse(n.get("success").asBoolean(), answer);
            return n.get("error").asText();
        } finally {
            socket.abort();
            // The server forgets the socket when it notices the close, on its own threads: the test opens more
            // sockets than it allows at once (4), so each waits until the previous one is gone.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (api.connections() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        }
    }

    @Test
    void upgradeCredentialsComeFromTheHeaderOrTheTokenParameter() throws Exception {
        access.tokens.add("tok");
        assertEquals("admin authentication required", setLightError("", null));
        assertEquals("admin authentication required", setLightError("?token=wrong", null));
        // Allowed: the action runs and fails for its own reason (no lights service here).
        assertNotEquals("admin authentication required", setLightError("?token=tok", null));
        assertNotEquals("admin authentication required", setLightError("", AdminPolicyTest.Access.BASIC));
        assertNotEquals("admin authentication required", setLightError("", "Bearer tok"));
    }
}
