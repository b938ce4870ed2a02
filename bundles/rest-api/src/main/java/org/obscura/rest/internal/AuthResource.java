package org.obscura.rest.internal;

import static org.obscura.rest.internal.RouteDoc.object;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.obscura.camera.api.AccessControl;

/**
 * {@code POST /v1/auth/token} (a bearer token for Basic administrator credentials) and {@code GET /v1/auth} (who
 * the caller is and whether viewing is open). Both are OPEN routes that look at the credentials themselves.
 */
final class AuthResource {

    /** The challenge sent with every 401: Bearer only, so that browsers show no login popup. */
    static final Map<String, String> CHALLENGE = Map.of("WWW-Authenticate", "Bearer realm=\"obscura\"");

    private final AccessControl access;

    AuthResource(AccessControl access) {
        this.access = access;
    }

    void addRoutes(Router router) {
        router.add("POST", "/v1/auth/token", this::token, RouteDoc.of("auth", "Get a bearer token")
                        .description("Send Authorization: Basic base64(admin:password). Use the token as "
                                + "Authorization: Bearer <token>, or as ?token= on frame and stream URLs. Too many "
                                + "failed logins from one address are refused for a minute.")
                        .answers(200, "the token", object(List.of("token", "expires"), "token", "string",
                                "expires", Map.of("type", "string", "format", "date-time")))
                        .error(401, "missing or wrong credentials"))
                .add("GET", "/v1/auth", this::whoami, RouteDoc.of("auth", "Who the caller is")
                        .description("Credentials as for any route: Authorization Basic or Bearer, or ?token=.")
                        .query("token", "string", "a token, for clients that cannot send headers")
                        .answers(200, "the caller", object(List.of("authenticated", "user", "viewing_open"),
                                "authenticated", "boolean", "user", Map.of("type", "string", "nullable", true),
                                "viewing_open", "boolean", "capture_needs_admin", "boolean")));
    }

    private Reply token(Call call) {
        String authorization = call.client().authorization();
        String remote = call.client().remote();
        if (authorization == null || !authorization.strip().regionMatches(true, 0, "Basic ", 0, 6)) {
            throw unauthorized(AccessControl.ADMIN_REQUIRED
                    + ": send the administrator's credentials as Authorization: Basic base64(admin:password)");
        }
        AccessControl.Caller caller = access.check(authorization, null, remote);
        Optional<AccessControl.Token> token = caller.admin() ? access.issue(authorization, remote) : Optional.empty();
        if (token.isEmpty()) {
            throw unauthorized(AccessControl.ADMIN_REQUIRED + ": "
                    + (caller.rejection() == null ? "wrong user name or password" : caller.rejection()));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("token", token.get().value());
        body.put("expires", token.get().expires().toString());
        return Reply.ok(body);
    }

    private Reply whoami(Call call) {
        AccessControl.Caller caller = access.check(call.client().authorization(), call.query("token").orElse(null),
                call.client().remote());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("authenticated", caller.admin());
        body.put("user", caller.user());
        body.put("viewing_open", access.viewingOpen());
        body.put("capture_needs_admin", access.captureNeedsAdmin());
        return Reply.ok(body);
    }

    /** A 401 problem with the Bearer challenge. */
    static ApiException unauthorized(String detail) {
        return new ApiException(Problem.of(401, "unauthorized", "Unauthorized", detail), CHALLENGE);
    }
}
