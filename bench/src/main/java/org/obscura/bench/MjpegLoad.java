package org.obscura.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * MJPEG load driver: N clients read one {@code multipart/x-mixed-replace} stream each for a warm-up and then T
 * measured seconds, counting whole frames only (a part counts when its {@code Content-Length} bytes have all
 * arrived and look like a JPEG, FFD8 .. FFD9). Reports the rate per client (min, median, max), and, given the
 * server's process id, its CPU time (utime + stime from {@code /proc/<pid>/stat}) per delivered frame over the
 * measured window and its resident size ({@code VmRSS}, {@code VmHWM} from {@code /proc/<pid>/status}).
 *
 * <p>One platform thread per client (Java 17 has no virtual threads), each with a small stack, a plain
 * blocking socket and an HTTP/1.0 request so that the body is the raw multipart stream (no chunked encoding).
 * The driver runs on the same machine as the server: its own CPU over the window is reported too.
 *
 * <pre>
 *   java -cp bench/target/benchmarks.jar org.obscura.bench.MjpegLoad --url URL [--clients 50] [--seconds 20]
 *        [--warmup 5] [--pid PID] [--label NAME]
 * </pre>
 * The last line of the output is {@code RESULT key=value ...} for scripts.
 */
public final class MjpegLoad {

    private final URI url;
    private final int clients;
    private final double seconds;
    private final double warmup;
    private final long pid;
    private final String label;

    private volatile boolean stop;

    private MjpegLoad(URI url, int clients, double seconds, double warmup, long pid, String label) {
        this.url = url;
        this.clients = clients;
        this.seconds = seconds;
        this.warmup = warmup;
        this.pid = pid;
        this.label = label;
    }

    /** One connection's counters, written by its thread and read by the main thread. */
    private static final class Client {
        final AtomicLong frames = new AtomicLong();
        final AtomicLong bytes = new AtomicLong();
        volatile String error;
        volatile boolean connected;
    }

