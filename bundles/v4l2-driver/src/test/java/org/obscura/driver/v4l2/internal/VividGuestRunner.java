package org.obscura.driver.v4l2.internal;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.ClassSelector;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs JUnit test classes inside the vivid guest and writes a summary the host side ({@link VividRigTest})
 * asserts on: one line per test on standard output, and {@code key=value} counts in the results file.
 *
 * <p>Usage: {@code VividGuestRunner RESULTS_FILE TEST_CLASS...}; exits 0 only when tests ran and none failed.
 */
public final class VividGuestRunner {
    private VividGuestRunner() {
    }

    public static void main(String[] args) throws Exception {
        Path results = Path.of(args[0]);
        List<ClassSelector> selectors = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            selectors.add(selectClass(args[i]));
        }
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request().selectors(selectors).build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        TestExecutionListener progress = new TestExecutionListener() {
            private final java.util.Map<String, Long> started = new java.util.concurrent.ConcurrentHashMap<>();

            @Override
            public void executionStarted(TestIdentifier id) {
                started.put(id.getUniqueId(), System.nanoTime());
            }

            @Override
            public void executionSkipped(TestIdentifier id, String reason) {
                if (id.isTest()) {
                    System.out.println("SKIP " + id.getDisplayName() + ": " + reason);
                }
            }

            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                if (!id.isTest() && result.getStatus() == TestExecutionResult.Status.SUCCESSFUL) {
                    return;
                }
                long ms = (System.nanoTime() - started.getOrDefault(id.getUniqueId(), System.nanoTime())) / 1_000_000;
                System.out.println(result.getStatus() + " " + id.getDisplayName() + " (" + ms + " ms)"
                        + result.getThrowable().map(t -> ": " + t).orElse(""));
            }
        };
        launcher.execute(request, summary, progress);
        TestExecutionSummary s = summary.getSummary();
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        s.printFailuresTo(out, 25);
        String counts = "found=" + s.getTestsFoundCount() + "\nsucceeded=" + s.getTestsSucceededCount() + "\nfailed="
                + (s.getTestsFailedCount() + s.getContainersFailedCount()) + "\nskipped=" + s.getTestsSkippedCount()
                + "\naborted=" + s.getTestsAbortedCount() + "\n";
        Files.writeString(results, counts, StandardCharsets.UTF_8);
        System.out.print(counts);
        boolean ok = s.getTestsFoundCount() > 0 && s.getTestsFailedCount() == 0 && s.getContainersFailedCount() == 0;
        System.exit(ok ? 0 : 1);
    }
}
