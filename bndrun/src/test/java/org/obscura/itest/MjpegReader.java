package org.obscura.itest;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

import javax.imageio.ImageIO;

/**
 * One MJPEG viewer on one HTTP connection: a thread that reads the {@code multipart/x-mixed-replace} answer
 * part by part, decodes every JPEG and remembers what it saw, until the stream ends or {@link #close()} is
 * called.
 *
 * <p>The "no signal" placeholder the server sends while the camera is offline carries the part header
 * {@code X-Placeholder: true}; its picture must also look like one (grey on near-black, where the test
 * pattern is strongly coloured), which {@link #looksLikePlaceholder} checks.
 */
final class MjpegReader implements AutoCloseable {

    /**
     * One part as received.
     *
     * @param position    its position on this connection, from 0
     * @param index       its {@code X-Frame-Index} header, -1 if absent
     * @param placeholder whether the picture is the "no signal" placeholder
     * @param received    when it was read whole ({@link System#nanoTime()})
     */
    record Part(int position, long index, boolean placeholder, int width, int height, long received) {
        @Override
        public String toString() {
            return "#" + index + (placeholder ? " placeholder " : " frame ") + width + "x" + height;
        }
    }

    private final HttpResponse<InputStream> response;
    private final String boundary;
    private final Thread thread;
    private final List<Part> parts = new ArrayList<>(); // guarded by itself
    private volatile boolean closing;
    private volatile boolean ended;
    private volatile Throwable failure;

    private MjpegReader(HttpResponse<InputStream> response, String boundary, String name) {
        this.response = response;
        this.boundary = boundary;
        this.thread = new Thread(this::run, "mjpeg-reader " + name);
        thread.setDaemon(true);
    }

    /**
     * Opens the stream and starts reading it.
     *
     * @throws IOException when the answer is not a 200 multipart stream
     */
    static MjpegReader open(HttpClient http, URI uri) throws IOException, InterruptedException {
        HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(uri).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        String type = response.headers().firstValue("Content-Type").orElse("");
        int b = type.indexOf("boundary=");
        if (response.statusCode() != 200 || !type.startsWith("multipart/x-mixed-replace") || b < 0) {
            String body = new String(response.body().readNBytes(2000), StandardCharsets.UTF_8);
            response.body().close();
            throw new IOException("not an MJPEG stream: " + response.statusCode() + " " + type + " " + body);
        }
        MjpegReader reader = new MjpegReader(response, type.substring(b + "boundary=".length()).strip(), uri.getPath());
        reader.thread.start();
        return reader;
    }

    private void run() {
        try (InputStream in = response.body()) {
            while (!closing) {
                readPart(in);
            }
        } catch (EOFException e) {
            ended = true;
        } catch (IOException | RuntimeException e) {
            if (!closing) {
                failure = e;
                ended = true;
            }
        }
    }

    private void readPart(InputStream in) throws IOException {
        String line;
        do {
            line = readLine(in);
        } while (line.isEmpty());
        if (!line.equals("--" + boundary)) {
            throw new IOException("expected the boundary '--" + boundary + "', got '" + line + "'");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        while (!(line = readLine(in)).isEmpty()) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.put(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
            }
        }
        String length = headers.get("content-length");
        if (length == null) {
            throw new IOException("part without Content-Length: " + headers);
        }
        byte[] jpeg = in.readNBytes(Integer.parseInt(length));
        if (jpeg.length < Integer.parseInt(length)) {
            throw new EOFException();
        }
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(jpeg));
        if (image == null) {
            throw new IOException("part " + headers + " is not a readable JPEG");
        }
        long index = headers.containsKey("x-frame-index") ? Long.parseLong(headers.get("x-frame-index")) : -1;
        boolean placeholder = "true".equals(headers.get("x-placeholder"));
        if (placeholder != looksLikePlaceholder(image)) {
            throw new IOException("part #" + index + " says placeholder=" + placeholder + " but shows the opposite");
        }
        synchronized (parts) {
            parts.add(new Part(parts.size(), index, placeholder, image.getWidth(), image.getHeight(), System.nanoTime()));
        }
    }

    /** A CRLF-terminated header line, without its terminator. */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(80);
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new EOFException();
            }
            if (line.size() > 8192) {
                throw new IOException("header line too long");
            }
            line.write(c);
        }
        String text = line.toString(StandardCharsets.US_ASCII);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }

    /**
     * Whether a picture is the server's "no signal" placeholder rather than a test-pattern frame. The
     * placeholder is grey text and stripes on a near-black background: hardly any pixel has colour. The
     * test pattern's colour bars fill most of the picture with saturated colours.
     */
    static boolean looksLikePlaceholder(BufferedImage image) {
        int coloured = 0;
        int samples = 0;
        for (int y = image.getHeight() / 40; y < image.getHeight(); y += Math.max(1, image.getHeight() / 20)) {
            for (int x = image.getWidth() / 80; x < image.getWidth(); x += Math.max(1, image.getWidth() / 40)) {
                int rgb = image.getRGB(x, y);
                int r = rgb >> 16 & 0xff;
                int g = rgb >> 8 & 0xff;
                int b = rgb & 0xff;
                if (Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) > 64) {
                    coloured++;
                }
                samples++;
            }
        }
        return coloured < samples / 10;
    }

    /** Every part so far. */
    List<Part> parts() {
        synchronized (parts) {
            return new ArrayList<>(parts);
        }
    }

    /** How many parts arrived so far: a mark to look at later parts from. */
    int mark() {
        synchronized (parts) {
            return parts.size();
        }
    }

    /** Parts from position {@code from} on that match. */
    List<Part> since(int from, Predicate<Part> which) {
        synchronized (parts) {
            return parts.subList(Math.min(from, parts.size()), parts.size()).stream().filter(which).toList();
        }
    }

    /** Whether the stream has ended (server closed it, or it broke) without {@link #close()}. */
    boolean ended() {
        return ended;
    }

    /** Why the stream broke, or {@code null}. */
    Throwable failure() {
        return failure;
    }

    /** A short account of the stream for failure messages. */
    String describe() {
        List<Part> all = parts();
        int from = Math.max(0, all.size() - 12);
        return all.size() + " parts, " + (ended ? "ended" + (failure == null ? "" : " (" + failure + ")") : "open")
                + ", last: " + all.subList(from, all.size());
    }

    /** Closes the connection and waits (briefly) for the reader thread to finish. */
    @Override
    public void close() throws InterruptedException {
        closing = true;
        try {
            response.body().close();
        } catch (IOException e) {
            // the connection is gone either way
        }
        thread.join(Duration.ofSeconds(10).toMillis());
    }
}
