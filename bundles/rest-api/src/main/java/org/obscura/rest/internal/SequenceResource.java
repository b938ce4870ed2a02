package org.obscura.rest.internal;

import static org.obscura.rest.internal.RouteDoc.arrayOf;
import static org.obscura.rest.internal.RouteDoc.object;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;

import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.SequenceProgress;
import org.obscura.camera.api.SequenceRequest;
import org.obscura.camera.api.SequenceResult;
import org.obscura.camera.api.SequenceService;

/**
 * {@code /v1/sequences}: starts photometric sequences and reports on them. A start answers 202 at once with
 * the sequence's id and {@code Location}; {@code GET /v1/sequences/{id}} then has its latest progress and, once
 * done, its result. The same progress goes to event stream clients ({@code sequence/progress}, tagged with the
 * sequence id when it was started here).
 *
 * <p>The last {@value #KEPT} sequences are remembered in memory (a restart forgets them; the image sets stay).
 * Progress arrives on the sequence's thread and only replaces a volatile field, so it never blocks the
 * sequencer. The sequencer is optional and dynamic: 503 without it.
 */
final class SequenceResource {

    static final String UNAVAILABLE = "sequences are not available (no sequencer bundle running)";
    static final int KEPT = 50;
    static final int MAX_SETTLE_MS = 60_000;

    private static final Map<String, Object> PROGRESS = object("status", "string", "step", "integer",
            "total", "integer", "currentLight", "string", "setFolder", "string", "errorDetail", "string");
    private static final Map<String, Object> RESULT = object("success", "boolean", "message", "string",
            "setFolder", "string", "images", "string[]", "error", "string");
    private static final Map<String, Object> SEQUENCE = object("id", "string", "kind", "string",
            "state", Map.of("type", "string", "enum", List.of("running", "completed", "failed")),
            "started", "string", "finished", "string", "url", "string",
            "request", object("lights", "string[]", "prefix", "string", "cameras", "string[]", "settle_ms", "integer"),
            "progress", PROGRESS, "result", RESULT);

    /** One sequence started here. Fields written by the sequence's thread, read by requests. */
    private static final class Tracked {
        final String id;
        final SequenceRequest request;
        final Instant started;
        volatile SequenceProgress progress;
        volatile SequenceResult result;
        volatile Instant finished;

        Tracked(String id, SequenceRequest request, Instant started) {
            this.id = id;
            this.request = request;
            this.started = started;
        }
    }

    private final ServiceSlot<SequenceService> sequencer;
    private final Clock clock;
    /** Insertion-ordered, oldest first; guarded by itself. */
    private final Map<String, Tracked> sequences = new LinkedHashMap<>();

    SequenceResource(ServiceSlot<SequenceService> sequencer, Clock clock) {
        this.sequencer = sequencer;
        this.clock = clock;
    }

    void addRoutes(Router router) {
        router.add("POST", "/v1/sequences/photometric", this::start,
                        RouteDoc.of("sequences", "Start a photometric sequence")
                                .description("One step per light: only that light on, settle, capture from the cameras "
                                        + "(empty: the default camera), into a new image set. Answers at once; follow "
                                        + "the Location or the event stream.")
                                .body(true, object(List.of("lights"), "lights", "string[]", "prefix", "string",
                                        "cameras", "string[]", "settle_ms", Map.of("type", "integer", "minimum", 0,
                                                "maximum", MAX_SETTLE_MS)))
                                .answers(202, "started; Location is the sequence", SEQUENCE)
                                .errors(400).error(409, "a sequence is already running").errors(413)
                                .error(503, UNAVAILABLE + "; or no lights or camera"))
                .add("GET", "/v1/sequences", this::list, RouteDoc.of("sequences", "Sequences started here, newest first")
                        .answers(200, "the sequences", arrayOf(SEQUENCE)))
                .add("GET", "/v1/sequences/{sequence}", this::get, RouteDoc.of("sequences", "One sequence: latest progress and result")
                        .answers(200, "the sequence", SEQUENCE).errors(400, 404));
    }

