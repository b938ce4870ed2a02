package org.obscura.ws.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OutboxAndLiveviewTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void tearDown() {
        scheduler.shutdownNow();
    }

    @Test
    void oneMessageOnTheWireAtATimeInOrder() {
        Fakes.Transport t = new Fakes.Transport();
        t.hold = true;
        Outbox out = new Outbox(t);
        out.send("a");
        out.send("b");
        out.send("c");
        assertEquals(List.of("a"), List.copyOf(t.messages), "the next waits for the first to complete");
        assertEquals(2, out.queued());
        t.hold = true;
        Runnable first = t.held.remove(0);
        first.run();
        assertEquals(List.of("a", "b"), List.copyOf(t.messages));
        t.release();
        assertEquals(List.of("a", "b", "c"), List.copyOf(t.messages));
    }

    @Test
    void inlineCompletionsDoNotRecurse() {
        AtomicInteger depth = new AtomicInteger();
        AtomicInteger maxDepth = new AtomicInteger();
        AtomicInteger sent = new AtomicInteger();
        Outbox out = new Outbox(new Outbox.Transport() {
            @Override
            public void send(String text, Runnable done, java.util.function.Consumer<Throwable> failed) {
                maxDepth.accumulateAndGet(depth.incrementAndGet(), Math::max);
                sent.incrementAndGet();
                done.run();
                depth.decrementAndGet();
            }

            @Override
            public void close(int code, String reason) {
            }
        });
        for (int i = 0; i < 400; i++) {
            out.send("m" + i);
        }
        assertEquals(400, sent.get());
        assertEquals(1, maxDepth.get(), "completions inside send() continue the loop instead of nesting");
    }

    @Test
    void aClientThatStopsReadingLosesEventsThenTheConnection() {
        Fakes.Transport t = new Fakes.Transport();
        t.hold = true;
        Outbox out = new Outbox(t);
        out.send("first"); // on the wire, never completed
        for (int i = 0; i < Outbox.MAX_QUEUED_DROPPABLE; i++) {
            assertTrue(out.sendDroppable("event"));
        }
        assertFalse(out.sendDroppable("event"), "events are dropped when the client is behind");
        for (int i = out.queued(); i < Outbox.MAX_QUEUED; i++) {
            out.send("response");
        }
        assertNull(t.closedWith);
        out.send("one too many");
        assertNotNull(t.closedWith, "disconnected");
        assertTrue(t.closedWith.startsWith("1008"));
        assertTrue(out.closed());
    }

    @Test
    void aSlowClientSkipsToTheNewestFrame() throws Exception {
        Fakes.Registry registry = new Fakes.Registry();
        Fakes.Transport t = new Fakes.Transport();
        Outbox out = new Outbox(t);
        LiveviewStream stream = new LiveviewStream("bench", out, scheduler, 0);
        stream.open(registry);
        Fakes.Subscription sub = registry.subscriptions.get(0);

        t.hold = true;
        sub.push(new byte[] { 1 });
        String first = t.messages.poll(10, TimeUnit.SECONDS);
        assertNotNull(first);
        assertEquals(1, frameByte(first));
        for (byte i = 2; i <= 9; i++) {
            sub.push(new byte[] { i }); // the client has not finished receiving frame 1
        }
        assertNull(t.messages.poll(200, TimeUnit.MILLISECONDS), "no frame is sent while one is on the wire");
        t.release();
        String next = t.messages.poll(10, TimeUnit.SECONDS);
        assertNotNull(next);
        assertEquals(9, frameByte(next), "frames 2 to 8 were skipped");
        stream.close();
        assertTrue(sub.closed);
    }

    @Test
    void frameMessageIsTheSeedShape() throws Exception {
        JsonNode n = JSON.readTree(LiveviewStream.frameMessage(ByteBuffer.wrap(new byte[] { (byte) 0xFF, (byte) 0xD8 })));
        assertEquals(3, n.size());
        assertEquals("liveview_frame", n.get("action").asText());
        assertEquals("image/jpeg", n.get("mimetype").asText());
        assertEquals("/9g=", n.get("frame").asText());
    }

    private static int frameByte(String message) throws Exception {
        return Base64.getDecoder().decode(JSON.readTree(message).get("frame").asText())[0];
    }
}
