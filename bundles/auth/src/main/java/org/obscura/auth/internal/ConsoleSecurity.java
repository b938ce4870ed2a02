package org.obscura.auth.internal;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.apache.felix.webconsole.spi.SecurityProvider;
import org.obscura.camera.api.AccessControl;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The Felix web console's login: user {@value AccessControl#ADMIN} with the Obscura administrator password (or a
 * token as {@code Bearer}). Registered with a ranking above the console's own password check (which ranks
 * lowest), so the console asks this one; that built-in check, with the locked password the launcher sets,
 * only remains as the fallback while this bundle is not running.
 *
 * <p>Delayed: the class, which needs the console's SPI package (an optional import), is only loaded when the
 * console asks for the service, i.e. when the console is installed.
 */
@Component(service = SecurityProvider.class, property = {
        SecurityProvider.PROPERTY_ID + "=org.obscura.auth", Constants.SERVICE_RANKING + ":Integer=100"})
public class ConsoleSecurity implements SecurityProvider {

    static final String REALM = "Basic realm=\"Obscura web console\"";

    private final AccessControl access;

    @Activate
    public ConsoleSecurity(@Reference AccessControl access) {
        this.access = access;
    }

    /** The user ({@code admin}), or {@code null} after answering 401 with a Basic challenge (the browser asks). */
    @Override
    public Object authenticate(HttpServletRequest request, HttpServletResponse response) {
        AccessControl.Caller caller = access.check(request.getHeader("Authorization"), null, request.getRemoteAddr());
        if (caller.admin()) {
            return caller.user();
        }
        challenge(response);
        return null;
    }

    @Override
    public boolean authorize(Object user, String role) {
        return AccessControl.ADMIN.equals(user);
    }

    /** Basic credentials cannot be forgotten by the server: a 401 makes the browser drop the ones it holds. */
    @Override
    public void logout(HttpServletRequest request, HttpServletResponse response) {
        challenge(response);
    }

    private static void challenge(HttpServletResponse response) {
        if (!response.isCommitted()) {
            response.setHeader("WWW-Authenticate", REALM);
            response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
        }
    }
}
