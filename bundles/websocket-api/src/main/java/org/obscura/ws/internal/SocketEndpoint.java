package org.obscura.ws.internal;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * Jetty's side of one connection: hands text messages to the session's request queue and sends through the
 * session asynchronously. Jetty calls it on its network threads; nothing here blocks. Public because Jetty
 * reaches the listener methods through method handles, which refuse non-public classes.
 */
public final class SocketEndpoint implements Session.Listener.AutoDemanding {

    /** What the endpoint needs from the API: create, run and forget sessions. */
    interface Host {
        ClientSession open(Outbox.Transport transport, String remote, String authorization);

        ActionDispatcher dispatcher();

        void closed(ClientSession session);
    }

    private final Host host;
    private final String authorization;
    private volatile ClientSession client;

    SocketEndpoint(Host host, String authorization) {
        this.host = host;
        this.authorization = authorization;
    }

    @Override
    public void onWebSocketOpen(Session session) {
        Outbox.Transport transport = new Outbox.Transport() {
            @Override
            public void send(String text, Runnable sent, Consumer<Throwable> failed) {
                session.sendText(text, Callback.from(sent, failed));
            }

            @Override
            public void close(int code, String reason) {
                session.close(code, reason, Callback.NOOP);
            }
        };
        client = host.open(transport, String.valueOf(session.getRemoteSocketAddress()), authorization);
    }

    @Override
    public void onWebSocketText(String text) {
        ClientSession c = client;
        if (c == null) {
            return;
        }
        ActionDispatcher dispatcher = host.dispatcher();
        if (!c.submit(() -> dispatcher.handle(c, text))) {
            dispatcher.refuseBusy(c, text);
        }
    }

    @Override
    public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
        callback.succeed();
        ClientSession c = client;
        if (c != null) {
            c.outbox().send(host.dispatcher().response(null, false, null,
                    "Binary messages are not supported: send JSON text messages.", null));
        }
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        gone();
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        gone();
    }

    private void gone() {
        ClientSession c = client;
        if (c != null) {
            c.close();
            host.closed(c);
        }
    }
}
