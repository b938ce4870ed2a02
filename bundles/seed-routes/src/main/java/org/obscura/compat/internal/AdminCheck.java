package org.obscura.compat.internal;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Decides whether a request comes from an administrator, for the routes that only administrators may use
 * ({@code /cmd}). The server has no user accounts yet: {@link #EVERYONE} is used, and {@code /cmd} is kept off
 * unless configured, so that enabling it is a deliberate choice. An authentication service plugs in here.
 */
@FunctionalInterface
interface AdminCheck {

    /** Every request counts as an administrator's. */
    AdminCheck EVERYONE = request -> true;

    boolean isAdmin(HttpServletRequest request);
}
