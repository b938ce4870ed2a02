package org.obscura.ws.internal;

import java.time.Duration;
import java.util.TreeMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.servlet.Servlet;
import org.eclipse.jetty.ee10.websocket.server.JettyWebSocketServlet;
import org.eclipse.jetty.ee10.websocket.server.JettyWebSocketServletFactory;
import org.obscura.camera.api.CameraException;
import org.obscura.camera.api.AccessControl;
import org.obscura.camera.api.CameraRegistry;
import org.obscura.camera.api.CaptureService;
import org.obscura.camera.api.ImageSets;
import org.obscura.camera.api.ImageStore;
import org.obscura.camera.api.LightController;
import org.obscura.camera.api.ObscuraEvents;
import org.obscura.camera.api.SequenceService;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventHandler;
import org.osgi.service.event.propertytypes.EventTopics;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.servlet.whiteboard.annotations.RequireHttpWhiteboard;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletAsyncSupported;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WebSocket API at {@code /ws}: a Jetty WebSocket servlet on the Servlet Whiteboard (the Felix Jetty 12
 * bundle's WebSocket support must be on: {@code org.apache.felix.jetty.websocket.enable=true}), and an Event
 * Admin handler that forwards {@code org/obscura/*} events to the sockets that asked for them with
 * SUBSCRIBE_EVENTS.
 *
 * <p>Threads: Jetty's network threads only hand messages over; requests run on a small shared pool, one at a
 * time per socket; liveview frames are encoded on a two-thread scheduler; sends are asynchronous. Lights,
 * sequences and image sets are optional dynamic references: their actions answer "not available" while the
 * bundles are missing and work as soon as they appear.
 */
@Component(service = { Servlet.class, EventHandler.class }, configurationPid = WebSocketApi.PID)
@Designate(ocd = WebSocketApi.Config.class)
@HttpWhiteboardServletName(WebSocketApi.NAME)
@HttpWhiteboardServletPattern(WebSocketApi.PATTERN)
@HttpWhiteboardServletAsyncSupported
@RequireHttpWhiteboard
@EventTopics(ObscuraEvents.TOPIC_PREFIX + "*")
public class WebSocketApi extends JettyWebSocketServlet implements EventHandler, SocketEndpoint.Host {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(WebSocketApi.class);

    /** Configuration PID of this component. */
    static final String PID = "org.obscura.ws";
    /** Servlet name on the whiteboard ({@code osgi.http.whiteboard.servlet.name}). */
    static final String NAME = "org.obscura.ws";
    /** Where the API answers. */
    static final String PATTERN = "/ws";
    /** Environment variable (as in the seed) that overrides {@link Config#liveview_frame_interval()}. */
    static final String INTERVAL_ENV = "LIVEVIEW_FRAME_INTERVAL";
    /** Messages beyond this size are cut off by Jetty with close code 1009; smaller ones over the limit get an error. */
    static final int HARD_MESSAGE_LIMIT = 1 << 20;

    @ObjectClassDefinition(name = "Obscura WebSocket API",
            description = "The WebSocket API at /ws: camera control, liveview, lights, photometric sets, image sets and events.")
    public @interface Config {
        @AttributeDefinition(name = "Liveview frame interval (s)", min = "0", max = "10",
                description = "Shortest time between two liveview frames sent to one socket: 0.05 = at most 20 frames "
                        + "per second. The environment variable LIVEVIEW_FRAME_INTERVAL overrides it.")
        double liveview_frame_interval() default 0.05;

        @AttributeDefinition(name = "Largest message (characters)", min = "1024", max = "1048576",
                description = "Larger requests are answered with an error (beyond 1 MiB the connection is closed).")
        int max_message_size() default 65536;

        @AttributeDefinition(name = "Waiting requests per socket", min = "1", max = "1024",
                description = "Requests a socket may have waiting behind the running one; more are refused with an error.")
        int max_pending_requests() default 32;

        @AttributeDefinition(name = "Connections", min = "1", max = "10000",
                description = "Open WebSocket connections at most; more are refused with HTTP 503.")
        int max_connections() default 64;

        @AttributeDefinition(name = "Idle timeout (s)", min = "0",
                description = "A connection with no traffic in either direction for this long is closed; 0 never closes it.")
        int idle_timeout() default 3600;
    }

    /** The limits and pacing the sockets get. */
    record Settings(long liveviewIntervalNanos, int maxMessageChars, int maxPendingRequests, int maxConnections,
            Duration idleTimeout) {
        Settings {
            if (liveviewIntervalNanos < 0 || liveviewIntervalNanos > TimeUnit.SECONDS.toNanos(10)) {
                throw CameraException.invalid("liveview.frame.interval",
                        "liveview.frame.interval must be 0 to 10 seconds");
            }
            if (maxMessageChars < 1024 || maxMessageChars > HARD_MESSAGE_LIMIT) {
                throw CameraException.invalid("max.message.size", "max.message.size must be 1024 to "
                        + HARD_MESSAGE_LIMIT + " characters, got " + maxMessageChars);
            }
            if (maxPendingRequests < 1 || maxPendingRequests > 1024) {
                throw CameraException.invalid("max.pending.requests", "max.pending.requests must be 1 to 1024");
            }
            if (maxConnections < 1) {
                throw CameraException.invalid("max.connections", "max.connections must be at least 1");
            }
        }

        static Settings of(Config config, String intervalEnv) {
            double interval = config.liveview_frame_interval();
            if (intervalEnv != null && !intervalEnv.isBlank()) {
                try {
                    interval = Double.parseDouble(intervalEnv.trim());
                } catch (NumberFormatException e) {
                    LOG.warn("{}={} is not a number of seconds; using {}", INTERVAL_ENV, intervalEnv, interval);
                }
            }
            if (Double.isNaN(interval)) {
                interval = -1;
            }
            return new Settings(Math.round(interval * 1e9), config.max_message_size(), config.max_pending_requests(),
                    config.max_connections(), Duration.ofSeconds(Math.max(0, config.idle_timeout())));
        }
    }

    private final transient Services services;
    private final transient Settings settings;
    private final transient ActionDispatcher dispatcher;
    private final transient Set<ClientSession> sessions = ConcurrentHashMap.newKeySet();
    private final transient ThreadPoolExecutor requests;
    private final transient ScheduledThreadPoolExecutor liveview;

    /**
     * @param access mandatory and static: without the access control service there is no {@code /ws} at all,
     *               rather than one that lets everybody change things
     */
    @Activate
    public WebSocketApi(@Reference CameraRegistry registry, @Reference CaptureService capture,
            @Reference ImageStore store, @Reference AccessControl access, Config config) {
        this(new Services(registry, capture, store), Settings.of(config, System.getenv(INTERVAL_ENV)),
                new AdminPolicy(access));
    }

    /**
     * The socket's credentials: the upgrade request's {@code Authorization} header, else its {@code ?token=}
     * (browsers cannot set headers on a WebSocket) as a Bearer header.
     */
    static String credentials(String authorization, List<String> tokens) {
        if (authorization != null && !authorization.isBlank()) {
            return authorization;
        }
        if (tokens != null && !tokens.isEmpty() && tokens.get(0) != null && !tokens.get(0).isBlank()) {
            return "Bearer " + tokens.get(0).strip();
        }
        return null;
    }

    WebSocketApi(Services services, Settings settings, AccessPolicy policy) {
        this.services = services;
        this.settings = settings;
        this.dispatcher = new ActionDispatcher(services, policy, settings.maxMessageChars());
        this.requests = new ThreadPoolExecutor(16, 16, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                threads("obscura-ws-request"));
        requests.allowCoreThreadTimeOut(true);
        this.liveview = new ScheduledThreadPoolExecutor(2, threads("obscura-ws-liveview"));
        liveview.setRemoveOnCancelPolicy(true);
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindLights(LightController lights) {
        services.lights.set(lights);
    }

    void unbindLights(LightController lights) {
        services.lights.compareAndSet(lights, null);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindSequences(SequenceService sequences) {
        services.sequences.set(sequences);
    }

    void unbindSequences(SequenceService sequences) {
        services.sequences.compareAndSet(sequences, null);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindImageSets(ImageSets imageSets) {
        services.imageSets.set(imageSets);
    }

    void unbindImageSets(ImageSets imageSets) {
        services.imageSets.compareAndSet(imageSets, null);
    }

    /** Closes every connection (1001, going away) and stops the threads. */
    @Deactivate
    void deactivate() {
        for (ClientSession s : sessions) {
            s.close();
            s.outbox().disconnect(1001, "server stopping");
        }
        sessions.clear();
        requests.shutdownNow();
        liveview.shutdownNow();
    }

    @Override
    protected void configure(JettyWebSocketServletFactory factory) {
        factory.setMaxTextMessageSize(HARD_MESSAGE_LIMIT);
        factory.setMaxBinaryMessageSize(64 * 1024);
        factory.setIdleTimeout(settings.idleTimeout());
        factory.setCreator((request, response) -> {
            if (sessions.size() >= settings.maxConnections()) {
                response.sendError(503, "Too many WebSocket connections (at most " + settings.maxConnections() + ").");
                return null;
            }
            return new SocketEndpoint(this, credentials(request.getHeader("Authorization"),
                    request.getParameterMap().get("token")));
        });
    }

    // ---- SocketEndpoint.Host

    @Override
    public ClientSession open(Outbox.Transport transport, String remote, String authorization) {
        ClientSession session = new ClientSession(new Outbox(transport), requests, liveview,
                settings.liveviewIntervalNanos(), settings.maxPendingRequests(), remote, authorization);
        sessions.add(session);
        LOG.debug("WebSocket client {} connected", remote);
        return session;
    }

    @Override
    public ActionDispatcher dispatcher() {
        return dispatcher;
    }

    @Override
    public void closed(ClientSession session) {
        if (sessions.remove(session)) {
            LOG.debug("WebSocket client {} disconnected", session.remote());
        }
    }

    /** Open connections. */
    int connections() {
        return sessions.size();
    }

    // ---- events

    /** Forwards an event to the subscribed sockets; never blocks (a socket that is behind loses events). */
    @Override
    public void handleEvent(Event event) {
        String message = null;
        for (ClientSession s : sessions) {
            if (!s.eventsSubscribed()) {
                continue;
            }
            if (message == null) {
                Map<String, Object> properties = new TreeMap<>();
                for (String key : event.getPropertyNames()) {
                    properties.put(key, event.getProperty(key));
                }
                message = dispatcher.eventMessage(event.getTopic(), properties);
            }
            s.outbox().sendDroppable(message);
        }
    }
}
