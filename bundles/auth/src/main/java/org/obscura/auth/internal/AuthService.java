package org.obscura.auth.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.obscura.camera.api.AccessControl;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link AccessControl} service: the administrator's password (see {@link AdminPassword} for where it comes
 * from), tokens and the access rules, configured under PID {@value #PID}. Immediate, so that a generated
 * password is announced when the server starts rather than at the first request.
 *
 * <p>A configuration change takes effect at once (the service stays registered); a new password ends every
 * token. A malformed {@code admin.password} hash is logged and the previous password kept (at the very first
 * activation: a generated one), so a typo never opens the server.
 */
@Component(service = AccessControl.class, configurationPid = AuthService.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true)
@Designate(ocd = AuthService.Config.class)
public class AuthService implements AccessControl {

    static final String PID = "org.obscura.auth";
    static final String CONF_DIR = "obscura.conf.dir";
    static final String FILEINSTALL_DIR = "felix.fileinstall.dir";
    private static final Logger LOG = LoggerFactory.getLogger(AuthService.class);

    @ObjectClassDefinition(id = PID, name = "Obscura authentication",
            description = "The administrator's password and who may do what without it.")
    @interface Config {
        @AttributeDefinition(name = "Administrator password", type = AttributeType.PASSWORD,
                description = "The password of user 'admin': a {pbkdf2-sha256} or {sha-256} hash, or the password "
                        + "in plain text. Empty: generated at first start and stored hashed in conf/. The "
                        + "environment variable OBSCURA_ADMIN_PASSWORD overrides it.")
        String admin_password() default "";

        @AttributeDefinition(name = "Viewing is open",
                description = "Anybody may watch streams and fetch frames; off: a token (or Basic) is needed, "
                        + "also accepted as ?token= on stream and frame URLs.")
        boolean viewing_open() default true;

        @AttributeDefinition(name = "Capture needs admin",
                description = "Taking pictures (snapshots, captures, sequences) needs the administrator.")
        boolean capture_needs_admin() default false;

        @AttributeDefinition(name = "Token lifetime (hours)", description = "How long a token is valid (1 to 8760).",
                min = "1", max = "8760")
        int token_hours() default 12;

        @AttributeDefinition(name = "CORS origins",
                description = "Web origins (https://host:port) whose pages may call the API, or * for any. "
                        + "Empty: CORS off.")
        String[] cors_origins() default {};

        @AttributeDefinition(name = "Failed logins per minute",
                description = "Failed logins allowed per client address and minute before it is refused for the "
                        + "rest of the minute (0: no limit).", min = "0", max = "10000")
        int login_failures_per_minute() default 10;
    }

    private final AdminPassword passwords;
    private final AdminAccess access;

    @Activate
    public AuthService(BundleContext context, Config config) {
        this(new AdminPassword(System.getenv(AdminPassword.ENV), context.getProperty(AdminPassword.FRAMEWORK_PROPERTY),
                AdminPassword.confDir(context.getProperty(CONF_DIR), context.getProperty(FILEINSTALL_DIR)),
                LOG::warn), config, Clock.systemUTC());
    }

    AuthService(AdminPassword passwords, Config config, Clock clock) {
        this.passwords = passwords;
        AdminPassword.Resolved password;
        try {
            password = passwords.resolve(config.admin_password());
        } catch (IllegalArgumentException e) {
            LOG.error("{}; using a generated password instead", e.getMessage());
            password = passwords.fallback();
        }
        LOG.info("Administrator password from {}", password.source());
        this.access = new AdminAccess(password.hash(), clock, tokenLifetime(config), failures(config));
        access.rules(rules(config), tokenLifetime(config), failures(config));
    }

    @Modified
    void modified(Config config) {
        try {
            AdminPassword.Resolved password = passwords.resolve(config.admin_password());
            access.password(password.hash());
        } catch (IllegalArgumentException e) {
            LOG.error("{}; the administrator password stays as it was", e.getMessage());
        }
        access.rules(rules(config), tokenLifetime(config), failures(config));
    }

    @Override
    public Caller check(String authorization, String token, String remote) {
        return access.check(authorization, token, remote);
    }

    @Override
    public Optional<Token> issue(String authorization, String remote) {
        return access.issue(authorization, remote);
    }

    @Override
    public boolean viewingOpen() {
        return access.viewingOpen();
    }

    @Override
    public boolean captureNeedsAdmin() {
        return access.captureNeedsAdmin();
    }

    @Override
    public List<String> corsOrigins() {
        return access.corsOrigins();
    }

    private static AdminAccess.Rules rules(Config config) {
        List<String> origins = new ArrayList<>();
        for (String o : config.cors_origins() == null ? new String[0] : config.cors_origins()) {
            String origin = o == null ? "" : o.strip();
            while (origin.endsWith("/")) {
                origin = origin.substring(0, origin.length() - 1);
            }
            if (origin.isEmpty()) {
                continue;
            }
            if (!origin.equals("*") && !origin.matches("https?://[A-Za-z0-9.\\-\\[\\]:]+")) {
                LOG.warn("cors.origins: '{}' is not an origin like https://host:port; left out", origin);
                continue;
            }
            origins.add(origin);
        }
        return new AdminAccess.Rules(config.viewing_open(), config.capture_needs_admin(), origins);
    }

    private static Duration tokenLifetime(Config config) {
        int hours = config.token_hours();
        if (hours < 1 || hours > 8760) {
            int fixed = Math.max(1, Math.min(8760, hours));
            LOG.warn("token.hours = {} is outside 1..8760; using {}", hours, fixed);
            hours = fixed;
        }
        return Duration.ofHours(hours);
    }

    private static int failures(Config config) {
        return Math.max(0, config.login_failures_per_minute());
    }
}
