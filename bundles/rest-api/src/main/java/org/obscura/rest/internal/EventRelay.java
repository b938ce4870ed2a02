package org.obscura.rest.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Array;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.obscura.camera.api.ObscuraEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v1/events}: Server-Sent Events. Every Obscura event ({@code org/obscura/*} on Event Admin) is
 * relayed to every connected client as
 * <pre>
 * id: 42
 * event: camera/online
 * data: {"camera":"left","driver":"v4l2"}
 * </pre>
 * (the topic without {@code org/obscura/}, lower case; the data the event's properties as JSON), with a
 * comment line as heartbeat when nothing happened for a while, so that proxies and clients see the
 * connection alive and a gone client is noticed.
 *
 * <p>Threading: {@link #publish} runs on Event Admin's delivery thread and must never block it. It serialises
 * the event once and offers it to each client's bounded queue; a full queue drops its oldest event (the
 * client is told how many it missed, as an {@code overflow} event). Each client is written by its own request
 * thread, which waits on its queue: the same model as the MJPEG streams (one container thread per open stream,
 * blocking writes, nothing shared between clients), chosen over an asynchronous servlet because the number of
 * event clients of a camera server is small and the blocking writer needs no second code path through the
 * servlet. The number of clients is capped, so event streams cannot take every container thread.
 */
final class EventRelay implements AutoCloseable {

    static final String CONTENT_TYPE = "text/event-stream;charset=utf-8";
    static final Duration HEARTBEAT = Duration.ofSeconds(15);
    static final int QUEUE_CAPACITY = 256;
    static final int MAX_CLIENTS = 32;

    private static final Logger LOG = LoggerFactory.getLogger(EventRelay.class);

    /** One event as sent: its name and its JSON data. */
    private record Message(long id, String event, String data) {
    }

    private final JsonCodec json;
    private final Duration heartbeat;
    private final int capacity;
    private final int maxClients;
    private final Set<Client> clients = ConcurrentHashMap.newKeySet();
    private final AtomicLong ids = new AtomicLong();
    private volatile boolean closed;

    EventRelay(JsonCodec json) {
        this(json, HEARTBEAT, QUEUE_CAPACITY, MAX_CLIENTS);
    }

    EventRelay(JsonCodec json, Duration heartbeat, int capacity, int maxClients) {
        this.json = json;
        this.heartbeat = heartbeat;
        this.capacity = capacity;
        this.maxClients = maxClients;
    }

    void addRoutes(Router router) {
        router.add("GET", "/v1/events", this::open, RouteDoc.of("events", "Server-Sent Events: camera, capture and sequence events")
                .description("text/event-stream. Each event: 'event: <topic>' (camera/added, camera/removed, "
                        + "camera/online, camera/offline, capture/done, sequence/progress) and 'data: <JSON of its "
                        + "properties>'. A comment line every " + HEARTBEAT.toSeconds() + " s keeps it alive; "
                        + "'overflow' {dropped} tells a slow client how many events it missed.")
                .answers(200, "text/event-stream", "the event stream (stays open)", Map.of("type", "string"))
                .error(503, "too many event stream clients"));
    }

    /** Number of connected clients. */
    int clients() {
        return clients.size();
    }

    /**
     * Relays one event to every client. Never blocks and never throws (it runs on Event Admin's thread).
     *
     * @param topic      the Event Admin topic; topics outside {@code org/obscura/} are ignored
     * @param properties the event's properties; Event Admin's own ({@code event.topics}) are left out
     */
    void publish(String topic, Map<String, ?> properties) {
        if (topic == null || !topic.startsWith(ObscuraEvents.TOPIC_PREFIX) || clients.isEmpty()) {
            return;
        }
        String data;
        try {
            data = new String(json.write(plain(properties)), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            LOG.debug("event {} not relayed: {}", topic, e.toString());
            return;
        }
        Message m = new Message(ids.incrementAndGet(),
                topic.substring(ObscuraEvents.TOPIC_PREFIX.length()).toLowerCase(Locale.ROOT), data);
        for (Client c : clients) {
            c.offer(m);
        }
    }

    /** GET: registers the client at once (events from now on are queued for it) and answers its stream. */
    Reply open(Call call) {
        if (closed) {
            throw new ApiException(Problem.of(503, "unavailable", "Unavailable", "the server is stopping"));
        }
        Client client = new Client();
        synchronized (clients) {
            if (clients.size() >= maxClients) {
                throw new ApiException(Problem.of(503, "unavailable", "Unavailable", "too many event stream clients ("
                        + maxClients + "); close one and try again"), Map.of("Retry-After", "5"));
            }
            clients.add(client);
        }
        return new Reply.Stream(CONTENT_TYPE, Map.of("Cache-Control", "no-cache, no-store", "X-Accel-Buffering", "no"),
                client);
    }

    /** Ends the open streams (their threads return within a moment); new clients may connect afterwards. */
    void endStreams() {
        for (Client c : clients) {
            c.end();
        }
    }

    /** Ends every stream and refuses new ones. */
    @Override
    public void close() {
        closed = true;
        endStreams();
    }

    /** Event properties as JSON-friendly values, sorted by name; arrays become lists, unknown types their text. */
    static Map<String, Object> plain(Map<String, ?> properties) {
        Map<String, Object> out = new TreeMap<>();
        if (properties != null) {
            properties.forEach((k, v) -> {
                if (!"event.topics".equals(k) && v != null) {
                    out.put(k, plainValue(v));
                }
            });
        }
        return out;
    }

    private static Object plainValue(Object v) {
        if (v instanceof String || v instanceof Number || v instanceof Boolean) {
            return v;
        }
        if (v.getClass().isArray()) {
            List<Object> list = new ArrayList<>();
            for (int i = 0; i < Array.getLength(v); i++) {
                Object e = Array.get(v, i);
                list.add(e == null ? null : plainValue(e));
            }
            return list;
        }
        if (v instanceof Collection<?> c) {
            List<Object> list = new ArrayList<>();
            c.forEach(e -> list.add(e == null ? null : plainValue(e)));
            return list;
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> map = new LinkedHashMap<>();
            m.forEach((k, e) -> map.put(String.valueOf(k), e == null ? null : plainValue(e)));
            return map;
        }
        return v.toString();
    }

    /** One connected client: its queue, written by its request thread. */
    private final class Client implements Reply.BodyWriter {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition ready = lock.newCondition();
        private final ArrayDeque<Message> queue = new ArrayDeque<>();
        private long dropped;
        private boolean ended;

        /** Called by {@link #publish}: never waits for the writer. */
        void offer(Message m) {
            lock.lock();
            try {
                if (queue.size() >= capacity) {
                    queue.pollFirst();
                    dropped++;
                }
                queue.addLast(m);
                ready.signal();
            } finally {
                lock.unlock();
            }
        }

        void end() {
            lock.lock();
            try {
                ended = true;
                ready.signal();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void write(OutputStream out) throws IOException {
            try {
                // The retry hint and a first comment commit the stream, so a client sees it open at once.
                send(out, "retry: 3000\n: connected\n\n");
                List<Message> batch = new ArrayList<>();
                while (true) {
                    long missed;
                    lock.lock();
                    try {
                        long wait = heartbeat.toNanos();
                        while (queue.isEmpty() && !ended && !closed && wait > 0) {
                            wait = ready.awaitNanos(wait);
                        }
                        if (ended || closed) {
                            return;
                        }
                        batch.addAll(queue);
                        queue.clear();
                        missed = dropped;
                        dropped = 0;
                    } finally {
                        lock.unlock();
                    }
                    StringBuilder b = new StringBuilder();
                    if (missed > 0) {
                        b.append("event: overflow\ndata: {\"dropped\":").append(missed).append("}\n\n");
                    }
                    for (Message m : batch) {
                        b.append("id: ").append(m.id()).append('\n')
                                .append("event: ").append(m.event()).append('\n')
                                .append("data: ").append(m.data()).append("\n\n");
                    }
                    batch.clear();
                    send(out, b.length() == 0 ? ": heartbeat\n\n" : b.toString());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                clients.remove(this);
            }
        }

        @Override
        public void abandon() {
            clients.remove(this);
        }

        private void send(OutputStream out, String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }
}
