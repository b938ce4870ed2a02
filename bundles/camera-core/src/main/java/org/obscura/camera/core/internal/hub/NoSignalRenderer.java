package org.obscura.camera.core.internal.hub;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

import org.obscura.camera.api.Frame;
import org.obscura.camera.api.PixelFormat;
import org.obscura.camera.core.internal.jpeg.JpegEncoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Draws the "no signal" picture a hub shows while its camera is offline: the words, the camera name and the
 * time, so that a viewer sees at a glance which camera is down and that the page is still live. Java2D in
 * headless mode; where the runtime has no usable fonts, the picture is drawn without text rather than not at all.
 */
final class NoSignalRenderer {

    private static final Logger LOG = LoggerFactory.getLogger(NoSignalRenderer.class);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final Color BACKGROUND = new Color(24, 24, 28);
    private static final Color STRIPE = new Color(48, 48, 56);
    private static final Color TEXT = new Color(230, 230, 230);
    private static final Color DIM = new Color(150, 150, 160);

    private static volatile boolean textBroken;

    private NoSignalRenderer() {
    }

    /** A JPEG frame of the given size, captured "now". */
    static Frame render(String camera, int width, int height, Instant now, long sequence, JpegEncoder encoder,
            int quality) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = image.createGraphics();
        try {
            g.setColor(BACKGROUND);
            g.fillRect(0, 0, width, height);
            g.setColor(STRIPE);
            g.setStroke(new BasicStroke(Math.max(2, height / 60f)));
            int step = Math.max(16, height / 6);
            for (int x = -height; x < width; x += step) {
                g.drawLine(x, height, x + height, 0);
            }
            if (!textBroken) {
                try {
                    drawText(g, camera, width, height, TIME.format(now.atZone(ZoneId.systemDefault())));
                } catch (RuntimeException | LinkageError | InternalError e) {
                    // A JRE without fontconfig or fonts fails here with any of these, once and for good.
                    textBroken = true;
                    LOG.warn("no fonts usable for the no-signal picture; it is drawn without text: {}", e.toString());
                }
            }
        } finally {
            g.dispose();
        }
        byte[] bgr = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        Frame raw = Frame.of(PixelFormat.BGR24, width, height, width * 3, sequence, System.nanoTime(), now,
                ByteBuffer.wrap(bgr));
        return Frame.jpeg(width, height, sequence, encoder.encode(raw, quality));
    }

    private static void drawText(Graphics2D g, String camera, int width, int height, String time) {
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        int big = Math.max(12, Math.min(width / 8, height / 5));
        int small = Math.max(10, big / 3);
        Font title = new Font(Font.SANS_SERIF, Font.BOLD, big);
        Font detail = new Font(Font.SANS_SERIF, Font.PLAIN, small);
        FontMetrics tm = g.getFontMetrics(title);
        FontMetrics dm = g.getFontMetrics(detail);
        int blockHeight = tm.getHeight() + 2 * dm.getHeight();
        int y = (height - blockHeight) / 2 + tm.getAscent();
        g.setFont(title);
        g.setColor(TEXT);
        centred(g, "NO SIGNAL", width, y);
        g.setFont(detail);
        g.setColor(DIM);
        y += tm.getDescent() + dm.getAscent();
        centred(g, camera, width, y);
        centred(g, time, width, y + dm.getHeight());
    }

    private static void centred(Graphics2D g, String text, int width, int baseline) {
        g.drawString(text, (width - g.getFontMetrics().stringWidth(text)) / 2, baseline);
    }
}
