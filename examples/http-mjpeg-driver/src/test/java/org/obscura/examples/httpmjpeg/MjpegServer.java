package org.obscura.examples.httpmjpeg;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import javax.imageio.ImageIO;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A tiny local MJPEG server for tests, generating numbered JPEG images:
 * <ul>
 * <li>{@code /stream}: multipart with Content-Length per part, endless (until the client leaves);</li>
 * <li>{@code /bare}: parts without Content-Length, boundary with a leading "--" in the Content-Type;</li>
 * <li>{@code /short}: three images, then the connection drops;</li>
 * <li>{@code /secret}: like /stream but wants Basic user:pw;</li>
 * <li>{@code /page}: an HTML page; anything else 404.</li>
 * </ul>
 */
final class MjpegServer implements AutoCloseable {

    static final int WIDTH = 160;
    static final int HEIGHT = 120;

    final HttpServer server;
    final AtomicInteger connections = new AtomicInteger();
    final AtomicInteger open = new AtomicInteger();

    MjpegServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "mjpeg-test-server");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    static byte[] jpeg(int n) {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(new Color((n * 40) % 256, 80, 160));
        g.fillRect(0, 0, WIDTH, HEIGHT);
        g.setColor(Color.WHITE);
        g.drawString("#" + n, 10, 20);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "jpg", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private void handle(HttpExchange exchange) throws IOException {
        connections.incrementAndGet();
        open.incrementAndGet();
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            switch (path) {
                case "/stream" -> stream(exchange, "frame", true, Integer.MAX_VALUE);
                case "/bare" -> stream(exchange, "--bare-boundary", false, Integer.MAX_VALUE);
                case "/short" -> stream(exchange, "frame", true, 3);
                case "/secret" -> {
                    String expected = "Basic " + Base64.getEncoder().encodeToString("user:pw".getBytes(StandardCharsets.UTF_8));
                    if (!expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                        exchange.sendResponseHeaders(401, -1);
                        return;
                    }
                    stream(exchange, "frame", true, Integer.MAX_VALUE);
                }
                case "/page" -> {
                    byte[] html = "<html>hello</html>".getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().set("Content-Type", "text/html");
                    exchange.sendResponseHeaders(200, html.length);
                    exchange.getResponseBody().write(html);
                }
                default -> exchange.sendResponseHeaders(404, -1);
            }
        } catch (IOException clientLeft) {
            // the camera disconnected
        } finally {
            open.decrementAndGet();
        }
    }

    private static void stream(HttpExchange exchange, String boundary, boolean lengths, int count) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "multipart/x-mixed-replace; boundary=" + boundary);
        exchange.sendResponseHeaders(200, 0);
        String b = boundary.startsWith("--") ? boundary.substring(2) : boundary;
        OutputStream out = exchange.getResponseBody();
        for (int n = 1; n <= count; n++) {
            byte[] image = jpeg(n);
            String head = "--" + b + "\r\nContent-Type: image/jpeg\r\n"
                    + (lengths ? "Content-Length: " + image.length + "\r\n" : "") + "\r\n";
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.write(image);
            out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
