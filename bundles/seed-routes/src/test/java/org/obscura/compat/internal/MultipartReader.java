package org.obscura.compat.internal;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Reads the parts of a {@code multipart/x-mixed-replace} body as a browser or OpenCV client would. */
final class MultipartReader {

    record Part(Map<String, String> headers, byte[] body) {
    }

    private final InputStream in;
    private final String boundary;

    MultipartReader(InputStream in, String boundary) {
        this.in = in;
        this.boundary = "--" + boundary;
    }

    /** The next part, or {@code null} at the end of the stream. */
    Part next() throws IOException {
        String line;
        do {
            line = line();
            if (line == null) {
                return null;
            }
        } while (line.isEmpty());
        if (!line.equals(boundary)) {
            throw new IOException("expected boundary line '" + boundary + "', got '" + line + "'");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        while (!(line = require(line())).isEmpty()) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        int length = Integer.parseInt(headers.get("content-length"));
        byte[] body = in.readNBytes(length);
        if (body.length != length) {
            throw new EOFException("part cut short");
        }
        return new Part(headers, body);
    }

    private static String require(String line) throws EOFException {
        if (line == null) {
            throw new EOFException("stream ended inside part headers");
        }
        return line;
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                String s = b.toString(StandardCharsets.US_ASCII);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.US_ASCII);
    }
}
