package org.obscura.bench;

import java.util.concurrent.TimeUnit;

import org.obscura.camera.api.Frame;
import org.obscura.camera.api.PixelFormat;
import org.obscura.camera.core.internal.jpeg.JpegEncoder;
import org.obscura.camera.core.internal.jpeg.TurboJpegCodec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One 1280x720 frame to a JPEG at quality 80, the way the frame hub encodes live frames: camera-core's
 * libjpeg-turbo codec ({@code turbojpeg}) against its pure-Java fallback ({@code java}), for the raw formats
 * webcams deliver. Single-threaded: the time is one core's cost per frame. The frame's pixels sit in a direct
 * buffer, as a driver's mapped buffer does.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m"})
public class EncodeBenchmark {

    @Param({"YUYV", "NV12", "RGB24"})
    public String format;

    @Param({"turbojpeg", "java"})
    public String codec;

    private Frame frame;
    private JpegEncoder encoder;
    private TurboJpegCodec turbo;

    @Setup(Level.Trial)
    public void setUp() {
        frame = TestFrames.frame(PixelFormat.valueOf(format));
        if (codec.equals("turbojpeg")) {
            // Fails the trial (rather than measuring the fallback under the wrong name) without libturbojpeg0.
            turbo = TurboJpegCodec.load();
            encoder = turbo;
        } else {
            encoder = JpegEncoder.standard();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (turbo != null) {
            turbo.close();
        }
        frame.release();
    }

    @Benchmark
    public byte[] encodeQ80() {
        return encoder.encode(frame, 80);
    }
}
