package org.obscura.ws.internal;

import org.obscura.camera.api.AccessControl;

/**
 * The server's access rules for sockets, from the {@link AccessControl} service: changes ({@link Action#mutating()
 * mutating} actions) need the administrator; captures only when capture is configured to need it; the liveview
 * only while viewing is configured closed. A socket is the administrator when its upgrade request carried the
 * administrator's credentials (Basic, Bearer, or {@code ?token=}) or a later AUTH action a valid token.
 *
 * <p>Credentials are checked again at every action that needs them (cheap: tokens are a hash lookup, and the
 * access control remembers verified Basic credentials), so an expired token or a new password takes effect on
 * open sockets too. Thread-safe.
 */
final class AdminPolicy implements AccessPolicy {

    private final AccessControl access;

    AdminPolicy(AccessControl access) {
        this.access = access;
    }

    @Override
    public String refusal(Action action, ClientSession session) {
        boolean needsAdmin = switch (action) {
            case CAPTURE_IMAGE, CAPTURE_PHOTOMETRIC_SET -> access.captureNeedsAdmin();
            case START_LIVEVIEW -> !access.viewingOpen();
            default -> action.mutating();
        };
        return !needsAdmin || admin(session) ? null : AccessControl.ADMIN_REQUIRED;
    }

    @Override
    public String authenticate(String token, ClientSession session) {
        AccessControl.Caller caller = access.check(null, token, host(session.remote()));
        if (!caller.admin()) {
            return caller.rejection() == null ? "token unknown or expired" : caller.rejection();
        }
        session.token(token);
        return null;
    }

    private boolean admin(ClientSession session) {
        if (session.authorization() != null && access.check(session.authorization(), null, host(session.remote())).admin()) {
            return true;
        }
        String token = session.token();
        return token != null && access.check(null, token, host(session.remote())).admin();
    }

    /**
     * The address without the port ({@code /192.168.1.5:53211} -> {@code 192.168.1.5}): failed logins are
     * counted per client address, not per connection.
     */
    static String host(String remote) {
        if (remote == null) {
            return null;
        }
        String r = remote.startsWith("/") ? remote.substring(1) : remote;
        int colon = r.lastIndexOf(':');
        if (colon > 0 && colon < r.length() - 1 && r.substring(colon + 1).chars().allMatch(Character::isDigit)) {
            r = r.substring(0, colon);
        }
        if (r.startsWith("[") && r.endsWith("]")) {
            r = r.substring(1, r.length() - 1);
        }
        return r;
    }
}
