package org.obscura.rest.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.obscura.camera.api.ObscuraEvents;
import org.obscura.camera.api.SequenceProgress;
import org.osgi.service.event.Event;

/** Server-Sent Events: relaying, the bounded queue, heartbeats, the client cap; Event Admin as the source. */
class EventRelayTest {

    private static final long WAIT_MS = 20_000;

    @TempDir
    Path dir;
    private final JsonCodec json = new JsonCodec();
    private EventRelay relay;

    @AfterEach
    void close() {
        if (relay != null) {
            relay.close();
        }
    }

    /** What a client received, readable while its writer runs on another thread. */
    static final class Received extends OutputStream {
        private final StringBuilder text = new StringBuilder();
        volatile CountDownLatch blocked;

        @Override
        public synchronized void write(int b) {
            text.append((char) b);
            notifyAll();
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            CountDownLatch block = blocked;
            if (block != null) {
                try {
                    // A client that stopped reading: the writer hangs here.
                    block.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted");
                }
            }
            synchronized (this) {
                text.append(new String(b, off, len, StandardCharsets.UTF_8));
                notifyAll();
            }
        }

        synchronized String text() {
            return text.toString();
        }

        /** Waits until the text contains {@code expected}; fails after a generous time. */
        synchronized String await(String expected) throws InterruptedException {
            long end = System.currentTimeMillis() + WAIT_MS;
            while (!text.toString().contains(expected)) {
                long left = end - System.currentTimeMillis();
                if (left <= 0) {
                    throw new AssertionError("never received '" + expected + "'; got: " + text);
                }
                wait(left);
            }
            return text.toString();
        }
    }

