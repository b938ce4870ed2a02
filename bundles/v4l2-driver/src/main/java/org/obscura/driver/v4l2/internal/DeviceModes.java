package org.obscura.driver.v4l2.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.DeviceInfo;
import org.obscura.camera.api.PixelFormat;

/**
 * The mode tree of one capture node (format, then sizes, then frame rates), limited to the formats whose
 * frames the core can carry, and the rules for picking a mode from a camera configuration: what a blank
 * field means and which requests are refused, naming the field and what is allowed.
 *
 * @param formats     usable formats in the device's order
 * @param unsupported fourccs the device offers that the core cannot carry (Bayer, multi-planar, ...)
 */
record DeviceModes(List<FormatModes> formats, List<String> unsupported) {

    /** Sizes offered for stepwise/continuous ranges, where listing every size is neither possible nor useful. */
    private static final int[][] COMMON_SIZES = {{160, 120}, {320, 240}, {352, 288}, {640, 360}, {640, 480},
            {800, 600}, {1024, 768}, {1280, 720}, {1280, 960}, {1600, 1200}, {1920, 1080}, {2560, 1440},
            {3840, 2160}};
    private static final double[] COMMON_RATES = {120, 60, 50, 30, 25, 24, 20, 15, 10, 5, 2, 1};
    /** Default size: the largest offered that is not above this, so a fresh camera streams smoothly. */
    private static final long DEFAULT_MAX_AREA = 1280L * 720;

    /**
     * One usable format.
     *
     * @param range for stepwise/continuous sizes, the range (any size in it is accepted); {@code null} for
     *              devices listing discrete sizes
     */
    record FormatModes(int fourcc, PixelFormat pixelFormat, String description, List<SizeModes> sizes,
            V4l2Node.SizeRange range) {
        String code() {
            return Fourcc.toString(fourcc);
        }
    }

    /**
     * One size and its frame rates, highest first.
     *
     * @param fpsRange when true, the rates are samples of a continuous range from the last to the first
     */
    record SizeModes(int width, int height, List<Double> fps, boolean fpsRange) {
    }

    /** A mode picked for a camera. {@code fps} 0 means the device has no frame-rate control. */
    record Selection(int fourcc, PixelFormat pixelFormat, int width, int height, double fps) {
    }

    /** Reads the whole tree from an open node (ENUM_FMT, ENUM_FRAMESIZES, ENUM_FRAMEINTERVALS). */
    static DeviceModes read(V4l2Node node) {
        List<FormatModes> formats = new ArrayList<>();
        List<String> unsupported = new ArrayList<>();
        for (V4l2Node.FormatDescription f : node.formats()) {
            Optional<PixelFormat> pf = Fourcc.pixelFormat(f.fourcc());
            if (pf.isEmpty()) {
                unsupported.add(Fourcc.toString(f.fourcc()));
                continue;
            }
            List<V4l2Node.SizeRange> ranges = node.frameSizes(f.fourcc());
            List<SizeModes> sizes = new ArrayList<>();
            V4l2Node.SizeRange stepwise = null;
            if (ranges.isEmpty()) {
                // No ENUM_FRAMESIZES support: the current/default size is all we know for sure.
                Videodev2.PixFormat tried = node.setFormat(f.fourcc(), 0, 0, true);
                sizes.add(sizeModes(node, f.fourcc(), tried.width, tried.height));
            } else if (ranges.get(0).discrete()) {
                for (V4l2Node.SizeRange r : ranges) {
                    sizes.add(sizeModes(node, f.fourcc(), r.minWidth(), r.minHeight()));
                }
            } else {
                stepwise = ranges.get(0);
                for (int[] wh : samples(stepwise)) {
                    sizes.add(sizeModes(node, f.fourcc(), wh[0], wh[1]));
                }
            }
            formats.add(new FormatModes(f.fourcc(), pf.get(), f.description(), List.copyOf(sizes), stepwise));
        }
        return new DeviceModes(List.copyOf(formats), List.copyOf(unsupported));
    }

    private static List<int[]> samples(V4l2Node.SizeRange r) {
        List<int[]> out = new ArrayList<>();
        out.add(new int[] {r.minWidth(), r.minHeight()});
        for (int[] wh : COMMON_SIZES) {
            if (r.contains(wh[0], wh[1]) && !(wh[0] == r.minWidth() && wh[1] == r.minHeight())
                    && !(wh[0] == r.maxWidth() && wh[1] == r.maxHeight())) {
                out.add(wh);
            }
        }
        if (r.maxWidth() != r.minWidth() || r.maxHeight() != r.minHeight()) {
            out.add(new int[] {r.maxWidth(), r.maxHeight()});
        }
        return out;
    }

    private static SizeModes sizeModes(V4l2Node node, int fourcc, int width, int height) {
        List<V4l2Node.IntervalRange> intervals;
        try {
            intervals = node.frameIntervals(fourcc, width, height);
        } catch (ErrnoException e) {
            if (e.errno() != LibC.ENOTTY) {
                throw e;
            }
            intervals = List.of();
        }
        Set<Double> rates = new LinkedHashSet<>();
        boolean range = false;
        for (V4l2Node.IntervalRange i : intervals) {
            if (i.discrete()) {
                rates.add(round(i.maxFps()));
            } else {
                range = true;
                rates.add(round(i.maxFps()));
                for (double r : COMMON_RATES) {
                    if (r < i.maxFps() && r > i.minFps()) {
                        rates.add(r);
                    }
                }
                rates.add(round(i.minFps()));
            }
        }
        List<Double> sorted = rates.stream().filter(r -> r > 0).sorted(Comparator.reverseOrder()).toList();
        return new SizeModes(width, height, sorted, range);
    }

