package org.obscura.examples.httpmjpeg;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * Reads the parts of a {@code multipart/x-mixed-replace} body, the way MJPEG cameras stream: each part is one
 * JPEG image, preceded by a boundary line and a few headers.
 *
 * <p>Parts with a {@code Content-Length} header are read by length; parts without one are read up to the next
 * boundary. Cameras are not strict about the boundary (some put it in Content-Type with a leading
 * {@code --}, some not at all): when none is known, the first line starting with {@code --} sets it.
 *
 * <p>Not thread-safe: one reader per connection, used by the stream thread only. The returned array is
 * reused by the next call.
 */
final class MjpegReader {

    private static final int MAX_LINE = 1024;
    private static final int MAX_HEADER_LINES = 32;

    private final InputStream in;
    private final int maxPartBytes;
    private String boundary; // without the leading "--"
    private byte[] delimiter; // "\r\n--" + boundary, when reading parts without a length
    private boolean atHeaders; // the boundary line of the next part has been consumed already
    private boolean ended; // a closing boundary was read
    private byte[] part = new byte[64 * 1024];

    /**
     * @param in           the response body
     * @param boundary     the boundary from the Content-Type, or {@code null} to learn it from the stream
     * @param maxPartBytes largest acceptable part; a larger one is an error (not a camera stream)
     */
    MjpegReader(InputStream in, String boundary, int maxPartBytes) {
        this.in = in instanceof BufferedInputStream ? in : new BufferedInputStream(in, 64 * 1024);
        this.maxPartBytes = maxPartBytes;
        setBoundary(boundary);
    }

    /** The boundary parameter of a Content-Type, without quotes or a leading "--"; {@code null} when absent. */
    static String boundary(String contentType) {
        if (contentType == null) {
            return null;
        }
        for (String param : contentType.split(";")) {
            String p = param.strip();
            if (p.toLowerCase(Locale.ROOT).startsWith("boundary=")) {
                String b = p.substring("boundary=".length()).strip();
                if (b.length() >= 2 && b.startsWith("\"") && b.endsWith("\"")) {
                    b = b.substring(1, b.length() - 1);
                }
                if (b.startsWith("--")) {
                    b = b.substring(2);
                }
                return b.isEmpty() ? null : b;
            }
        }
        return null;
    }

    private void setBoundary(String b) {
        boundary = b;
        delimiter = b == null ? null : ("\r\n--" + b).getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The array holding the last part, from index 0; valid until the next call to {@link #next()}. */
    byte[] part() {
        return part;
    }

    /**
     * Reads the next part's body.
     *
     * @return its length, or -1 when the stream ended cleanly (closing boundary or end of input between parts)
     * @throws IOException on a read error, a part above the size limit, or data that is not multipart
     */
    int next() throws IOException {
        if (ended) {
            return -1;
        }
        if (!atHeaders && !skipToBoundary()) {
            return -1;
        }
        atHeaders = false;
        int length = -1;
        for (int lines = 0;; lines++) {
            if (lines > MAX_HEADER_LINES) {
                throw new IOException("more than " + MAX_HEADER_LINES + " header lines in a part: not an MJPEG stream");
            }
            String line = readLine();
            if (line == null) {
                return -1;
            }
            if (line.isEmpty()) {
                break;
            }
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).strip().equalsIgnoreCase("content-length")) {
                try {
                    length = Integer.parseInt(line.substring(colon + 1).strip());
                } catch (NumberFormatException e) {
                    throw new IOException("bad Content-Length in a part: " + line);
                }
                if (length < 0 || length > maxPartBytes) {
                    throw new IOException("part of " + length + " bytes exceeds the limit of " + maxPartBytes);
                }
            }
        }
        return length >= 0 ? readLength(length) : readToDelimiter();
    }

    private int readLength(int length) throws IOException {
        ensure(length);
        int n = in.readNBytes(part, 0, length);
        if (n < length) {
            throw new IOException("stream ended inside a part (" + n + " of " + length + " bytes)");
        }
        return length;
    }

    private int readToDelimiter() throws IOException {
        if (delimiter == null) {
            throw new IOException("a part without Content-Length in a stream without a boundary");
        }
        int size = 0;
        int d = delimiter.length;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("stream ended inside a part");
            }
            if (size == maxPartBytes + d) {
                throw new IOException("part exceeds the limit of " + maxPartBytes + " bytes");
            }
            ensure(size + 1);
            part[size++] = (byte) b;
            if (b == delimiter[d - 1] && size >= d
                    && Arrays.equals(part, size - d, size, delimiter, 0, d)) {
                finishBoundaryLine();
                atHeaders = true;
                return size - d;
            }
        }
    }

    /** After a boundary: the rest of its line; "--" there marks the end of the body. */
    private void finishBoundaryLine() throws IOException {
        String rest = readLine();
        ended = rest == null || rest.startsWith("--");
    }

    /** Skips to the next boundary line; false at the end of the input or a closing boundary. */
    private boolean skipToBoundary() throws IOException {
        for (int skipped = 0;; skipped++) {
            String line = readLine();
            if (line == null) {
                return false;
            }
            if (line.startsWith("--")) {
                String b = line.substring(2).strip();
                if (boundary == null && !b.isEmpty()) {
                    setBoundary(b.endsWith("--") ? b.substring(0, b.length() - 2) : b);
                }
                if (b.equals(boundary)) {
                    return true;
                }
                if (b.equals(boundary + "--")) {
                    return false;
                }
            }
            if (skipped > 64) {
                throw new IOException("no multipart boundary found: not an MJPEG stream");
            }
        }
    }

    /** One line without its CR LF, ISO-8859-1; {@code null} at the end of input. */
    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(80);
        while (true) {
            int b = in.read();
            if (b < 0) {
                return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
            }
            if (b == '\n') {
                String s = line.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            if (line.size() >= MAX_LINE) {
                throw new IOException("a line longer than " + MAX_LINE + " bytes: not an MJPEG stream");
            }
            line.write(b);
        }
    }

    private void ensure(int size) {
        if (part.length < size) {
            part = Arrays.copyOf(part, Math.max(size, Math.min(part.length * 2, maxPartBytes + 64)));
        }
    }
}