    /** Runs a client's stream writer on its own thread, as a request thread would. */
    private static Thread run(Reply reply, Received out) {
        Reply.Stream stream = assertInstanceOf(Reply.Stream.class, reply);
        assertEquals(EventRelay.CONTENT_TYPE, stream.contentType());
        Thread t = new Thread(() -> {
            try {
                stream.writer().write(out);
            } catch (IOException e) {
                // client gone
            }
        }, "sse-client");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static Reply open(EventRelay relay) {
        return relay.open(new Call("GET", Map.of(), null, null, "/api", new JsonCodec()));
    }

    @Test
    void relaysObscuraEventsByShortTopicWithTheirPropertiesAsJson() throws Exception {
        relay = new EventRelay(json);
        Received out = new Received();
        Thread client = run(open(relay), out);
        out.await(": connected");
        relay.publish("org/osgi/framework/BundleEvent/STARTED", Map.of("bundle", "x"));
        relay.publish(ObscuraEvents.CAMERA_ONLINE, Map.of("camera", "left", "driver", "v4l2",
                "event.topics", ObscuraEvents.CAMERA_ONLINE));
        relay.publish(ObscuraEvents.CAPTURE_DONE, Map.of("camera", "left", "path", "captures/left/a.jpg",
                "sizes", new int[] {1, 2}, "note", "line one\nline two"));
        String text = out.await("event: capture/done");
        assertTrue(text.contains("event: camera/online\ndata: {\"camera\":\"left\",\"driver\":\"v4l2\"}\n\n"), text);
        assertTrue(text.contains("data: {\"camera\":\"left\",\"note\":\"line one\\nline two\",\"path\":\"captures/left/a.jpg\","
                + "\"sizes\":[1,2]}\n\n"), text);
        assertFalse(text.contains("BundleEvent") || text.contains("bundle"), "only org/obscura/ topics: " + text);
        assertTrue(text.contains("id: 1\n") && text.contains("id: 2\n"), text);
        relay.close();
        client.join(WAIT_MS);
        assertFalse(client.isAlive(), "closing the relay ends the stream");
        assertEquals(0, relay.clients());
    }

    @Test
    void aFullQueueDropsItsOldestEventsAndTellsTheClient() throws Exception {
        relay = new EventRelay(json, Duration.ofSeconds(15), 3, 8);
        Reply reply = open(relay);
        // The client is registered at open: events queue before its writer runs.
        for (int i = 1; i <= 5; i++) {
            relay.publish(ObscuraEvents.CAMERA_OFFLINE, Map.of("camera", "cam" + i));
        }
        Received out = new Received();
        run(reply, out);
        String text = out.await("cam5");
        assertTrue(text.contains("event: overflow\ndata: {\"dropped\":2}"), text);
        assertFalse(text.contains("\"cam1\"") || text.contains("\"cam2\""), text);
        assertTrue(text.indexOf("cam3") < text.indexOf("cam4") && text.indexOf("cam4") < text.indexOf("cam5"), text);
    }

    @Test
    void publishingNeverWaitsForASlowClient() throws Exception {
        relay = new EventRelay(json, Duration.ofSeconds(15), 4, 8);
        Received stuck = new Received();
        Reply reply = open(relay);
        run(reply, stuck);
        stuck.await(": connected");
        stuck.blocked = new CountDownLatch(1);
        // The writer takes one batch and hangs writing it; every later event lands in the bounded queue.
        relay.publish(ObscuraEvents.CAMERA_ADDED, Map.of("camera", "first"));
        Thread publisher = new Thread(() -> {
            for (int i = 0; i < 10_000; i++) {
                relay.publish(ObscuraEvents.CAMERA_ADDED, Map.of("camera", "c" + i));
            }
        });
        publisher.start();
        publisher.join(WAIT_MS);
        assertFalse(publisher.isAlive(), "publish blocked on a client that does not read");
        stuck.blocked.countDown();
        String text = stuck.await("\"c9999\"");
        assertTrue(text.contains("event: overflow"), text);
    }

    @Test
    void idleStreamsGetHeartbeats() throws Exception {
        relay = new EventRelay(json, Duration.ofMillis(50), 16, 8);
        Received out = new Received();
        run(open(relay), out);
        out.await(": heartbeat\n\n");
    }

    @Test
    void theNumberOfClientsIsCapped() {
        relay = new EventRelay(json, Duration.ofSeconds(15), 16, 2);
        Reply a = open(relay);
        open(relay);
        ApiException full = assertThrows(ApiException.class, () -> open(relay));
        assertEquals(503, full.problem().status());
        assertEquals("5", full.headers().get("Retry-After"));
        // A HEAD request abandons its stream: the place is free again.
        assertInstanceOf(Reply.Stream.class, a).writer().abandon();
        assertEquals(1, relay.clients());
        open(relay);
    }

    @Test
    void theServletRelaysEventAdminEventsAndTagsSequencesStartedHere() throws Exception {
        TestApi t = new TestApi(dir);
        Fakes.Sequencer sequencer = new Fakes.Sequencer();
        t.api.sequencer().bind(sequencer);
        ApiServlet servlet = new ApiServlet(t.api, t.drivers, 64 * 1024);
        Received out = new Received();
        try {
            run(t.call("GET", "/v1/events"), out);
            out.await(": connected");
            String id = (String) t.object(t.call("POST", "/v1/sequences/photometric", "{\"lights\": [\"north\"]}")).get("id");
            sequencer.progress.accept(new SequenceProgress("started", 0, 1, null, "sets/scan_1", null));
            servlet.handleEvent(new Event(ObscuraEvents.SEQUENCE_PROGRESS, Map.of("status", "started", "step", 0,
                    "total", 1, "setFolder", "sets/scan_1")));
            servlet.handleEvent(new Event(ObscuraEvents.SEQUENCE_PROGRESS, Map.of("status", "started", "step", 0,
                    "total", 3, "setFolder", "sets/elsewhere")));
            servlet.handleEvent(new Event(ObscuraEvents.CAMERA_REMOVED, Map.of("camera", "right")));
            String text = out.await("event: camera/removed");
            assertTrue(text.contains("event: sequence/progress\ndata: {\"sequence\":\"" + id
                    + "\",\"setFolder\":\"sets/scan_1\",\"status\":\"started\",\"step\":0,\"total\":1}"), text);
            assertTrue(text.contains("data: {\"setFolder\":\"sets/elsewhere\",\"status\":\"started\",\"step\":0,\"total\":3}"),
                    "a sequence started elsewhere has no id: " + text);
            assertTrue(text.contains("data: {\"camera\":\"right\"}"), text);
        } finally {
            t.api.close();
        }
        assertEquals(0, waitForNoClients(t), "closing the API ends the event streams");
    }

    /** The client count once it reached 0, or after a generous wait. */
    private static int waitForNoClients(TestApi t) throws InterruptedException {
        long end = System.currentTimeMillis() + WAIT_MS;
        while (t.api.events().clients() > 0 && System.currentTimeMillis() < end) {
            Thread.sleep(10);
        }
        return t.api.events().clients();
    }
}
