package org.obscura.auth.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * A stored password and how to check a candidate against it. Three forms are understood:
 * <ul>
 * <li>{@code {pbkdf2-sha256}<iterations>$<salt>$<hash>} (salt and hash in unpadded Base64): what Obscura writes,
 * PBKDF2WithHmacSHA256 with a 16-byte random salt and {@value #ITERATIONS} iterations;</li>
 * <li>{@code {sha-256}<Base64 of SHA-256>}: the Felix web console's form, accepted so that an existing console
 * password keeps working (unsalted: {@link #weak()});</li>
 * <li>anything else: the password itself in plain text ({@link #weak()}).</li>
 * </ul>
 * Every comparison takes the same time whatever the candidate ({@link MessageDigest#isEqual}). Immutable and
 * thread-safe; {@link #matches} costs tens of milliseconds for the PBKDF2 form, on purpose.
 */
final class PasswordHash {

    static final String PBKDF2_PREFIX = "{pbkdf2-sha256}";
    static final String SHA256_PREFIX = "{sha-256}";
    /** PBKDF2 iterations for new hashes: at least 100 000, affordable on a small ARM board. */
    static final int ITERATIONS = 120_000;
    private static final int SALT_BYTES = 16;
    private static final int HASH_BITS = 256;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();

    private enum Form { PBKDF2, SHA256, PLAIN }

    private final Form form;
    private final int iterations;
    private final byte[] salt;
    private final byte[] expected;
    private final String stored;

    private PasswordHash(Form form, int iterations, byte[] salt, byte[] expected, String stored) {
        this.form = form;
        this.iterations = iterations;
        this.salt = salt;
        this.expected = expected;
        this.stored = stored;
    }

    /** A new salted PBKDF2 hash of {@code password}. */
    static PasswordHash of(String password) {
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        byte[] hash = pbkdf2(password, salt, ITERATIONS);
        String stored = PBKDF2_PREFIX + ITERATIONS + "$" + B64.encodeToString(salt) + "$" + B64.encodeToString(hash);
        return new PasswordHash(Form.PBKDF2, ITERATIONS, salt, hash, stored);
    }

    /**
     * Reads a stored password in any of the three forms.
     *
     * @throws IllegalArgumentException for an empty value or a malformed {@code {pbkdf2-sha256}}/{@code {sha-256}}
     *                                  value (the message never contains the value)
     */
    static PasswordHash parse(String stored) {
        if (stored == null || stored.isEmpty()) {
            throw new IllegalArgumentException("the password is empty");
        }
        if (stored.startsWith(PBKDF2_PREFIX)) {
            String[] parts = stored.substring(PBKDF2_PREFIX.length()).split("\\$", -1);
            try {
                int iterations = Integer.parseInt(parts[0]);
                byte[] salt = Base64.getDecoder().decode(parts[1]);
                byte[] hash = Base64.getDecoder().decode(parts[2]);
                if (parts.length != 3 || iterations < 1 || salt.length == 0 || hash.length == 0) {
                    throw new IllegalArgumentException();
                }
                return new PasswordHash(Form.PBKDF2, iterations, salt, hash, stored);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("malformed " + PBKDF2_PREFIX + " hash: expected "
                        + PBKDF2_PREFIX + "<iterations>$<base64 salt>$<base64 hash>");
            }
        }
        if (stored.startsWith(SHA256_PREFIX)) {
            try {
                byte[] hash = Base64.getDecoder().decode(stored.substring(SHA256_PREFIX.length()));
                if (hash.length != 32) {
                    throw new IllegalArgumentException();
                }
                return new PasswordHash(Form.SHA256, 1, new byte[0], hash, stored);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("malformed " + SHA256_PREFIX + " hash: expected "
                        + SHA256_PREFIX + "<base64 of the 32-byte SHA-256>");
            }
        }
        return new PasswordHash(Form.PLAIN, 1, new byte[0], sha256(stored), stored);
    }

    /** Whether {@code candidate} is the password. Constant time for a given stored form. */
    boolean matches(String candidate) {
        if (candidate == null) {
            return false;
        }
        byte[] actual = switch (form) {
            case PBKDF2 -> pbkdf2(candidate, salt, iterations);
            case SHA256, PLAIN -> sha256(candidate);
        };
        return MessageDigest.isEqual(expected, actual);
    }

    /** Whether the stored form is unsalted (plain text or bare SHA-256): worth replacing by a PBKDF2 hash. */
    boolean weak() {
        return form != Form.PBKDF2;
    }

    /** Whether the stored value is the password itself. */
    boolean plain() {
        return form == Form.PLAIN;
    }

    /** The value to store ({@code admin.password}); for a plain password that is the password. */
    String stored() {
        return stored;
    }

    @Override
    public String toString() {
        return "PasswordHash[" + form + "]";
    }

    private static byte[] pbkdf2(String password, byte[] salt, int iterations) {
        char[] chars = password.toCharArray();
        PBEKeySpec spec = new PBEKeySpec(chars, salt, iterations, HASH_BITS);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is part of every Java 17 runtime", e);
        } finally {
            spec.clearPassword();
            Arrays.fill(chars, '\0');
        }
    }

    static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
