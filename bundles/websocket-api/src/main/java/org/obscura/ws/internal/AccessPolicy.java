package org.obscura.ws.internal;

/**
 * Decides whether a socket may run an action. It is asked before every action, on the socket's request thread,
 * with the socket's {@link ClientSession} (which keeps the upgrade request's credentials, the token of an AUTH
 * action and the remote address). The server uses {@link AdminPolicy}; {@link #OPEN} allows every action and
 * is for tests that are not about access.
 */
@FunctionalInterface
interface AccessPolicy {

    /** Allows everything. */
    AccessPolicy OPEN = (action, session) -> null;

    /**
     * @return {@code null} to allow the action, else the sentence sent back as the response's {@code error}
     */
    String refusal(Action action, ClientSession session);

    /**
     * The AUTH action: checks {@code token} and, when it is good, lets the session act as its owner from now on.
     * By default (a policy without accounts) every token is accepted.
     *
     * @return {@code null} when accepted, else the sentence sent back as the response's {@code error}
     */
    default String authenticate(String token, ClientSession session) {
        return null;
    }
}
