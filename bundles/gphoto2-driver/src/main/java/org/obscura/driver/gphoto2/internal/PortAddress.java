package org.obscura.driver.gphoto2.internal;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.obscura.camera.api.CameraException;

/**
 * Where a camera is, in libgphoto2's port syntax, checked before libgphoto2 sees it.
 *
 * <ul>
 * <li>{@code ""}: any camera (with a model: the first camera of that model), found by auto-detection;</li>
 * <li>{@code usb:BBB,DDD}: the USB device on bus BBB, device DDD, as {@code gphoto2 --auto-detect} shows
 * (the numbers change when the camera is plugged in again: prefer selecting by model);</li>
 * <li>{@code ptpip:A.B.C.D[:PORT[:EVENTPORT]]}: a camera over PTP/IP (Wi-Fi or Ethernet) at an IPv4
 * address; the ports default to 15740. libgphoto2 accepts no host names here.</li>
 * </ul>
 *
 * @param kind what kind of port
 * @param path the libgphoto2 port path, empty for {@link Kind#AUTO}
 */
record PortAddress(Kind kind, String path) {

    /** Kinds of port. */
    enum Kind {
        AUTO, USB, PTPIP
    }

    static final String FIELD = "port";
    private static final Pattern USB = Pattern.compile("usb:(\\d{3}),(\\d{3})");
    private static final Pattern PTPIP = Pattern.compile(
            "ptpip:(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})(?::(\\d{1,5}))?(?::(\\d{1,5}))?");

    /** Any camera. */
    static final PortAddress AUTO = new PortAddress(Kind.AUTO, "");

    boolean isAuto() {
        return kind == Kind.AUTO;
    }

    /**
     * Parses and checks a port string.
     *
     * @throws CameraException INVALID_ARGUMENT for field {@code port}, saying what is allowed
     */
    static PortAddress parse(String text) {
        String s = text == null ? "" : text.strip();
        if (s.isEmpty()) {
            return AUTO;
        }
        Matcher usb = USB.matcher(s);
        if (usb.matches()) {
            return new PortAddress(Kind.USB, s);
        }
        Matcher ip = PTPIP.matcher(s);
        if (ip.matches()) {
            for (int i = 1; i <= 4; i++) {
                if (Integer.parseInt(ip.group(i)) > 255) {
                    throw invalid(s, "'" + ip.group(i) + "' is not an IPv4 address byte (0-255)");
                }
            }
            for (int i = 5; i <= 6; i++) {
                if (ip.group(i) != null) {
                    int port = Integer.parseInt(ip.group(i));
                    if (port < 1 || port > 65535) {
                        throw invalid(s, "TCP port " + port + " is outside 1-65535");
                    }
                }
            }
            return new PortAddress(Kind.PTPIP, s);
        }
        if (s.startsWith("ptpip:")) {
            throw invalid(s, "use ptpip:A.B.C.D[:PORT[:EVENTPORT]] with a numeric IPv4 address");
        }
        if (s.startsWith("usb:")) {
            throw invalid(s, "use usb:BBB,DDD with three-digit bus and device numbers, as gphoto2 --auto-detect "
                    + "shows them, or leave the port empty to pick the camera by model");
        }
        throw invalid(s, "use usb:BBB,DDD, ptpip:A.B.C.D[:PORT[:EVENTPORT]], or leave it empty for the first "
                + "camera found");
    }

    private static CameraException invalid(String text, String what) {
        return CameraException.invalid(FIELD, "port '" + text + "' is not valid: " + what);
    }

    @Override
    public String toString() {
        return isAuto() ? "auto" : path;
    }
}