    public static void main(String[] args) throws Exception {
        String url = null;
        int clients = 50;
        double seconds = 20;
        double warmup = 5;
        long pid = -1;
        String label = "server";
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--url" -> url = value;
                case "--clients" -> clients = Integer.parseInt(value);
                case "--seconds" -> seconds = Double.parseDouble(value);
                case "--warmup" -> warmup = Double.parseDouble(value);
                case "--pid" -> pid = Long.parseLong(value);
                case "--label" -> label = value;
                default -> usage("unknown option " + args[i]);
            }
            i++;
        }
        if (url == null || clients < 1 || seconds <= 0 || warmup < 0) {
            usage("--url is required; --clients >= 1, --seconds > 0, --warmup >= 0");
        }
        new MjpegLoad(URI.create(url), clients, seconds, warmup, pid, label).run();
    }

    private static void usage(String why) {
        System.err.println("MjpegLoad: " + why);
        System.err.println("usage: MjpegLoad --url URL [--clients N] [--seconds T] [--warmup W] [--pid PID] [--label NAME]");
        System.exit(2);
    }

    private void run() throws Exception {
        Client[] state = new Client[clients];
        List<Thread> threads = new ArrayList<>();
        CountDownLatch connected = new CountDownLatch(clients);
        for (int i = 0; i < clients; i++) {
            Client c = state[i] = new Client();
            Thread t = new Thread(null, () -> read(c, connected), "client-" + i, 256 * 1024);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        connected.await();
        Thread.sleep((long) (warmup * 1000));

        long[] before = snapshot(state);
        long cpuBefore = serverCpuTicks();
        long selfBefore = cpuTicks(ProcessHandle.current().pid());
        long t0 = System.nanoTime();
        Thread.sleep((long) (seconds * 1000));
        long[] after = snapshot(state);
        long cpuAfter = serverCpuTicks();
        long selfAfter = cpuTicks(ProcessHandle.current().pid());
        double elapsed = (System.nanoTime() - t0) / 1e9;
        long[] memory = serverMemoryKb();
        stop = true;

        double[] fps = new double[clients];
        long delivered = 0;
        int failed = 0;
        for (int i = 0; i < clients; i++) {
            long n = after[i] - before[i];
            delivered += n;
            fps[i] = n / elapsed;
            if (state[i].error != null) {
                failed++;
            }
        }
        Arrays.sort(fps);
        double min = fps[0];
        double median = clients % 2 == 1 ? fps[clients / 2] : (fps[clients / 2 - 1] + fps[clients / 2]) / 2;
        double max = fps[clients - 1];
        long bytes = Arrays.stream(state).mapToLong(c -> c.bytes.get()).sum();
        long ticksPerSecond = clockTicks();
        double cpuMs = cpuAfter < 0 || cpuBefore < 0 ? Double.NaN : (cpuAfter - cpuBefore) * 1000.0 / ticksPerSecond;
        if (pid > 0 && (cpuAfter < 0 || cpuBefore < 0)) {
            System.out.println("server process " + pid + " ended during the run: no CPU or memory figures");
        }
        double selfMs = (selfAfter - selfBefore) * 1000.0 / ticksPerSecond;
        double perFrame = delivered == 0 ? Double.NaN : cpuMs / delivered;
        int atLeast25 = (int) Arrays.stream(fps).filter(f -> f >= 25).count();

        for (int i = 0; i < clients; i++) {
            if (state[i].error != null) {
                System.out.println("client " + i + ": " + state[i].error);
            }
        }
        System.out.printf(Locale.ROOT, "%s: %d clients, %.1f s measured after %.1f s warm-up, %s%n", label, clients,
                elapsed, warmup, url);
        System.out.printf(Locale.ROOT, "  fps per client: min %.1f, median %.1f, max %.1f; %d of %d clients >= 25 fps;"
                + " %d failed%n", min, median, max, atLeast25, clients, failed);
        System.out.printf(Locale.ROOT, "  delivered %d whole frames (%.1f KB average over the run)%n", delivered,
                bytes / 1024.0 / Math.max(1, Arrays.stream(state).mapToLong(c -> c.frames.get()).sum()));
        if (pid > 0) {
            System.out.printf(Locale.ROOT, "  server pid %d: CPU %.0f ms = %.1f%% of one core, %.3f ms per delivered"
                    + " frame; VmRSS %.1f MB, VmHWM %.1f MB%n", pid, cpuMs, cpuMs / elapsed / 10, perFrame,
                    memory[0] / 1024.0, memory[1] / 1024.0);
        }
        System.out.printf(Locale.ROOT, "  load driver CPU %.0f ms = %.1f%% of one core%n", selfMs, selfMs / elapsed / 10);
        System.out.printf(Locale.ROOT, "RESULT label=%s clients=%d seconds=%.1f fps_min=%.1f fps_median=%.1f fps_max=%.1f"
                + " clients_25fps=%d failed=%d frames=%d cpu_ms=%.0f cpu_ms_per_frame=%.4f rss_mb=%.1f hwm_mb=%.1f"
                + " driver_cpu_ms=%.0f%n", label, clients, elapsed, min, median, max, atLeast25, failed, delivered,
                cpuMs, perFrame, memory[0] / 1024.0, memory[1] / 1024.0, selfMs);
        System.exit(0);
    }

    private static long[] snapshot(Client[] state) {
        long[] counts = new long[state.length];
        for (int i = 0; i < state.length; i++) {
            counts[i] = state[i].frames.get();
        }
        return counts;
    }

    /** One client: connect, request, then count whole parts until told to stop or the stream fails. */
    private void read(Client client, CountDownLatch connected) {
        boolean counted = false;
        try (Socket socket = new Socket()) {
            int port = url.getPort() > 0 ? url.getPort() : 80;
            socket.connect(new InetSocketAddress(url.getHost(), port), 10_000);
            socket.setSoTimeout(10_000);
            socket.setReceiveBufferSize(256 * 1024);
            String target = url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + (target.isEmpty() ? "/" : target) + " HTTP/1.0\r\nHost: " + url.getHost() + ":" + port
                    + "\r\nUser-Agent: obscura-bench\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
            String status = line(in);
            if (status == null || !status.matches("HTTP/1\\.[01] 200.*")) {
                throw new IOException("unexpected status: " + status);
            }
            String boundary = null;
            for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
                String lower = h.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-type:") && lower.contains("boundary=")) {
                    boundary = h.substring(lower.indexOf("boundary=") + 9).trim();
                    int semi = boundary.indexOf(';');
                    if (semi >= 0) {
                        boundary = boundary.substring(0, semi).trim();
                    }
                    boundary = boundary.replace("\"", "");
                } else if (lower.startsWith("transfer-encoding:")) {
                    throw new IOException("unexpected " + h + " in an HTTP/1.0 response");
                }
            }
            if (boundary == null) {
                throw new IOException("no multipart boundary in the response headers");
            }
            client.connected = true;
            connected.countDown();
            counted = true;
            String delimiter = "--" + boundary;
            byte[] scratch = new byte[64 * 1024];
            while (!stop) {
                String l = line(in);
                if (l == null) {
                    throw new IOException("stream ended");
                }
                if (!l.equals(delimiter)) {
                    continue; // CRLF after a body, or a preamble
                }
                long length = -1;
                for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
                    String lower = h.toLowerCase(Locale.ROOT);
                    if (lower.startsWith("content-length:")) {
                        length = Long.parseLong(h.substring(15).trim());
                    }
                }
                if (length <= 0) {
                    throw new IOException("a part without Content-Length");
                }
                // The first two and the last two bytes of the part, kept as the body streams through scratch.
                int head = 0;
                int tail = 0;
                long position = 0;
                while (position < length) {
                    int n = in.read(scratch, 0, (int) Math.min(scratch.length, length - position));
                    if (n < 0) {
                        throw new IOException("stream ended inside a frame");
                    }
                    for (int k = 0; k < n && position + k < 2; k++) {
                        head = head << 8 | (scratch[k] & 0xff);
                    }
                    for (int k = Math.max(0, n - 2); k < n; k++) {
                        tail = (tail << 8 | (scratch[k] & 0xff)) & 0xffff;
                    }
                    position += n;
                }
                if (head != 0xFFD8 || tail != 0xFFD9) {
                    throw new IOException("a part that is not a whole JPEG (" + length + " bytes)");
                }
                client.frames.incrementAndGet();
                client.bytes.addAndGet(length);
            }
        } catch (IOException | RuntimeException e) {
            if (!stop) {
                client.error = (client.connected ? "after " + client.frames.get() + " frames: "
                        : "before the response headers: ") + e;
            }
        } finally {
            if (!counted) {
                connected.countDown();
            }
        }
    }

    /** A header line without its CRLF (ISO-8859-1), or null at end of stream. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(64);
        for (int b = in.read(); ; b = in.read()) {
            if (b < 0) {
                return buffer.size() == 0 ? null : buffer.toString(StandardCharsets.ISO_8859_1);
            }
            if (b == '\n') {
                break;
            }
            if (buffer.size() > 8192) {
                throw new IOException("header line longer than 8 KB");
            }
            buffer.write(b);
        }
        String s = buffer.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    private long serverCpuTicks() {
        return pid > 0 ? cpuTicks(pid) : -1;
    }

    /** utime + stime of a process, all its threads, in clock ticks. */
    private static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // The command name (field 2) may contain spaces: fields are counted after its closing parenthesis.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15
        } catch (IOException | RuntimeException e) {
            return -1; // the process is gone (or was never there): reported as such
        }
    }

    /** VmRSS and VmHWM of the server in KB, or zeros without a pid. */
    private long[] serverMemoryKb() {
        long[] kb = new long[2];
        Path status = Path.of("/proc/" + pid + "/status");
        if (pid <= 0 || !Files.exists(status)) {
            return kb;
        }
        try {
            for (String l : Files.readAllLines(status)) {
                if (l.startsWith("VmRSS:")) {
                    kb[0] = Long.parseLong(l.replaceAll("\\D", ""));
                } else if (l.startsWith("VmHWM:")) {
                    kb[1] = Long.parseLong(l.replaceAll("\\D", ""));
                }
            }
        } catch (IOException e) {
            return new long[2]; // ended between the check and the read
        }
        return kb;
    }

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            p.waitFor();
            return Long.parseLong(out);
        } catch (IOException | InterruptedException | NumberFormatException e) {
            return 100; // Linux's USER_HZ on every common architecture
        }
    }
}
