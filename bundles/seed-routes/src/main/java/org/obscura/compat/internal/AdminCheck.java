package org.obscura.compat.internal;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Decides whether a request comes from an administrator, for the routes that only administrators may use
 * ({@code /cmd}). The server uses {@link SeedAccess#adminCheck()} (Basic or Bearer credentials of the
 * administrator, from the {@code AccessControl} service); {@link #EVERYONE} is for tests that are not about
 * access. {@code /cmd} is also kept off unless configured, so that enabling it is a deliberate choice.
 */
@FunctionalInterface
interface AdminCheck {

    /** Every request counts as an administrator's (tests only). */
    AdminCheck EVERYONE = request -> true;

    boolean isAdmin(HttpServletRequest request);
}
