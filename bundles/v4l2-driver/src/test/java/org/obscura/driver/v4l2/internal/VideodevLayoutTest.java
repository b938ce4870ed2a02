package org.obscura.driver.v4l2.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.sun.jna.Structure;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks every JNA structure in {@link Videodev2} against the C compiler's view of {@code <linux/videodev2.h>}
 * on this machine: structure sizes, the offset of every declared field, and every ioctl request number. A
 * mismatch here means the kernel would read or write the wrong bytes.
 *
 * <p>Needs {@code gcc} and the kernel's user-space headers (Debian: {@code gcc}, {@code linux-libc-dev}); the
 * test is skipped, saying so, when either is missing.
 */
class VideodevLayoutTest {

    private static final Path HEADER = Path.of("/usr/include/linux/videodev2.h");

    /** One structure to check: its C type, a JNA instance, and JNA field name to C member designator. */
    private record Layout(String cType, Structure jna, Map<String, String> members) {
    }

    private static Map<String, Long> measured;

    @BeforeAll
    static void compileAndRun(@TempDir Path dir) throws Exception {
        Peers.require(Files.isRegularFile(HEADER), "skipped: " + HEADER + " missing (install linux-libc-dev)");
        Peers.require(onPath("gcc"), "skipped: gcc not found on PATH (install gcc)");
        Path source = dir.resolve("layout.c");
        Files.writeString(source, cProgram(), StandardCharsets.UTF_8);
        Path binary = dir.resolve("layout");
        String compileOutput = run(dir, "gcc", "-Wall", "-o", binary.toString(), source.toString());
        String output = run(dir, binary.toString());
        assertTrue(compileOutput.isBlank(), "gcc warned:\n" + compileOutput);
        measured = new LinkedHashMap<>();
        for (String line : output.split("\n")) {
            String[] kv = line.trim().split(" ");
            if (kv.length == 2) {
                measured.put(kv[0], Long.parseUnsignedLong(kv[1]));
            }
        }
    }

    private static List<Layout> layouts() {
        List<Layout> list = new ArrayList<>();
        list.add(new Layout("v4l2_capability", new Videodev2.Capability(), same(new Videodev2.Capability())));
        list.add(new Layout("v4l2_fmtdesc", new Videodev2.FmtDesc(), same(new Videodev2.FmtDesc())));
        list.add(new Layout("v4l2_pix_format", new Videodev2.PixFormat(), same(new Videodev2.PixFormat())));
        list.add(new Layout("v4l2_format", new Videodev2.Format(), same(new Videodev2.Format())));
        list.add(new Layout("v4l2_frmsizeenum", new Videodev2.FrmSizeEnum(),
                Map.of("index", "index", "pixel_format", "pixel_format", "type", "type", "size", "discrete",
                        "reserved", "reserved")));
        list.add(new Layout("v4l2_frmivalenum", new Videodev2.FrmIvalEnum(),
                Map.of("index", "index", "pixel_format", "pixel_format", "width", "width", "height", "height",
                        "type", "type", "interval", "discrete", "reserved", "reserved")));
        Map<String, String> captureParm = same(new Videodev2.CaptureParm());
        captureParm.put("timeperframe_numerator", "timeperframe.numerator");
        captureParm.put("timeperframe_denominator", "timeperframe.denominator");
        list.add(new Layout("v4l2_captureparm", new Videodev2.CaptureParm(), captureParm));
        list.add(new Layout("v4l2_streamparm", new Videodev2.StreamParm(), same(new Videodev2.StreamParm())));
        list.add(new Layout("v4l2_requestbuffers", new Videodev2.RequestBuffers(),
                same(new Videodev2.RequestBuffers())));
        Map<String, String> buffer = same(new Videodev2.Buffer());
        buffer.put("timestamp_sec", "timestamp.tv_sec");
        buffer.put("timestamp_usec", "timestamp.tv_usec");
        list.add(new Layout("v4l2_buffer", new Videodev2.Buffer(), buffer));
        list.add(new Layout("v4l2_queryctrl", new Videodev2.QueryCtrl(), same(new Videodev2.QueryCtrl())));
        list.add(new Layout("v4l2_query_ext_ctrl", new Videodev2.QueryExtCtrl(),
                same(new Videodev2.QueryExtCtrl())));
        list.add(new Layout("v4l2_querymenu", new Videodev2.QueryMenu(), same(new Videodev2.QueryMenu())));
        list.add(new Layout("v4l2_control", new Videodev2.Control(), same(new Videodev2.Control())));
        return list;
    }