    /** Frame rates to three decimals: 30000/1001 reads 29.97, 25/2 reads 12.5. */
    static double round(double fps) {
        return Math.round(fps * 1000) / 1000.0;
    }

    /** The tree as the API describes devices. */
    List<DeviceInfo.Format> toInfo() {
        return formats.stream()
                .map(f -> new DeviceInfo.Format(f.code(), f.description(), f.sizes().stream()
                        .map(s -> new DeviceInfo.Size(s.width(), s.height(), s.fps())).toList()))
                .toList();
    }

    /**
     * Picks the mode a configuration asks for. Blank format: MJPG if offered (the camera compresses), else
     * YUYV, else the first usable format. Width/height 0: the largest size up to 1280x720 (else the
     * smallest). fps 0: the highest rate at that size.
     *
     * @throws CameraException INVALID_ARGUMENT naming {@code format}, {@code width}, {@code height} or
     *                         {@code fps} and listing what the device offers instead
     */
    Selection select(String device, String format, int width, int height, double fps) {
        if (formats.isEmpty()) {
            throw CameraException.invalid("device", device + " offers no format Obscura can use"
                    + (unsupported.isEmpty() ? "" : " (it offers " + String.join(", ", unsupported) + ")"));
        }
        FormatModes f = pickFormat(device, format);
        if ((width == 0) != (height == 0)) {
            throw CameraException.invalid(width == 0 ? "width" : "height",
                    "width and height must both be set or both be 0 (device default); got " + width + "x" + height);
        }
        if (width < 0 || height < 0) {
            throw CameraException.invalid(width < 0 ? "width" : "height", "size must not be negative: " + width + "x" + height);
        }
        SizeModes size;
        if (width == 0) {
            size = f.sizes().stream().filter(s -> (long) s.width() * s.height() <= DEFAULT_MAX_AREA)
                    .max(Comparator.comparingLong(s -> (long) s.width() * s.height()))
                    .orElseGet(() -> f.sizes().stream().min(Comparator.comparingLong(s -> (long) s.width() * s.height()))
                            .orElseThrow());
        } else {
            int w = width;
            int h = height;
            size = f.sizes().stream().filter(s -> s.width() == w && s.height() == h).findFirst().orElse(null);
            if (size == null) {
                if (f.range() != null && f.range().contains(width, height)) {
                    return new Selection(f.fourcc(), f.pixelFormat(), width, height, Math.max(0, fps));
                }
                boolean widthKnown = f.sizes().stream().anyMatch(s -> s.width() == w);
                throw CameraException.invalid(widthKnown ? "height" : "width", device + " does not offer "
                        + width + "x" + height + " in " + f.code() + "; allowed: " + allowedSizes(f));
            }
        }
        if (fps < 0) {
            throw CameraException.invalid("fps", "fps must not be negative: " + fps);
        }
        if (size.fps().isEmpty()) {
            return new Selection(f.fourcc(), f.pixelFormat(), size.width(), size.height(), 0);
        }
        if (fps == 0) {
            return new Selection(f.fourcc(), f.pixelFormat(), size.width(), size.height(), size.fps().get(0));
        }
        double max = size.fps().get(0);
        double min = size.fps().get(size.fps().size() - 1);
        // A discrete rate matches within half a percent ("30" picks 29.97) and is then asked for exactly.
        Double matched = size.fpsRange()
                ? (fps <= max * 1.001 && fps >= min * 0.999 ? fps : null)
                : size.fps().stream().filter(r -> Math.abs(r - fps) <= r * 0.005).findFirst().orElse(null);
        if (matched == null) {
            throw CameraException.invalid("fps", device + " does not offer " + format(fps) + " fps at "
                    + size.width() + "x" + size.height() + " in " + f.code() + "; allowed: "
                    + (size.fpsRange() ? format(min) + " to " + format(max)
                            : size.fps().stream().map(DeviceModes::format).collect(Collectors.joining(", "))));
        }
        return new Selection(f.fourcc(), f.pixelFormat(), size.width(), size.height(), matched);
    }

    private FormatModes pickFormat(String device, String format) {
        if (format == null || format.isBlank()) {
            return find(Fourcc.MJPG).or(() -> find(Fourcc.JPEG)).or(() -> find(Fourcc.YUYV))
                    .orElse(formats.get(0));
        }
        Optional<Integer> code = Fourcc.parse(format);
        Optional<FormatModes> found = code.flatMap(this::find);
        if (found.isEmpty() && code.isPresent() && code.get() == Fourcc.MJPG) {
            found = find(Fourcc.JPEG);
        }
        return found.orElseThrow(() -> CameraException.invalid("format", device + " does not offer format '"
                + format + "'; allowed: " + formats.stream().map(FormatModes::code).distinct()
                        .collect(Collectors.joining(", "))));
    }

    private Optional<FormatModes> find(int fourcc) {
        return formats.stream().filter(f -> f.fourcc() == fourcc).findFirst();
    }

    private static String allowedSizes(FormatModes f) {
        String listed = f.sizes().stream().map(s -> s.width() + "x" + s.height()).collect(Collectors.joining(", "));
        V4l2Node.SizeRange r = f.range();
        if (r == null) {
            return listed;
        }
        return "any size from " + r.minWidth() + "x" + r.minHeight() + " to " + r.maxWidth() + "x" + r.maxHeight()
                + (r.stepWidth() > 1 || r.stepHeight() > 1 ? " in steps of " + r.stepWidth() + "x" + r.stepHeight() : "")
                + " (e.g. " + listed + ")";
    }

    static String format(double fps) {
        return fps == Math.rint(fps) ? Long.toString((long) fps) : String.format(Locale.ROOT, "%.3f", fps)
                .replaceAll("0+$", "");
    }
}
