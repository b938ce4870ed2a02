package org.obscura.plugins.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of one plugin operation (a feature installed or uninstalled, a bundle installed or updated), reported
 * as they happen: each step goes at once to every {@link Listener} (Event Admin, the Gogo session) and is kept, so
 * the answer to the request can list them all.
 *
 * <p>An operation ends with exactly one {@link State#DONE} or {@link State#FAILED} step; steps reported after it
 * are ignored. Threading: an operation runs on one thread, which calls the listeners in order; a listener must
 * not block and its failures are logged, never passed on (a viewer of the progress cannot break an install).
 */
final class Progress {

    /** The Event Admin topic of every step (relayed as {@code plugins/progress} by the REST API's event stream). */
    static final String TOPIC = "org/obscura/plugins/PROGRESS";

    /** Operation kinds, the {@code operation} property of each step's event. */
    static final String FEATURE_INSTALL = "feature-install";
    static final String FEATURE_UNINSTALL = "feature-uninstall";
    static final String BUNDLE_INSTALL = "bundle-install";
    static final String BUNDLE_UPDATE = "bundle-update";

    private static final Logger LOG = LoggerFactory.getLogger(Progress.class);
    private static final AtomicLong IDS = new AtomicLong();

    enum State {
        RUNNING, DONE, FAILED;

        String json() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** One step: its number in the operation (from 1), what happens, and whether the operation goes on. */
    record Step(int index, String message, State state) {
        /** As listed in answers: the message, a final failure as {@code failed: <reason>}. */
        String text() {
            return state == State.FAILED ? "failed: " + message : message;
        }
    }

    /** Hears each step as it happens, on the operation's thread. */
    interface Listener {
        void step(Progress operation, Step step);
    }

    private final String id;
    private final String operation;
    private final String target;
    private final List<Listener> listeners;
    private final List<Step> steps = new ArrayList<>();
    private boolean finished;

    /**
     * @param operation one of the operation kinds above
     * @param target    what the client named (a feature, a bundle id), or {@code null} (an upload)
     */
    Progress(String operation, String target, List<Listener> listeners) {
        this.id = "op-" + IDS.incrementAndGet();
        this.operation = operation;
        this.target = target;
        this.listeners = List.copyOf(listeners);
    }

    /** An operation nobody watches: its steps are only kept. */
    static Progress unwatched(String operation, String target) {
        return new Progress(operation, target, List.of());
    }

    /** Unique in this server run ({@code op-<n>}), so that watchers can tell concurrent operations apart. */
    String id() {
        return id;
    }

    String operation() {
        return operation;
    }

    String target() {
        return target;
    }

    /** A step about to be taken. */
    void step(String message) {
        report(message, State.RUNNING);
    }

    /** The operation succeeded; {@code message} says what it did. */
    void done(String message) {
        report(message, State.DONE);
    }

    /** The operation failed; {@code reason} says why (and what was undone). */
    void failed(String reason) {
        report(reason, State.FAILED);
    }

    boolean finished() {
        return finished;
    }

    /** Every step so far, in order. */
    synchronized List<Step> steps() {
        return List.copyOf(steps);
    }

    /** Every step so far as listed in answers ({@link Step#text()}). */
    List<String> texts() {
        return steps().stream().map(Step::text).toList();
    }

    /** The properties of a step's event: id, operation, target (when known), step, message, state. */
    Map<String, Object> eventProperties(Step step) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("id", id);
        p.put("operation", operation);
        if (target != null) {
            p.put("target", target);
        }
        p.put("step", step.index());
        p.put("message", step.message());
        p.put("state", step.state().json());
        return p;
    }

    private void report(String message, State state) {
        Step step;
        synchronized (this) {
            if (finished) {
                return;
            }
            finished = state != State.RUNNING;
            step = new Step(steps.size() + 1, message, state);
            steps.add(step);
        }
        LOG.debug("{} {} {}: [{}] {}", id, operation, target, step.index(), step.text());
        for (Listener l : listeners) {
            try {
                l.step(this, step);
            } catch (RuntimeException e) {
                LOG.warn("a progress listener failed on step {} of {}: {}", step.index(), id, e.toString());
            }
        }
    }
}