    /** Request numbers as named in the header, with the value computed in {@link Videodev2}. */
    private static Map<String, Long> ioctls() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("VIDIOC_QUERYCAP", Videodev2.VIDIOC_QUERYCAP);
        m.put("VIDIOC_ENUM_FMT", Videodev2.VIDIOC_ENUM_FMT);
        m.put("VIDIOC_G_FMT", Videodev2.VIDIOC_G_FMT);
        m.put("VIDIOC_S_FMT", Videodev2.VIDIOC_S_FMT);
        m.put("VIDIOC_TRY_FMT", Videodev2.VIDIOC_TRY_FMT);
        m.put("VIDIOC_REQBUFS", Videodev2.VIDIOC_REQBUFS);
        m.put("VIDIOC_QUERYBUF", Videodev2.VIDIOC_QUERYBUF);
        m.put("VIDIOC_QBUF", Videodev2.VIDIOC_QBUF);
        m.put("VIDIOC_DQBUF", Videodev2.VIDIOC_DQBUF);
        m.put("VIDIOC_STREAMON", Videodev2.VIDIOC_STREAMON);
        m.put("VIDIOC_STREAMOFF", Videodev2.VIDIOC_STREAMOFF);
        m.put("VIDIOC_G_PARM", Videodev2.VIDIOC_G_PARM);
        m.put("VIDIOC_S_PARM", Videodev2.VIDIOC_S_PARM);
        m.put("VIDIOC_G_CTRL", Videodev2.VIDIOC_G_CTRL);
        m.put("VIDIOC_S_CTRL", Videodev2.VIDIOC_S_CTRL);
        m.put("VIDIOC_QUERYCTRL", Videodev2.VIDIOC_QUERYCTRL);
        m.put("VIDIOC_QUERY_EXT_CTRL", Videodev2.VIDIOC_QUERY_EXT_CTRL);
        m.put("VIDIOC_QUERYMENU", Videodev2.VIDIOC_QUERYMENU);
        m.put("VIDIOC_ENUM_FRAMESIZES", Videodev2.VIDIOC_ENUM_FRAMESIZES);
        m.put("VIDIOC_ENUM_FRAMEINTERVALS", Videodev2.VIDIOC_ENUM_FRAMEINTERVALS);
        return m;
    }

    @Test
    void structureSizesMatchTheHeader() {
        for (Layout l : layouts()) {
            assertEquals(measured.get("sizeof." + l.cType), (long) l.jna.size(), "sizeof(struct " + l.cType + ")");
        }
        assertEquals(measured.get("sizeof.v4l2_format.fmt"), (long) new Videodev2.FormatUnion().size(),
                "sizeof(v4l2_format.fmt)");
        assertEquals(measured.get("sizeof.v4l2_buffer.m"), (long) new Videodev2.BufferMemory().size(),
                "sizeof(v4l2_buffer.m)");
        assertEquals(measured.get("sizeof.v4l2_frmsizeenum.stepwise"), 6L * Integer.BYTES);
        assertEquals(measured.get("sizeof.v4l2_frmivalenum.stepwise"), 6L * Integer.BYTES);
        assertEquals(measured.get("sizeof.v4l2_buffer.timecode"), 4L * Integer.BYTES);
    }

    @Test
    void everyFieldOffsetMatchesTheHeader() {
        int checked = 0;
        for (Layout l : layouts()) {
            assertEquals(fieldOrder(l.jna).size(), l.members.size(), "every field of " + l.cType + " is mapped");
            for (Map.Entry<String, String> field : l.members.entrySet()) {
                String key = "offsetof." + l.cType + "." + field.getValue();
                assertEquals(measured.get(key), (long) fieldOffset(l.jna, field.getKey()),
                        "offset of " + l.cType + "." + field.getValue() + " (JNA field " + field.getKey() + ")");
                checked++;
            }
        }
        assertTrue(checked >= 90, "checked " + checked + " fields");
    }

    @Test
    void ioctlRequestNumbersMatchTheHeaderMacros() {
        for (Map.Entry<String, Long> ioctl : ioctls().entrySet()) {
            assertEquals(measured.get("ioctl." + ioctl.getKey()), ioctl.getValue(),
                    () -> ioctl.getKey() + ": header 0x" + Long.toHexString(measured.get("ioctl." + ioctl.getKey()))
                            + ", computed 0x" + Long.toHexString(ioctl.getValue()));
        }
    }

    private static Map<String, String> same(Structure s) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String f : fieldOrder(s)) {
            m.put(f, f);
        }
        return m;
    }

    private static List<String> fieldOrder(Structure s) {
        return List.of(s.getClass().getAnnotation(Structure.FieldOrder.class).value());
    }

    /** JNA computes offsets in a protected method; reading it reflectively keeps the structures free of test hooks. */
    private static int fieldOffset(Structure s, String field) {
        try {
            Method m = Structure.class.getDeclaredMethod("fieldOffset", String.class);
            m.setAccessible(true);
            return (Integer) m.invoke(s, field);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("cannot read JNA's offset of " + field, e);
        }
    }

    private static String cProgram() {
        StringBuilder c = new StringBuilder();
        c.append("#include <stdio.h>\n#include <stddef.h>\n#include <linux/videodev2.h>\n");
        c.append("int main(void) {\n");
        for (Layout l : layouts()) {
            c.append(String.format("  printf(\"sizeof.%s %%zu\\n\", sizeof(struct %s));%n", l.cType, l.cType));
            for (String member : l.members.values()) {
                c.append(String.format("  printf(\"offsetof.%s.%s %%zu\\n\", offsetof(struct %s, %s));%n",
                        l.cType, member, l.cType, member));
            }
        }
        for (String[] member : new String[][] {{"v4l2_format", "fmt"}, {"v4l2_buffer", "m"},
                {"v4l2_frmsizeenum", "stepwise"}, {"v4l2_frmivalenum", "stepwise"}, {"v4l2_buffer", "timecode"}}) {
            c.append(String.format("  printf(\"sizeof.%s.%s %%zu\\n\", sizeof(((struct %s *) 0)->%s));%n",
                    member[0], member[1], member[0], member[1]));
        }
        for (String name : ioctls().keySet()) {
            c.append(String.format("  printf(\"ioctl.%s %%lu\\n\", (unsigned long) (unsigned int) %s);%n",
                    name, name));
        }
        c.append("  return 0;\n}\n");
        return c.toString();
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(":")) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    private static String run(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", command) + " did not finish");
        assertEquals(0, p.exitValue(), String.join(" ", command) + " failed:\n" + out);
        return out;
    }
}
