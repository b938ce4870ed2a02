package org.obscura.itest;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * The Gogo shell of the run, without a terminal: one command line per session, through the
 * {@link CommandProcessor} service, as a person would type it. The only class of the test bundle that uses the
 * Gogo package (an optional import): runs without Gogo never load it.
 */
final class GogoShell {

    private GogoShell() {
    }

    /**
     * Runs one command line and returns what it printed, followed by its result when it has one. Gogo routes
     * {@code System.out} of the command's thread to the session, so log lines of a bundle starting in the
     * command may be part of it.
     *
     * @throws Exception what the command threw (Gogo reports unknown commands and bad arguments this way)
     */
    static String run(BundleContext context, String line) throws Exception {
        ServiceReference<CommandProcessor> ref = context.getServiceReference(CommandProcessor.class);
        assertNotNull(ref, "no Gogo CommandProcessor in this run");
        CommandProcessor processor = context.getService(ref);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
                CommandSession session = processor.createSession(InputStream.nullInputStream(), print, print)) {
            Object result = session.execute(line);
            if (result != null) {
                print.println(session.format(result, Converter.INSPECT));
            }
        } finally {
            context.ungetService(ref);
        }
        return out.toString(StandardCharsets.UTF_8).strip();
    }
}
