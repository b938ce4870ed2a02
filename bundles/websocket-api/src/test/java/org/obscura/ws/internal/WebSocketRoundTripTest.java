package org.obscura.ws.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
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
import org.osgi.service.event.Event;

/**
 * The servlet in a real Jetty 12 with its WebSocket server, as the Felix Jetty bundle runs it, spoken to with the
 * JDK's WebSocket client over loopback.
 */
class WebSocketRoundTripTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long WAIT = 20;

    @TempDir
    Path dataDir;

    private Server server;
    private WebSocketApi api;
    private Fakes.Registry registry;
    private URI uri;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        registry = new Fakes.Registry();
        api = new WebSocketApi(new Services(registry, new Fakes.Capture(), new Fakes.Store(dataDir)),
                new WebSocketApi.Settings(0, 65536, 32, 4, Duration.ofMinutes(5)), AccessPolicy.OPEN);
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        JettyWebSocketServletContainerInitializer.configure(context, null);
        context.addServlet(new ServletHolder(api), WebSocketApi.PATTERN);
        server.setHandler(context);
        server.start();
        uri = URI.create("ws://127.0.0.1:" + connector.getLocalPort() + "/ws");
    }

    @AfterEach
    void stop() throws Exception {
        api.deactivate();
        server.stop();
    }

    /** A client socket whose whole text messages land in a queue. */
    private static final class Client implements WebSocket.Listener {
        final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();
        volatile boolean closed;
        WebSocket socket;

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

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            closed = true;
            return null;
        }

        void send(String text) throws Exception {
            socket.sendText(text, true).get(WAIT, TimeUnit.SECONDS);
        }

        /** The next message with this action (skipping others, e.g. liveview frames). */
        JsonNode next(String action) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT);
            while (System.nanoTime() < deadline) {
                String m = messages.poll(1, TimeUnit.SECONDS);
                if (m != null) {
                    JsonNode n = JSON.readTree(m);
                    if (action.equals(n.path("action").asText(null)) || (action.isEmpty() && n.get("action").isNull())) {
                        return n;
                    }
                }
            }
            throw new AssertionError("no '" + action + "' message within " + WAIT + " s");
        }
    }

    private Client connect() throws Exception {
        Client c = new Client();
        c.socket = http.newWebSocketBuilder().buildAsync(uri, c).get(WAIT, TimeUnit.SECONDS);
        return c;
    }

    @Test
    void requestsResponsesLiveviewAndEventsOverARealSocket() throws Exception {
        Client c = connect();
        c.send("{\"action\":\"GET_CAMERAS\",\"payload\":{},\"request_id\":\"1\"}");
        JsonNode cams = c.next("GET_CAMERAS");
        assertTrue(cams.get("success").asBoolean());
        assertEquals("1", cams.get("request_id").asText());
        assertEquals("Canon EOS Rebel T6", cams.get("data").get(1).get("model").asText());

        c.send("{oops");
        JsonNode bad = c.next("");
        assertFalse(bad.get("success").asBoolean());
        assertTrue(bad.get("error").asText().startsWith("Invalid JSON"));

        c.send("{\"action\":\"GET_CAMERAS\",\"payload\":{\"pad\":\"" + "x".repeat(100_000) + "\"},\"request_id\":\"big\"}");
        JsonNode big = c.next("");
        assertTrue(big.get("error").asText().startsWith("Message too large"), big.toString());

        c.socket.sendBinary(ByteBuffer.wrap(new byte[] { 1, 2 }), true).get(WAIT, TimeUnit.SECONDS);
        assertTrue(c.next("").get("error").asText().contains("Binary messages are not supported"));

        c.send("{\"action\":\"SELECT_CAMERA\",\"payload\":{\"name\":\"bench\"},\"request_id\":\"2\"}");
        assertEquals("bench", c.next("SELECT_CAMERA").get("data").get("name").asText());
        c.send("{\"action\":\"START_LIVEVIEW\",\"payload\":{},\"request_id\":\"3\"}");
        assertTrue(c.next("START_LIVEVIEW").get("success").asBoolean());
        registry.subscriptions.get(0).push(new byte[] { (byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xD9 });
        JsonNode frame = c.next("liveview_frame");
        assertEquals("/9j/2Q==", frame.get("frame").asText());
        assertEquals("image/jpeg", frame.get("mimetype").asText());

        c.send("{\"action\":\"SUBSCRIBE_EVENTS\",\"request_id\":\"4\"}");
        assertTrue(c.next("SUBSCRIBE_EVENTS").get("success").asBoolean());
        Client quiet = connect();
        api.handleEvent(new Event("org/obscura/camera/OFFLINE", Map.of("camera", "bench", "reason", "unplugged")));
        JsonNode event = c.next("event");
        assertEquals("org/obscura/camera/OFFLINE", event.get("data").get("topic").asText());
        assertEquals("unplugged", event.get("data").get("reason").asText());
        quiet.send("{\"action\":\"GET_CAMERAS\",\"request_id\":\"q\"}");
        quiet.next("GET_CAMERAS");
        assertTrue(quiet.messages.stream().noneMatch(m -> m.contains("\"event\"")), "only subscribers get events");

        assertFalse(c.closed, "bad messages never close the socket");
        assertEquals(2, api.connections());
        c.socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(WAIT, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT);
        while (api.connections() > 1 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(1, api.connections(), "a closed socket is forgotten");
        assertTrue(registry.subscriptions.get(0).closed, "and its liveview released");
    }

    @Test
    void connectionsBeyondTheLimitAreRefused() throws Exception {
        for (int i = 0; i < 4; i++) {
            connect();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT);
        while (api.connections() < 4 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        Exception refused = null;
        try {
            connect();
        } catch (Exception e) {
            refused = e;
        }
        assertNotNull(refused, "the fifth connection is refused");
    }
}
