package org.obscura.itest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A client of the REST API's Server-Sent Events ({@code GET /api/v1/events}), as a browser's EventSource reads
 * them: {@code event:} and {@code data:} lines, a blank line ends an event. A thread of its own reads the stream
 * from the moment {@link #open} returns (the server registers the client before answering) until {@link #close}.
 * Thread-safe.
 */
final class EventStreamReader implements AutoCloseable {

    /** One event: its name ({@code plugins/progress}) and its data (one line of JSON). */
    record Received(String event, String data) {
    }

    private final List<Received> events = new ArrayList<>(); // guarded by itself
    private final InputStream body;
    private final Thread reader;

    private EventStreamReader(InputStream body) {
        this.body = body;
        this.reader = new Thread(this::read, "itest-event-stream");
        reader.setDaemon(true);
        reader.start();
    }

    /** Connects; fails unless the answer is a 200 event stream. */
    static EventStreamReader open(HttpClient http, URI uri, String authorization) throws IOException {
        HttpResponse<InputStream> r;
        try {
            r = http.send(HttpRequest.newBuilder(uri).header("Authorization", authorization)
                    .header("Accept", "text/event-stream").timeout(Duration.ofMinutes(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        String type = r.headers().firstValue("Content-Type").orElse("");
        if (r.statusCode() != 200 || !type.startsWith("text/event-stream")) {
            r.body().close();
            throw new IOException("not an event stream: " + r.statusCode() + " " + type);
        }
        return new EventStreamReader(r.body());
    }

    private void read() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String event = null;
            StringBuilder data = new StringBuilder();
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.isEmpty()) {
                    if (event != null) {
                        synchronized (events) {
                            events.add(new Received(event, data.toString()));
                        }
                    }
                    event = null;
                    data.setLength(0);
                } else if (line.startsWith("event:")) {
                    event = line.substring("event:".length()).strip();
                } else if (line.startsWith("data:")) {
                    data.append(data.length() == 0 ? "" : "\n").append(line.substring("data:".length()).strip());
                }
            }
        } catch (IOException closed) {
            // closed by close(), or the server ended the stream
        }
    }

    /** The events of that name so far, in order of arrival. */
    List<Received> named(String event) {
        synchronized (events) {
            return events.stream().filter(e -> e.event().equals(event)).toList();
        }
    }

    @Override
    public void close() throws IOException {
        body.close();
    }
}
