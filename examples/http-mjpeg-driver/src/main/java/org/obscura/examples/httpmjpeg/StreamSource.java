package org.obscura.examples.httpmjpeg;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;

import org.obscura.camera.api.CameraException;
import org.obscura.camera.spi.support.CameraConfigs;

/**
 * Where and how an HTTP MJPEG camera reads its stream: this driver's own configuration properties, parsed and
 * checked once for both {@link HttpMjpegDriver#validate} and {@link HttpMjpegCamera}.
 *
 * @param url               the stream URL, http or https
 * @param authorization     the {@code Authorization} header value, or {@code null}
 * @param fps               the most frames per second passed on; 0 for as many as the source sends
 * @param connectTimeout    how long connecting may take
 * @param readTimeout       the longest silence tolerated on an open stream
 * @param reconnectAttempts how often a dropped stream is reconnected before the camera reports a failure
 */
record StreamSource(URI url, String authorization, double fps, Duration connectTimeout, Duration readTimeout,
        int reconnectAttempts) {

    static final String URL = "url";
    static final String USERNAME = "username";
    static final String PASSWORD = "password";
    static final String FPS = "fps";
    static final String CONNECT_TIMEOUT = "connect.timeout.seconds";
    static final String READ_TIMEOUT = "read.timeout.seconds";
    static final String RECONNECT_ATTEMPTS = "reconnect.attempts";

    /** @throws CameraException INVALID_ARGUMENT naming the field at fault */
    static StreamSource parse(Map<String, ?> properties) {
        String text = CameraConfigs.text(properties, URL);
        if (text == null) {
            throw CameraException.invalid(URL, "an HTTP MJPEG camera needs the url of its stream, "
                    + "e.g. http://192.168.1.50:81/stream");
        }
        URI url;
        try {
            url = new URI(text);
        } catch (URISyntaxException e) {
            throw CameraException.invalid(URL, "url '" + text + "' is not a valid URL: " + e.getReason());
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || url.getHost() == null) {
            throw CameraException.invalid(URL, "url '" + text + "' must be an http:// or https:// URL with a host");
        }
        String user = CameraConfigs.text(properties, USERNAME);
        Object pw = properties.get(PASSWORD);
        String password = pw == null ? "" : pw.toString();
        if (user == null && url.getRawUserInfo() != null) {
            String info = url.getUserInfo();
            int colon = info.indexOf(':');
            user = colon < 0 ? info : info.substring(0, colon);
            password = colon < 0 ? "" : info.substring(colon + 1);
        }
        if (url.getRawUserInfo() != null) {
            try {
                url = new URI(url.getScheme(), null, url.getHost(), url.getPort(), url.getPath(), url.getQuery(), null);
            } catch (URISyntaxException e) {
                throw CameraException.invalid(URL, "url '" + text + "' is not a valid URL: " + e.getReason());
            }
        }
        String authorization = user == null ? null : "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        double fps = number(properties, FPS, 0);
        if (fps < 0 || fps > 120) {
            throw CameraException.invalid(FPS, "fps must be from 0 (as sent) to 120, not " + fps);
        }
        int connect = CameraConfigs.integer(properties, CONNECT_TIMEOUT, 5);
        int read = CameraConfigs.integer(properties, READ_TIMEOUT, 10);
        int attempts = CameraConfigs.integer(properties, RECONNECT_ATTEMPTS, 3);
        if (connect < 1 || connect > 120) {
            throw CameraException.invalid(CONNECT_TIMEOUT, CONNECT_TIMEOUT + " must be from 1 to 120, not " + connect);
        }
        if (read < 1 || read > 600) {
            throw CameraException.invalid(READ_TIMEOUT, READ_TIMEOUT + " must be from 1 to 600, not " + read);
        }
        if (attempts < 0 || attempts > 100) {
            throw CameraException.invalid(RECONNECT_ATTEMPTS, RECONNECT_ATTEMPTS + " must be from 0 to 100, not " + attempts);
        }
        return new StreamSource(url, authorization, fps, Duration.ofSeconds(connect), Duration.ofSeconds(read), attempts);
    }

    private static double number(Map<String, ?> properties, String key, double defaultValue) {
        Object value = properties.get(key);
        if (value instanceof Number n) {
            return n.doubleValue();
        }
        String t = CameraConfigs.text(properties, key);
        if (t == null) {
            return defaultValue;
        }
        try {
            return Double.parseDouble(t);
        } catch (NumberFormatException e) {
            throw CameraException.invalid(key, key + " must be a number, not '" + t + "'");
        }
    }

    /** The URL as shown to people: no credentials (they were moved out of it). */
    @Override
    public String toString() {
        return url.toString();
    }
}
