package org.obscura.camera.api;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Who may do what on this server, asked by every interface (REST, WebSocket, seed routes, web console) before
 * it serves a request. There is one account, the administrator {@value #ADMIN}; everybody else is anonymous.
 *
 * <p>Credentials come as an HTTP {@code Authorization} header, {@code Basic base64(admin:password)} or
 * {@code Bearer <token>}, or as a bare token where a client cannot send headers ({@code ?token=} on an image
 * or stream URL, a WebSocket AUTH action). Tokens come from {@link #issue}. Anonymous callers may view (when
 * {@link #viewingOpen()}) and capture (unless {@link #captureNeedsAdmin()}); every change needs the
 * administrator.
 *
 * <p>Thread-safe; no method blocks on I/O. Verifying a password costs a deliberate amount of CPU (a salted,
 * iterated hash), so interfaces should prefer tokens for repeated calls. Failed logins are counted per remote
 * address: beyond a limit the address is refused for a while, also with the right password.
 */
@org.osgi.annotation.versioning.ProviderType
public interface AccessControl {

    /** The administrator's user name. */
    String ADMIN = "admin";

    /** The message interfaces answer when a caller without the administrator's credentials asks for a change. */
    String ADMIN_REQUIRED = "admin authentication required";

    /**
     * Who is calling.
     *
     * @param user      {@value #ADMIN} for the administrator, {@code null} for an anonymous caller
     * @param rejection why the credentials the caller sent were refused ("wrong user name or password",
     *                  "token unknown or expired", too many failed logins), or {@code null} when it sent none
     *                  or they were accepted; for the caller's error message, never containing a secret
     */
    record Caller(String user, String rejection) {

        /** A caller who sent no credentials. */
        public static final Caller ANONYMOUS = new Caller(null, null);

        /** The administrator. */
        public static final Caller ADMINISTRATOR = new Caller(ADMIN, null);

        public boolean admin() {
            return ADMIN.equals(user);
        }
    }

    /**
     * A bearer token.
     *
     * @param value   the secret to send as {@code Authorization: Bearer <value>} or {@code ?token=<value>}
     * @param expires when it stops being accepted
     */
    record Token(String value, Instant expires) {
        @Override
        public String toString() {
            return "Token[expires=" + expires + "]";
        }
    }

    /**
     * Who sent a request. Never throws: missing, malformed or wrong credentials give an anonymous caller (with
     * the {@link Caller#rejection() reason} when some were sent).
     *
     * @param authorization the request's {@code Authorization} header, or {@code null}
     * @param token         a token sent outside the header ({@code ?token=}, WebSocket AUTH), or {@code null}
     * @param remote        the client's address, for counting failed logins, or {@code null} when unknown
     */
    Caller check(String authorization, String token, String remote);

    /**
     * A new token for the administrator.
     *
     * @param authorization the {@code Authorization} header, {@code Basic base64(admin:password)}
     * @param remote        the client's address, or {@code null}
     * @return the token, or empty when the credentials are missing, wrong, or refused for too many failures
     *         (then {@link #check} tells why)
     */
    Optional<Token> issue(String authorization, String remote);

    /** Whether anonymous callers may view live pictures (streams, frames, liveview); default true. */
    boolean viewingOpen();

    /** Whether taking pictures (snapshots, captures, sequences) needs the administrator; default false. */
    boolean captureNeedsAdmin();

    /**
     * The web origins ({@code https://host:port}) allowed to call the HTTP API from a browser page elsewhere,
     * or {@code *} for any; empty (the default) means CORS stays off and no CORS header is ever sent.
     */
    List<String> corsOrigins();
}