    /** POST {lights, prefix?, cameras?, settle_ms?}: 202 + Location. */
    Reply start(Call call) {
        Map<String, Object> body = call.jsonObject();
        for (String key : body.keySet()) {
            if (!List.of("lights", "prefix", "cameras", "settle_ms").contains(key)) {
                throw ApiException.invalid(key, "unknown member '" + Router.printable(key)
                        + "' in the sequence request; allowed: lights, prefix, cameras, settle_ms");
            }
        }
        List<String> lights = strings(body, "lights");
        if (lights == null || lights.isEmpty()) {
            throw ApiException.invalid("lights", "lights is required: a non-empty array of light names, one step each");
        }
        Object p = body.get("prefix");
        if (p != null && !(p instanceof String)) {
            throw ApiException.invalid("prefix", "prefix must be a string, not " + JsonCodec.describe(p));
        }
        String prefix = p == null || ((String) p).isEmpty() ? null : (String) p;
        List<String> cameras = strings(body, "cameras");
        Duration settle = null;
        Object s = body.get("settle_ms");
        if (s != null) {
            if (!(s instanceof Integer || s instanceof Long) || ((Number) s).longValue() < 0
                    || ((Number) s).longValue() > MAX_SETTLE_MS) {
                throw ApiException.invalid("settle_ms", "settle_ms must be an integer from 0 to " + MAX_SETTLE_MS
                        + " (milliseconds), not " + Router.printable(String.valueOf(s)));
            }
            settle = Duration.ofMillis(((Number) s).longValue());
        }
        SequenceRequest request = new SequenceRequest(lights, prefix, cameras, settle);
        SequenceService service = sequencer.require();
        Tracked t = new Tracked(newId(), request, clock.instant());
        service.start(request, progress -> t.progress = progress).whenComplete((result, failure) -> {
            t.finished = clock.instant();
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                String why = cause.getMessage() == null ? cause.toString() : cause.getMessage();
                SequenceProgress last = t.progress;
                t.result = new SequenceResult(false, "the sequence failed: " + why,
                        last == null ? null : last.setFolder(), List.of(), why);
            } else {
                t.result = result;
            }
        });
        remember(t);
        String location = call.base() + "/v1/sequences/" + t.id;
        return new Reply.Json(202, view(t, call.base()), Map.of("Location", location));
    }

    Reply list(Call call) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Tracked t : snapshot()) {
            out.add(0, view(t, call.base()));
        }
        return Reply.ok(out);
    }

    Reply get(Call call) {
        String id = call.param("sequence");
        Tracked t;
        synchronized (sequences) {
            t = sequences.get(id);
        }
        if (t == null) {
            throw CameraException.notFound("no sequence '" + id + "' (only the last " + KEPT
                    + " sequences started since the server started are known)");
        }
        return Reply.ok(view(t, call.base()));
    }

    /** The id of the sequence writing this set folder, if it was started here. */
    Optional<String> idOf(String setFolder) {
        if (setFolder == null) {
            return Optional.empty();
        }
        for (Tracked t : snapshot()) {
            SequenceProgress p = t.progress;
            SequenceResult r = t.result;
            if ((p != null && setFolder.equals(p.setFolder())) || (r != null && setFolder.equals(r.setFolder()))) {
                return Optional.of(t.id);
            }
        }
        return Optional.empty();
    }

    private List<Tracked> snapshot() {
        synchronized (sequences) {
            return new ArrayList<>(sequences.values());
        }
    }

    /** Keeps a new sequence, dropping the oldest finished ones beyond {@value #KEPT}. */
    private void remember(Tracked t) {
        synchronized (sequences) {
            sequences.put(t.id, t);
            for (Iterator<Tracked> it = sequences.values().iterator(); it.hasNext() && sequences.size() > KEPT;) {
                if (it.next().result != null) {
                    it.remove();
                }
            }
        }
    }

    private static String newId() {
        return HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    }

    private static Map<String, Object> view(Tracked t, String base) {
        SequenceResult r = t.result;
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("lights", t.request.lights());
        request.put("prefix", t.request.prefix());
        request.put("cameras", t.request.cameras());
        request.put("settle_ms", t.request.settle() == null ? null : t.request.settle().toMillis());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", t.id);
        out.put("kind", "photometric");
        out.put("state", r == null ? "running" : r.success() ? "completed" : "failed");
        out.put("started", t.started);
        out.put("finished", t.finished);
        out.put("url", base + "/v1/sequences/" + t.id);
        out.put("request", request);
        out.put("progress", t.progress);
        out.put("result", r);
        return out;
    }

    /** An optional array of strings. */
    private static List<String> strings(Map<String, Object> body, String field) {
        Object v = body.get(field);
        if (v == null) {
            return null;
        }
        if (!(v instanceof List<?> list)) {
            throw ApiException.invalid(field, field + " must be an array of names, not " + JsonCodec.describe(v));
        }
        List<String> out = new ArrayList<>();
        for (Object o : list) {
            if (!(o instanceof String s) || s.isBlank()) {
                throw ApiException.invalid(field, field + " must hold names (non-empty strings), not "
                        + JsonCodec.describe(o));
            }
            out.add(s);
        }
        return out;
    }
}
