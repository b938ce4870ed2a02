package org.obscura.imu.mqtt.internal;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Tests against real peers are skipped, saying why, on a machine that lacks the peer, unless the environment
 * variable {@code OBSCURA_REQUIRE_PEERS=1} says the peers must be there (CI sets it): then a missing peer
 * fails the test instead of hiding it.
 */
final class Peers {
    private Peers() {
    }

    static void require(boolean present, String whyMissing) {
        if (!present && "1".equals(System.getenv("OBSCURA_REQUIRE_PEERS"))) {
            fail("required peer missing (OBSCURA_REQUIRE_PEERS=1): " + whyMissing);
        }
        assumeTrue(present, whyMissing);
    }
}
