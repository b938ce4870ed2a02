package org.obscura.ws.internal;

/**
 * Decides whether a socket may run an action: the seam where authentication plugs in. It is asked before every
 * action, on the socket's request thread, with the socket's {@link ClientSession} (which keeps the upgrade
 * request's {@code Authorization} header and remote address). {@link #OPEN}, the current policy, allows every
 * action; a policy for an authenticated server would refuse {@link Action#mutating() mutating} actions to
 * sockets without an administrator's credentials.
 */
@FunctionalInterface
interface AccessPolicy {

    /** Allows everything. */
    AccessPolicy OPEN = (action, session) -> null;

    /**
     * @return {@code null} to allow the action, else the sentence sent back as the response's {@code error}
     */
    String refusal(Action action, ClientSession session);
}
