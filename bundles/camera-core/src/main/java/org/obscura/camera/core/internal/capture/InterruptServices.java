package org.obscura.camera.core.internal.capture;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.obscura.camera.api.CameraConfig;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.core.internal.Failures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops and restarts the systemd services that hold a camera while Obscura takes exclusive stills (the seeds'
 * {@code stream_interrupt}): runs {@code <command...> stop|restart <service>}, by default
 * {@code sudo -n systemctl}, as an argument vector (never through a shell), with a timeout. The service name
 * is checked against a strict pattern first, so that it can never become an option or a second command.
 *
 * <p>Thread-safe; each call blocks until the command ends or times out.
 */
public final class InterruptServices {

    /** Default command prefix: non-interactive sudo, so a missing sudoers rule fails at once instead of hanging. */
    public static final List<String> DEFAULT_COMMAND = List.of("sudo", "-n", "systemctl");

    private static final Pattern SERVICE = Pattern.compile("[A-Za-z0-9@._][A-Za-z0-9@._-]{0,254}");
    private static final int MAX_OUTPUT = 2000;
    private static final Logger LOG = LoggerFactory.getLogger(InterruptServices.class);

    private final List<String> command;
    private final Duration timeout;

    /**
     * @param command the program and its leading arguments; {@code stop|restart <service>} are appended
     * @param timeout how long a command may take before it is killed
     */
    public InterruptServices(List<String> command, Duration timeout) {
        this.command = command == null || command.isEmpty() ? DEFAULT_COMMAND : List.copyOf(command);
        this.timeout = timeout;
    }

    /** Refuses a name that is not a plain systemd unit name. */
    public static void validate(String service) {
        if (service == null || !SERVICE.matcher(service).matches()) {
            throw CameraException.invalid(CameraConfig.INTERRUPT_SERVICE, "interrupt service '" + service
                    + "' is not a valid systemd unit name (letters, digits, '@', '.', '_' and '-', not starting with '-')");
        }
    }

    /** Stops the service; UNAVAILABLE (with the command's error output) when that fails. */
    public void stop(String service) {
        run("stop", service);
    }

    /** Restarts the service; UNAVAILABLE (with the command's error output) when that fails. */
    public void restart(String service) {
        run("restart", service);
    }

    private void run(String action, String service) {
        validate(service);
        List<String> argv = new ArrayList<>(command);
        argv.add(action);
        argv.add(service);
        String shown = String.join(" ", argv);
        LOG.info("running: {}", shown);
        Process process;
        try {
            process = new ProcessBuilder(argv).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new CameraException(CameraException.Kind.UNAVAILABLE,
                    "could not run '" + shown + "': " + Failures.message(e), e);
        }
        // Read stderr on the side: a command that writes more than a pipe holds must not block on us.
        ErrorReader errors = new ErrorReader(process.getErrorStream());
        errors.start();
        try {
            process.getOutputStream().close(); // nothing to say to it: a prompt must see end of input, not wait
        } catch (IOException e) {
            LOG.debug("closing the standard input of '{}': {}", shown, e.toString());
        }
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new CameraException(CameraException.Kind.UNAVAILABLE,
                        "'" + shown + "' did not finish within " + timeout.toMillis() + " ms");
            }
            errors.join(1000);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new CameraException(CameraException.Kind.UNAVAILABLE, "interrupted while running '" + shown + "'", e);
        }
        int exit = process.exitValue();
        if (exit != 0) {
            String output = errors.text();
            throw new CameraException(CameraException.Kind.UNAVAILABLE, "'" + shown + "' failed with exit code " + exit
                    + (output.isEmpty() ? "" : ": " + output));
        }
    }

    /** Collects the first part of a process's error output and discards the rest. */
    private static final class ErrorReader extends Thread {
        private final InputStream in;
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();

        ErrorReader(InputStream in) {
            super("obscura-interrupt-stderr");
            setDaemon(true);
            this.in = in;
        }

        @Override
        public void run() {
            byte[] buffer = new byte[1024];
            try (in) {
                for (int n; (n = in.read(buffer)) >= 0;) {
                    synchronized (kept) {
                        kept.write(buffer, 0, Math.max(0, Math.min(n, MAX_OUTPUT - kept.size())));
                    }
                }
            } catch (IOException e) {
                // the process went away; what we have is all there is
            }
        }

        String text() {
            synchronized (kept) {
                return kept.toString(StandardCharsets.UTF_8).strip();
            }
        }
    }
}
